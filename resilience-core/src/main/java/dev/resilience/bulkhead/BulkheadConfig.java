package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.internal.SettingValidation;

/**
 * The configuration of a semaphore {@link Bulkhead}: at most {@code maxConcurrentCalls}
 * calls in flight, and a caller waits at most {@code maxWaitDuration} for a place.
 * <p>
 * Immutable and thread-safe.
 */
public final class BulkheadConfig {

	/** Default {@code maxConcurrentCalls}: 25. */
	public static final int DEFAULT_MAX_CONCURRENT_CALLS = 25;

	/**
	 * Default {@code maxWaitDuration}: zero (a caller that finds no place is rejected at
	 * once).
	 */
	public static final Duration DEFAULT_MAX_WAIT_DURATION = Duration.ZERO;

	/**
	 * The longest {@code maxWaitDuration}: one day.
	 */
	// The wait blocks the caller's thread: beyond a day it is a thread lost, not a wait.
	public static final Duration MAX_WAIT_DURATION = Duration.ofDays(1);

	/**
	 * Default {@code maxKeys}: the most keys with a bulkhead of their own
	 * ({@link Bulkhead#forKey(Object)}).
	 */
	public static final int DEFAULT_MAX_KEYS = 10_000;

	private static final BulkheadConfig DEFAULTS = builder().build();

	private final int maxConcurrentCalls;

	private final Duration maxWaitDuration;

	private final int maxKeys;

	private BulkheadConfig(Builder builder) {
		this.maxConcurrentCalls = builder.maxConcurrentCalls;
		this.maxWaitDuration = builder.maxWaitDuration;
		this.maxKeys = builder.maxKeys;
	}

	/**
	 * Returns the default configuration.
	 * @return the defaults
	 */
	public static BulkheadConfig ofDefaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a builder filled with the defaults.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns a builder filled with the settings of {@code base}, so that a named
	 * configuration can inherit from another and change only some settings.
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(BulkheadConfig base) {
		SettingValidation.notNull(base, "base");
		return new Builder().maxConcurrentCalls(base.maxConcurrentCalls)
			.maxWaitDuration(base.maxWaitDuration)
			.maxKeys(base.maxKeys);
	}

	/**
	 * Returns the most calls that may be in flight at once.
	 * @return the limit, at least 1
	 */
	public int maxConcurrentCalls() {
		return this.maxConcurrentCalls;
	}

	/**
	 * Returns how long a caller of {@link Bulkhead#acquirePermission()} waits for a
	 * place.
	 * @return the wait, zero or more
	 */
	public Duration maxWaitDuration() {
		return this.maxWaitDuration;
	}

	/**
	 * Returns the most keys that have a bulkhead of their own at once. A key's bulkhead
	 * is forgotten as soon as no call of that key is in flight, so only keys with calls
	 * in flight count; when this many do, a call of a new key is rejected.
	 * @return the bound on live keys
	 */
	public int maxKeys() {
		return this.maxKeys;
	}

	/**
	 * Describes this configuration: one entry per setting, named as its builder method,
	 * in the builder's order, with its value as the accessor of the same name returns it
	 * ({@link Duration}, enum, {@code List<Class>}, number, boolean). A setting that is
	 * unset (an optional one at {@code null}) is left out, and so are predicates and
	 * other settings made in code. The one place that lists the settings, for whoever
	 * shows a configuration (the Spring Boot starter's Actuator endpoints).
	 * @return the settings by name, in order; unmodifiable
	 */
	public Map<String, Object> describe() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("maxConcurrentCalls", this.maxConcurrentCalls);
		settings.put("maxWaitDuration", this.maxWaitDuration);
		settings.put("maxKeys", this.maxKeys);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "BulkheadConfig[maxConcurrentCalls=" + this.maxConcurrentCalls + ", maxWaitDuration="
				+ this.maxWaitDuration + ", maxKeys=" + this.maxKeys + "]";
	}

	/**
	 * Builds a {@link BulkheadConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;

		private Duration maxWaitDuration = DEFAULT_MAX_WAIT_DURATION;

		private int maxKeys = DEFAULT_MAX_KEYS;

		private Builder() {
		}

		/**
		 * Sets the most calls that may be in flight at once. Default
		 * {@value BulkheadConfig#DEFAULT_MAX_CONCURRENT_CALLS}; at least 1.
		 * @param maxConcurrentCalls the limit
		 * @return this builder
		 */
		public Builder maxConcurrentCalls(int maxConcurrentCalls) {
			this.maxConcurrentCalls = maxConcurrentCalls;
			return this;
		}

		/**
		 * Sets how long a caller waits for a place. Default zero (never wait); zero or
		 * more, at most {@link BulkheadConfig#MAX_WAIT_DURATION}.
		 * @param maxWaitDuration the wait
		 * @return this builder
		 */
		public Builder maxWaitDuration(Duration maxWaitDuration) {
			this.maxWaitDuration = maxWaitDuration;
			return this;
		}

		/**
		 * Sets the most keys with a bulkhead of their own at once. Default
		 * {@value BulkheadConfig#DEFAULT_MAX_KEYS}; at least 1.
		 * @param maxKeys the bound on live keys
		 * @return this builder
		 */
		public Builder maxKeys(int maxKeys) {
			this.maxKeys = maxKeys;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range
		 * @throws NullPointerException if a duration is {@code null}
		 */
		public BulkheadConfig build() {
			SettingValidation.atLeast(this.maxConcurrentCalls, 1, "maxConcurrentCalls");
			SettingValidation.notNegative(this.maxWaitDuration, MAX_WAIT_DURATION, "maxWaitDuration");
			SettingValidation.atLeast(this.maxKeys, 1, "maxKeys");
			return new BulkheadConfig(this);
		}

	}

}
