package dev.resilience.boot.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The settings of one config or instance that steer the starter rather than a core
 * configuration, as written: {@code null} where not set. The resolution lays each over
 * the one it inherits from ({@link #over}).
 *
 * @param registerHealthIndicator {@code register-health-indicator}
 * @param allowHealthIndicatorToFail {@code allow-health-indicator-to-fail}
 * @param backend {@code backend} (rate limiters)
 * @param onBackendFailure {@code on-backend-failure} (rate limiters)
 * @param backendTimeout {@code backend-timeout} (rate limiters)
 */
record StarterSettings(@Nullable Boolean registerHealthIndicator, @Nullable Boolean allowHealthIndicatorToFail,
		ResilienceProperties.@Nullable Backend backend,
		ResilienceProperties.@Nullable OnBackendFailure onBackendFailure, @Nullable Duration backendTimeout) {

	/** Nothing set. */
	static final StarterSettings NONE = new StarterSettings(null, null, null, null, null);

	/**
	 * Returns these settings where set, else those of {@code base}.
	 * @param base the settings inherited
	 * @return the settings merged
	 */
	StarterSettings over(StarterSettings base) {
		return new StarterSettings(or(this.registerHealthIndicator, base.registerHealthIndicator),
				or(this.allowHealthIndicatorToFail, base.allowHealthIndicatorToFail), or(this.backend, base.backend),
				or(this.onBackendFailure, base.onBackendFailure), or(this.backendTimeout, base.backendTimeout));
	}

	private static <T> @Nullable T or(@Nullable T value, @Nullable T base) {
		return (value != null) ? value : base;
	}

}
