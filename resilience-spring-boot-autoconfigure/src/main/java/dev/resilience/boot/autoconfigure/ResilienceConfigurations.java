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
 * Every primitive's configurations, resolved and validated once at startup from
 * {@link ResilienceProperties} and the {@link ConfigCustomizer} beans, and the registries
 * made from them. A bad value stops the application here with the property named.
 */
public final class ResilienceConfigurations {

	private final ConfigResolver<ResilienceProperties.CircuitBreakerSettings, CircuitBreakerConfig, CircuitBreakerConfig.Builder> circuitBreakers;

	private final ConfigResolver<ResilienceProperties.RetrySettings, RetryConfig, RetryConfig.Builder> retries;

	private final ConfigResolver<ResilienceProperties.RateLimiterSettings, RateLimiterConfig, RateLimiterConfig.Builder> rateLimiters;

	private final ConfigResolver<ResilienceProperties.BulkheadSettings, BulkheadConfig, BulkheadConfig.Builder> bulkheads;

	private final ConfigResolver<ResilienceProperties.ThreadPoolBulkheadSettings, ThreadPoolBulkheadConfig, ThreadPoolBulkheadConfig.Builder> threadPoolBulkheads;

	private final ResilienceProperties.RateLimiters rateLimiterProperties;

	private final ConfigResolver<ResilienceProperties.TimeoutSettings, TimeoutConfig, TimeoutConfig.Builder> timeouts;

	/**
	 * Resolves every configuration.
	 * @param properties the bound properties
	 * @param customizers the customizer beans
	 * @throws ResilienceConfigurationException if any configuration is invalid
	 */
	public ResilienceConfigurations(ResilienceProperties properties, List<ConfigCustomizer<?>> customizers) {
		this.rateLimiterProperties = properties.ratelimiter();
		checkBackendTimeouts(properties.ratelimiter());
		this.circuitBreakers = new ConfigResolver<>("circuitbreaker", properties.circuitbreaker(),
				CircuitBreakerConfig.ofDefaults(), CircuitBreakerConfig::from, CircuitBreakerConfig.Builder::build,
				ResilienceProperties.CircuitBreakerSettings::baseConfig,
				customizers(customizers, CircuitBreakerConfig.Builder.class));
		this.retries = new ConfigResolver<>("retry", properties.retry(), RetryConfig.ofDefaults(), RetryConfig::from,
				RetryConfig.Builder::build, ResilienceProperties.RetrySettings::baseConfig,
				customizers(customizers, RetryConfig.Builder.class));
		this.rateLimiters = new ConfigResolver<>("ratelimiter", properties.ratelimiter(),
				RateLimiterConfig.ofDefaults(), RateLimiterConfig::from, RateLimiterConfig.Builder::build,
				ResilienceProperties.RateLimiterSettings::baseConfig,
				customizers(customizers, RateLimiterConfig.Builder.class));
		this.bulkheads = new ConfigResolver<>("bulkhead", properties.bulkhead(), BulkheadConfig.ofDefaults(),
				BulkheadConfig::from, BulkheadConfig.Builder::build, ResilienceProperties.BulkheadSettings::baseConfig,
				customizers(customizers, BulkheadConfig.Builder.class));
		this.threadPoolBulkheads = new ConfigResolver<>("thread-pool-bulkhead", properties.threadPoolBulkhead(),
				ThreadPoolBulkheadConfig.ofDefaults(), ThreadPoolBulkheadConfig::from,
				ThreadPoolBulkheadConfig.Builder::build, ResilienceProperties.ThreadPoolBulkheadSettings::baseConfig,
				customizers(customizers, ThreadPoolBulkheadConfig.Builder.class));
		this.timeouts = new ConfigResolver<>("timeout", properties.timeout(), TimeoutConfig.ofDefaults(),
				TimeoutConfig::from, TimeoutConfig.Builder::build, ResilienceProperties.TimeoutSettings::baseConfig,
				customizers(customizers, TimeoutConfig.Builder.class));
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
		return fill(CircuitBreakerRegistry.of(this.circuitBreakers.defaultConfig(), ticker, scheduler),
				this.circuitBreakers);
	}

	RetryRegistry retryRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(RetryRegistry.of(this.retries.defaultConfig(), ticker, scheduler), this.retries);
	}

	RateLimiterRegistry rateLimiterRegistry(Ticker ticker, Scheduler scheduler,
			RateLimiterRegistry.@Nullable Factory factory) {
		if (factory == null) {
			requireNoRedisBackend();
			factory = RateLimiter::of;
		}
		return fill(RateLimiterRegistry.of(this.rateLimiters.defaultConfig(), ticker, scheduler, factory),
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
		return fill(BulkheadRegistry.of(this.bulkheads.defaultConfig(), ticker, scheduler), this.bulkheads);
	}

	ThreadPoolBulkheadRegistry threadPoolBulkheadRegistry(@Nullable UnaryOperator<Runnable> taskDecorator) {
		// Thread-pool bulkheads measure no time: no ticker, no scheduler.
		ThreadPoolBulkheadConfig defaults = this.threadPoolBulkheads.defaultConfig();
		return fill((taskDecorator != null) ? ThreadPoolBulkheadRegistry.of(defaults, taskDecorator)
				: ThreadPoolBulkheadRegistry.of(defaults), this.threadPoolBulkheads);
	}

	TimeoutRegistry timeoutRegistry(Ticker ticker, Scheduler scheduler) {
		return fill(TimeoutRegistry.of(this.timeouts.defaultConfig(), ticker, scheduler), this.timeouts);
	}

	private static <R extends Registry<?, C>, C> R fill(R registry, ConfigResolver<?, C, ?> resolver) {
		resolver.configs().forEach(registry::addConfig);
		for (Map.Entry<String, C> instance : resolver.instances().entrySet()) {
			registry.instance(instance.getKey(), instance.getValue());
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
