package dev.resilience.bulkhead;

import java.time.Duration;

import dev.resilience.core.Checks;

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

	private static final BulkheadConfig DEFAULTS = builder().build();

	private final int maxConcurrentCalls;

	private final Duration maxWaitDuration;

	private BulkheadConfig(Builder builder) {
		this.maxConcurrentCalls = builder.maxConcurrentCalls;
		this.maxWaitDuration = builder.maxWaitDuration;
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
		Checks.notNull(base, "base");
		return new Builder().maxConcurrentCalls(base.maxConcurrentCalls).maxWaitDuration(base.maxWaitDuration);
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

	@Override
	public String toString() {
		return "BulkheadConfig[maxConcurrentCalls=" + this.maxConcurrentCalls + ", maxWaitDuration="
				+ this.maxWaitDuration + "]";
	}

	/**
	 * Builds a {@link BulkheadConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;

		private Duration maxWaitDuration = DEFAULT_MAX_WAIT_DURATION;

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
		 * more.
		 * @param maxWaitDuration the wait
		 * @return this builder
		 */
		public Builder maxWaitDuration(Duration maxWaitDuration) {
			this.maxWaitDuration = maxWaitDuration;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws IllegalArgumentException if a setting is out of range
		 * @throws NullPointerException if a duration is {@code null}
		 */
		public BulkheadConfig build() {
			Checks.atLeast(this.maxConcurrentCalls, 1, "maxConcurrentCalls");
			Checks.notNegative(this.maxWaitDuration, "maxWaitDuration");
			return new BulkheadConfig(this);
		}

	}

}
