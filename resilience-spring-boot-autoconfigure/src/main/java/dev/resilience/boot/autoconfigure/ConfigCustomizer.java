package dev.resilience.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Consumer;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;

/**
 * Customizes one named instance's configuration with what {@code application.yml} cannot
 * express, such as predicates. Declare it as a bean; it is applied at startup after the
 * properties, to the instance of that name only:
 *
 * <pre class="code">
 * &#64;Bean
 * ConfigCustomizer&lt;CircuitBreakerConfig.Builder&gt; paymentsBreaker() {
 *     return ConfigCustomizer.circuitBreaker("payments", (builder) -&gt; builder.recordResult(Receipt::isDeclined));
 * }
 * </pre>
 *
 * @param <B> the configuration builder type
 */
public interface ConfigCustomizer<B> {

	/**
	 * Returns the name of the instance this customizer applies to.
	 * @return the instance name
	 */
	String instanceName();

	/**
	 * Returns the builder type, which tells the primitive.
	 * @return the builder type
	 */
	Class<B> builderType();

	/**
	 * Customizes the instance's configuration.
	 * @param builder the builder, filled from the properties
	 */
	void customize(B builder);

	/**
	 * Creates a customizer for a circuit breaker.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<CircuitBreakerConfig.Builder> circuitBreaker(String instanceName,
			Consumer<CircuitBreakerConfig.Builder> customizer) {
		return of(instanceName, CircuitBreakerConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer for a retry.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<RetryConfig.Builder> retry(String instanceName, Consumer<RetryConfig.Builder> customizer) {
		return of(instanceName, RetryConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer for a rate limiter.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<RateLimiterConfig.Builder> rateLimiter(String instanceName,
			Consumer<RateLimiterConfig.Builder> customizer) {
		return of(instanceName, RateLimiterConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer for a semaphore bulkhead.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<BulkheadConfig.Builder> bulkhead(String instanceName,
			Consumer<BulkheadConfig.Builder> customizer) {
		return of(instanceName, BulkheadConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer for a thread-pool bulkhead.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<ThreadPoolBulkheadConfig.Builder> threadPoolBulkhead(String instanceName,
			Consumer<ThreadPoolBulkheadConfig.Builder> customizer) {
		return of(instanceName, ThreadPoolBulkheadConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer for a timeout.
	 * @param instanceName the instance name
	 * @param customizer the customization
	 * @return the customizer
	 */
	static ConfigCustomizer<TimeoutConfig.Builder> timeout(String instanceName,
			Consumer<TimeoutConfig.Builder> customizer) {
		return of(instanceName, TimeoutConfig.Builder.class, customizer);
	}

	/**
	 * Creates a customizer.
	 * @param <B> the builder type
	 * @param instanceName the instance name
	 * @param builderType the builder type
	 * @param customizer the customization
	 * @return the customizer
	 */
	static <B> ConfigCustomizer<B> of(String instanceName, Class<B> builderType, Consumer<B> customizer) {
		Objects.requireNonNull(instanceName, "instanceName must not be null");
		Objects.requireNonNull(builderType, "builderType must not be null");
		Objects.requireNonNull(customizer, "customizer must not be null");
		return new ConfigCustomizer<>() {

			@Override
			public String instanceName() {
				return instanceName;
			}

			@Override
			public Class<B> builderType() {
				return builderType;
			}

			@Override
			public void customize(B builder) {
				customizer.accept(builder);
			}

		};
	}

}
