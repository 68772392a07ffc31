package dev.resilience.boot.health;

import dev.resilience.boot.autoconfigure.ResolvedPrimitive;

/**
 * The health settings of one primitive's instances ({@code register-health-indicator},
 * {@code allow-health-indicator-to-fail}), read from the settings resolved once at
 * startup: an instance named in the properties has its own (through its
 * {@code base-config} chain), any other (created by an annotation or at run time) those
 * of {@code configs.default}.
 * <p>
 * One map look-up per health request; the resolved settings are immutable, so this is
 * thread-safe.
 */
final class HealthSettings {

	private final ResolvedPrimitive<?> resolved;

	HealthSettings(ResolvedPrimitive<?> resolved) {
		this.resolved = resolved;
	}

	/**
	 * Tells whether the instance has a health indicator.
	 * @param instance the instance name
	 * @return {@code register-health-indicator}, default {@code true}
	 */
	boolean register(String instance) {
		return this.resolved.instance(instance).registerHealthIndicator();
	}

	/**
	 * Tells whether the instance may report {@code DOWN}.
	 * @param instance the instance name
	 * @return {@code allow-health-indicator-to-fail}, default {@code false}
	 */
	boolean allowToFail(String instance) {
		return this.resolved.instance(instance).allowHealthIndicatorToFail();
	}

}
