package dev.resilience.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Every primitive's configurations and instances, resolved and validated once at startup
 * from {@link ResilienceProperties} and the {@link ConfigCustomizer} beans (the one walk
 * of {@code base-config}), and the registries made from them. The health indicators, the
 * Redis backend and the endpoints read the {@link ResolvedInstance} of an instance from
 * here. A bad value stops the application here with the property named.
 */
public final class ResilienceConfigurations {

	private final ResolvedPrimitive<CircuitBreakerConfig> circuitBreakers;

	private final ResolvedPrimitive<RetryConfig> retries;

	private final ResolvedPrimitive<RateLimiterConfig> rateLimiters;

	private final ResolvedPrimitive<BulkheadConfig> bulkheads;

	private final ResolvedPrimitive<ThreadPoolBulkheadConfig> threadPoolBulkheads;

	private final ResolvedPrimitive<TimeoutConfig> timeouts;

	private final ResilienceProperties.RateLimiters rateLimiterProperties;

	/**
	 * Resolves every configuration.
	 * @param properties the bound properties
	 * @param customizers the customizer beans
	 * @throws ResilienceConfigurationException if any configuration is invalid
	 */
	public ResilienceConfigurations(ResilienceProperties properties, List<ConfigCustomizer<?>> customizers) {
		this.rateLimiterProperties = properties.ratelimiter();
		checkBackendTimeouts(properties.ratelimiter());
		this.circuitBreakers = ConfigResolver.resolve("circuitbreaker", properties.circuitbreaker(),
				CircuitBreakerConfig.ofDefaults(), CircuitBreakerConfig::from, CircuitBreakerConfig.Builder::build,
				ResilienceProperties.CircuitBreakerSettings::starterSettings,
				customizers(customizers, CircuitBreakerConfig.Builder.class));
		this.retries = ConfigResolver.resolve("retry", properties.retry(), RetryConfig.ofDefaults(), RetryConfig::from,
				RetryConfig.Builder::build, ResilienceProperties.RetrySettings::starterSettings,
				customizers(customizers, RetryConfig.Builder.class));
		this.rateLimiters = ConfigResolver.resolve("ratelimiter", properties.ratelimiter(),
				RateLimiterConfig.ofDefaults(), RateLimiterConfig::from, RateLimiterConfig.Builder::build,
				ResilienceProperties.RateLimiterSettings::starterSettings,
				customizers(customizers, RateLimiterConfig.Builder.class));
		this.bulkheads = ConfigResolver.resolve("bulkhead", properties.bulkhead(), BulkheadConfig.ofDefaults(),
				BulkheadConfig::from, BulkheadConfig.Builder::build,
				ResilienceProperties.BulkheadSettings::starterSettings,
				customizers(customizers, BulkheadConfig.Builder.class));
		this.threadPoolBulkheads = ConfigResolver.resolve("thread-pool-bulkhead", properties.threadPoolBulkhead(),
				ThreadPoolBulkheadConfig.ofDefaults(), ThreadPoolBulkheadConfig::from,
				ThreadPoolBulkheadConfig.Builder::build,
				ResilienceProperties.ThreadPoolBulkheadSettings::starterSettings,
				customizers(customizers, ThreadPoolBulkheadConfig.Builder.class));
		this.timeouts = ConfigResolver.resolve("timeout", properties.timeout(), TimeoutConfig.ofDefaults(),
				TimeoutConfig::from, TimeoutConfig.Builder::build,
				ResilienceProperties.TimeoutSettings::starterSettings,
				customizers(customizers, TimeoutConfig.Builder.class));
	}

	/**
	 * Returns the circuit breakers' resolved settings.
	 * @return every configured circuit breaker, and what the others get
	 */
	public ResolvedPrimitive<CircuitBreakerConfig> circuitBreakers() {
		return this.circuitBreakers;
	}

	/**
	 * Returns the retries' resolved settings.
	 * @return every configured retry, and what the others get
	 */
	public ResolvedPrimitive<RetryConfig> retries() {
		return this.retries;
	}

	/**
	 * Returns the rate limiters' resolved settings.
	 * @return every configured rate limiter, and what the others get
	 */
	public ResolvedPrimitive<RateLimiterConfig> rateLimiters() {
		return this.rateLimiters;
	}

	/**
	 * Returns the semaphore bulkheads' resolved settings.
	 * @return every configured bulkhead, and what the others get
	 */
	public ResolvedPrimitive<BulkheadConfig> bulkheads() {
		return this.bulkheads;
	}

