package dev.resilience.boot.health;

import java.util.function.Function;

import dev.resilience.boot.autoconfigure.InstanceSettings;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import org.jspecify.annotations.Nullable;

/**
 * The health settings of one primitive's instances ({@code register-health-indicator},
 * {@code allow-health-indicator-to-fail}), resolved by instance name the way every other
 * setting is: the instance's own value, then its {@code base-config} chain, then
 * {@code configs.default}. An instance that is not configured (created by an annotation
 * or at run time) takes {@code configs.default}.
 * <p>
 * Resolved on each health request: a handful of map look-ups, off the call path. The
 * properties are immutable, so this is thread-safe.
 *
 * @param <S> the settings record type
 */
final class HealthSettings<S> {

	private final ResilienceProperties.Primitive<S> properties;

	private final Function<S, @Nullable String> baseConfig;

	private final Function<S, @Nullable Boolean> register;

	private final Function<S, @Nullable Boolean> allowToFail;

	HealthSettings(ResilienceProperties.Primitive<S> properties, Function<S, @Nullable String> baseConfig,
			Function<S, @Nullable Boolean> register, Function<S, @Nullable Boolean> allowToFail) {
		this.properties = properties;
		this.baseConfig = baseConfig;
		this.register = register;
		this.allowToFail = allowToFail;
	}

	static HealthSettings<ResilienceProperties.CircuitBreakerSettings> circuitBreakers(
			ResilienceProperties properties) {
		return new HealthSettings<>(properties.circuitbreaker(),
				ResilienceProperties.CircuitBreakerSettings::baseConfig,
				ResilienceProperties.CircuitBreakerSettings::registerHealthIndicator,
				ResilienceProperties.CircuitBreakerSettings::allowHealthIndicatorToFail);
	}

	static HealthSettings<ResilienceProperties.RateLimiterSettings> rateLimiters(ResilienceProperties properties) {
		return new HealthSettings<>(properties.ratelimiter(), ResilienceProperties.RateLimiterSettings::baseConfig,
				ResilienceProperties.RateLimiterSettings::registerHealthIndicator,
				ResilienceProperties.RateLimiterSettings::allowHealthIndicatorToFail);
	}

	static HealthSettings<ResilienceProperties.BulkheadSettings> bulkheads(ResilienceProperties properties) {
		return new HealthSettings<>(properties.bulkhead(), ResilienceProperties.BulkheadSettings::baseConfig,
				ResilienceProperties.BulkheadSettings::registerHealthIndicator,
				ResilienceProperties.BulkheadSettings::allowHealthIndicatorToFail);
	}

	static HealthSettings<ResilienceProperties.ThreadPoolBulkheadSettings> threadPoolBulkheads(
			ResilienceProperties properties) {
		return new HealthSettings<>(properties.threadPoolBulkhead(),
				ResilienceProperties.ThreadPoolBulkheadSettings::baseConfig,
				ResilienceProperties.ThreadPoolBulkheadSettings::registerHealthIndicator,
				ResilienceProperties.ThreadPoolBulkheadSettings::allowHealthIndicatorToFail);
	}

	/**
	 * Tells whether the instance has a health indicator.
	 * @param instance the instance name
	 * @return {@code register-health-indicator}, default {@code true}
	 */
	boolean register(String instance) {
		return resolve(instance, this.register, true);
	}

	/**
	 * Tells whether the instance may report {@code DOWN}.
	 * @param instance the instance name
	 * @return {@code allow-health-indicator-to-fail}, default {@code false}
	 */
	boolean allowToFail(String instance) {
		return resolve(instance, this.allowToFail, false);
	}

	private boolean resolve(String instance, Function<S, @Nullable Boolean> setting, boolean defaultValue) {
		return InstanceSettings.resolve(this.properties, this.baseConfig, instance, setting, defaultValue);
	}

}
