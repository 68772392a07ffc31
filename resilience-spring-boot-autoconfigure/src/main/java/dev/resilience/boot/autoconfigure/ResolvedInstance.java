package dev.resilience.boot.autoconfigure;

import java.time.Duration;
import java.util.Objects;

import dev.resilience.boot.autoconfigure.ResilienceProperties.Backend;
import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;

/**
 * Everything the properties say about one instance, resolved once at startup through its
 * {@code base-config} chain and {@code configs.default}: the core configuration and the
 * starter's own settings, each at its default where nothing sets it. The health
 * indicators, the Redis backend and the endpoints read this record; nothing walks
 * {@code base-config} after startup.
 * <p>
 * A setting a primitive does not have (a retry has no health indicator, only rate
 * limiters have a backend) holds its default. Immutable.
 *
 * @param <C> the core configuration type
 * @param config the core configuration, customizers applied
 * @param registerHealthIndicator {@code register-health-indicator}; default {@code true}
 * @param allowHealthIndicatorToFail {@code allow-health-indicator-to-fail}; default
 * {@code false}
 * @param backend {@code backend}; default {@link Backend#LOCAL}
 * @param onBackendFailure {@code on-backend-failure}; default
 * {@link OnBackendFailure#ALLOW}
 * @param backendTimeout {@code backend-timeout}; default
 * {@link ResilienceProperties.RateLimiterSettings#DEFAULT_BACKEND_TIMEOUT}
 */
public record ResolvedInstance<C>(C config, boolean registerHealthIndicator, boolean allowHealthIndicatorToFail,
		Backend backend, OnBackendFailure onBackendFailure, Duration backendTimeout) {

	/**
	 * Checks that nothing is {@code null}.
	 */
	public ResolvedInstance {
		Objects.requireNonNull(config, "config must not be null");
		Objects.requireNonNull(backend, "backend must not be null");
		Objects.requireNonNull(onBackendFailure, "onBackendFailure must not be null");
		Objects.requireNonNull(backendTimeout, "backendTimeout must not be null");
	}

	/**
	 * Returns a configuration with the starter settings resolved, defaults where unset.
	 * @param <C> the core configuration type
	 * @param config the core configuration
	 * @param starter the starter settings, merged along the {@code base-config} chain
	 * @return the resolved instance
	 */
	static <C> ResolvedInstance<C> of(C config, StarterSettings starter) {
		return new ResolvedInstance<>(config,
				(starter.registerHealthIndicator() != null) ? starter.registerHealthIndicator() : true,
				(starter.allowHealthIndicatorToFail() != null) ? starter.allowHealthIndicatorToFail() : false,
				(starter.backend() != null) ? starter.backend() : Backend.LOCAL,
				(starter.onBackendFailure() != null) ? starter.onBackendFailure() : OnBackendFailure.ALLOW,
				(starter.backendTimeout() != null) ? starter.backendTimeout()
						: ResilienceProperties.RateLimiterSettings.DEFAULT_BACKEND_TIMEOUT);
	}

}