	/**
	 * Returns the thread-pool bulkheads' resolved settings.
	 * @return every configured thread-pool bulkhead, and what the others get
	 */
	public ResolvedPrimitive<ThreadPoolBulkheadConfig> threadPoolBulkheads() {
		return this.threadPoolBulkheads;
	}

	/**
	 * Returns the timeouts' resolved settings.
	 * @return every configured timeout, and what the others get
	 */
	public ResolvedPrimitive<TimeoutConfig> timeouts() {
		return this.timeouts;
	}

	private static void checkBackendTimeouts(ResilienceProperties.RateLimiters rateLimiters) {
		// A starter setting, so no core builder checks it: checked here for every config
		// and instance, whatever its backend, as the builders check theirs.
		rateLimiters.configs().forEach((name, settings) -> checkBackendTimeout(settings, "configs." + name));
		rateLimiters.instances().forEach((name, settings) -> checkBackendTimeout(settings, "instances." + name));
	}

	private static void checkBackendTimeout(ResilienceProperties.RateLimiterSettings settings, String path) {
		Duration timeout = settings.backendTimeout();
		if (timeout == null) {
			return;
		}
		String property = "resilience.ratelimiter." + path + ".backend-timeout";
		try {
			SettingValidation.positive(timeout, ResilienceProperties.RateLimiterSettings.MAX_BACKEND_TIMEOUT,
					"backendTimeout");
		}
		catch (IllegalArgumentException ex) {
			throw new ResilienceConfigurationException(property, "invalid value '" + timeout + "': " + ex.getMessage(),
					"Update " + property + " to a valid value.");
		}
	}

	CircuitBreakerRegistry circuitBreakerRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(CircuitBreakerRegistry.of(this.circuitBreakers.defaults().config(), ticker, scheduler),
				this.circuitBreakers);
	}

	RetryRegistry retryRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(RetryRegistry.of(this.retries.defaults().config(), ticker, scheduler), this.retries);
	}

	RateLimiterRegistry rateLimiterRegistry(Ticker ticker, Scheduler scheduler,
			RateLimiterRegistry.@Nullable Factory factory) {
		if (factory == null) {
			requireNoRedisBackend();
			factory = RateLimiter::of;
		}
		return fill(RateLimiterRegistry.of(this.rateLimiters.defaults().config(), ticker, scheduler, factory),
				this.rateLimiters);
	}

	private void requireNoRedisBackend() {
		// backend: redis without Spring Data Redis must not quietly become local
		// limiting.
		this.rateLimiterProperties.configs().forEach((name, settings) -> requireLocal(settings, "configs." + name));
		this.rateLimiterProperties.instances().forEach((name, settings) -> requireLocal(settings, "instances." + name));
	}

	private static void requireLocal(ResilienceProperties.RateLimiterSettings settings, String path) {
		if (settings.backend() == ResilienceProperties.Backend.REDIS) {
			String property = "resilience.ratelimiter." + path + ".backend";
			throw new ResilienceConfigurationException(property,
					"backend: redis needs Spring Data Redis with Lettuce on the class path",
					"Add spring-boot-starter-data-redis, or set " + property + " to local.");
		}
	}

	BulkheadRegistry bulkheadRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(BulkheadRegistry.of(this.bulkheads.defaults().config(), ticker, scheduler), this.bulkheads);
	}

	ThreadPoolBulkheadRegistry threadPoolBulkheadRegistry(@Nullable UnaryOperator<Runnable> taskDecorator) {
		// Thread-pool bulkheads measure no time: no ticker, no scheduler.
		ThreadPoolBulkheadConfig defaults = this.threadPoolBulkheads.defaults().config();
		return fill((taskDecorator != null) ? ThreadPoolBulkheadRegistry.of(defaults, taskDecorator)
				: ThreadPoolBulkheadRegistry.of(defaults), this.threadPoolBulkheads);
	}

	TimeoutRegistry timeoutRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(TimeoutRegistry.of(this.timeouts.defaults().config(), ticker, scheduler), this.timeouts);
	}

	private static <R extends Registry<?, C>, C> R fill(R registry, ResolvedPrimitive<C> resolved) {
		resolved.configs().forEach(registry::addConfig);
		for (Map.Entry<String, ResolvedInstance<C>> instance : resolved.instances().entrySet()) {
			registry.instance(instance.getKey(), instance.getValue().config());
		}
		return registry;
	}

	@SuppressWarnings("unchecked")
	private static <B> List<ConfigCustomizer<B>> customizers(List<ConfigCustomizer<?>> all, Class<B> builderType) {
		return all.stream()
			.filter((customizer) -> customizer.builderType() == builderType)
			.map((customizer) -> (ConfigCustomizer<B>) customizer)
			.toList();
	}

}
