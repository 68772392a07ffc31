package dev.resilience.timeout;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.internal.SettingValidation;

/**
 * The configuration of a {@link Timeout}: how long a call may run and whether an
 * asynchronous call's own future is cancelled when it overruns. Immutable and
 * thread-safe.
 */
public final class TimeoutConfig {

	/** Default {@code timeoutDuration}: 1 second. */
	public static final Duration DEFAULT_TIMEOUT_DURATION = Duration.ofSeconds(1);

	/**
	 * Default {@code cancelRunningFuture}: the overrunning call's future is cancelled.
	 */
	public static final boolean DEFAULT_CANCEL_RUNNING_FUTURE = true;

	/**
	 * The longest {@code timeoutDuration}: one day.
	 */
	// A call allowed to run for more than a day is a batch job, not a call to cut off;
	// its deadline timer would be pending for that long.
	public static final Duration MAX_TIMEOUT_DURATION = Duration.ofDays(1);

	private static final TimeoutConfig DEFAULTS = builder().build();

	private final Duration timeoutDuration;

	private final boolean cancelRunningFuture;

	private final long timeoutNanos;

	private TimeoutConfig(Builder builder) {
		this.timeoutDuration = builder.timeoutDuration;
		this.cancelRunningFuture = builder.cancelRunningFuture;
		this.timeoutNanos = SettingValidation.toNanos(this.timeoutDuration);
	}

	/**
	 * Returns the default configuration.
	 * @return the default configuration
	 */
	public static TimeoutConfig ofDefaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a builder with every setting at its default.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns a builder pre-filled with the settings of {@code base}.
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(TimeoutConfig base) {
		return new Builder(SettingValidation.notNull(base, "base"));
	}

	/**
	 * Returns how long a call may run before it is cut off.
	 * @return the timeout duration
	 */
	public Duration timeoutDuration() {
		return this.timeoutDuration;
	}

	/**
	 * Tells whether an asynchronous call's own future is cancelled (with interruption) at
	 * the deadline.
	 * @return {@code true} if it is cancelled
	 */
	public boolean cancelRunningFuture() {
		return this.cancelRunningFuture;
	}

	long timeoutNanos() {
		return this.timeoutNanos;
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
		settings.put("timeoutDuration", this.timeoutDuration);
		settings.put("cancelRunningFuture", this.cancelRunningFuture);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "TimeoutConfig[timeoutDuration=" + this.timeoutDuration + ", cancelRunningFuture="
				+ this.cancelRunningFuture + "]";
	}

	/**
	 * Builds a {@link TimeoutConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private Duration timeoutDuration = DEFAULT_TIMEOUT_DURATION;

		private boolean cancelRunningFuture = DEFAULT_CANCEL_RUNNING_FUTURE;

		private Builder() {
		}

		private Builder(TimeoutConfig base) {
			this.timeoutDuration = base.timeoutDuration;
			this.cancelRunningFuture = base.cancelRunningFuture;
		}

		/**
		 * Sets how long a call may run before it is cut off. Default 1 s; greater than
		 * zero, at most {@link TimeoutConfig#MAX_TIMEOUT_DURATION}.
		 * @param timeoutDuration the timeout duration
		 * @return this builder
		 */
		public Builder timeoutDuration(Duration timeoutDuration) {
			this.timeoutDuration = timeoutDuration;
			return this;
		}

		/**
		 * Sets whether an asynchronous call's own future is cancelled (with interruption)
		 * at the deadline. Default {@code true}.
		 * @param cancelRunningFuture whether to cancel the overrunning call's future
		 * @return this builder
		 */
		public Builder cancelRunningFuture(boolean cancelRunningFuture) {
			this.cancelRunningFuture = cancelRunningFuture;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range
		 */
		public TimeoutConfig build() {
			SettingValidation.positive(this.timeoutDuration, MAX_TIMEOUT_DURATION, "timeoutDuration");
			return new TimeoutConfig(this);
		}

	}

}
