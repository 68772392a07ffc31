package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.internal.SettingValidation;

/**
 * The configuration of a {@link RateLimiter}: {@code limitForPeriod} permits per
 * {@code limitRefreshPeriod}, refilled continuously, into a bucket that holds at most
 * {@code burstCapacity} permits; a caller waits at most {@code timeoutDuration} for its
 * permits.
 * <p>
 * The defaults are 50 permits per second ({@code limitRefreshPeriod} is one second, not
 * Resilience4j's 500 nanoseconds, so that {@code limitForPeriod} reads as a rate per
 * second), a bucket of {@code limitForPeriod} permits and a timeout of 5 seconds (as in
 * Resilience4j, so that callers wait for a permit rather than fail at the first busy
 * moment; set it to zero to reject at once).
 * <p>
 * The time unit is the nanosecond, so a rate limiter grants at most one permit per
 * nanosecond ({@code limitForPeriod} may not exceed {@code limitRefreshPeriod} in
 * nanoseconds); {@code limitRefreshPeriod} and the time to refill a full bucket may not
 * exceed {@link #MAX_REFILL_DURATION}, and {@code timeoutDuration} may not exceed
 * {@link #MAX_TIMEOUT_DURATION}.
 * <p>
 * Immutable and thread-safe.
 */
public final class RateLimiterConfig {

	/** Default {@code limitForPeriod}: 50 permits per period. */
	public static final int DEFAULT_LIMIT_FOR_PERIOD = 50;

	/** Default {@code limitRefreshPeriod}: one second. */
	public static final Duration DEFAULT_LIMIT_REFRESH_PERIOD = Duration.ofSeconds(1);

	/** Default {@code timeoutDuration}: 5 seconds. */
	public static final Duration DEFAULT_TIMEOUT_DURATION = Duration.ofSeconds(5);

	/**
	 * Default {@code burstCapacity}: {@code 0}, meaning the same as
	 * {@code limitForPeriod}.
	 */
	public static final int DEFAULT_BURST_CAPACITY = 0;

	/**
	 * The longest {@code limitRefreshPeriod}, and the longest time a full bucket may take
	 * to refill ({@code burstCapacity} × {@code limitRefreshPeriod} /
	 * {@code limitForPeriod}): 2<sup>60</sup> nanoseconds, about 36 years, which keeps
	 * every time the limiter computes well within the range of a nanosecond ticker.
	 */
	public static final Duration MAX_REFILL_DURATION = Duration.ofNanos(1L << 60);

	/**
	 * The longest {@code timeoutDuration}: one day.
	 */
	// A caller blocked (or a reservation held) for more than a day waits for a permit no
	// request lives to use. The refill period may be far longer (a monthly quota): that
	// is a rate, not a wait.
	public static final Duration MAX_TIMEOUT_DURATION = Duration.ofDays(1);

	/**
	 * Default {@code maxKeys}: the most keys with a bucket of their own
	 * ({@link RateLimiter#forKey(Object)}).
	 */
	public static final int DEFAULT_MAX_KEYS = 10_000;

	private static final RateLimiterConfig DEFAULTS = builder().build();

	private final int limitForPeriod;

	private final Duration limitRefreshPeriod;

	private final Duration timeoutDuration;

	private final int burstCapacity;

	private final int maxKeys;

	private RateLimiterConfig(Builder builder) {
		this.limitForPeriod = builder.limitForPeriod;
		this.limitRefreshPeriod = builder.limitRefreshPeriod;
		this.timeoutDuration = builder.timeoutDuration;
		this.burstCapacity = builder.burstCapacity;
		this.maxKeys = builder.maxKeys;
	}

	/**
	 * Returns the default configuration.
	 * @return the defaults
	 */
	public static RateLimiterConfig ofDefaults() {
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
	public static Builder from(RateLimiterConfig base) {
		SettingValidation.notNull(base, "base");
		return new Builder().limitForPeriod(base.limitForPeriod)
			.limitRefreshPeriod(base.limitRefreshPeriod)
			.timeoutDuration(base.timeoutDuration)
			.burstCapacity(base.burstCapacity)
			.maxKeys(base.maxKeys);
	}

	/**
	 * Returns how many permits are added per {@code limitRefreshPeriod}.
	 * @return the permits per period, at least 1
	 */
	public int limitForPeriod() {
		return this.limitForPeriod;
	}

	/**
	 * Returns the period over which {@code limitForPeriod} permits are added. Permits are
	 * added one at a time, evenly spread over the period, not all at its start.
	 * @return the period, greater than zero
	 */
	public Duration limitRefreshPeriod() {
		return this.limitRefreshPeriod;
	}

	/**
	 * Returns how long a caller of {@link RateLimiter#acquirePermission(int)} or
	 * {@link RateLimiter#reservePermission(int)} may wait for its permits.
	 * @return the timeout, zero or more
	 */
	public Duration timeoutDuration() {
		return this.timeoutDuration;
	}

	/**
	 * Returns the configured bucket size: the most permits that can be taken at once
	 * after an idle time. {@code 0} means the same as {@code limitForPeriod}; see
	 * {@link #effectiveBurstCapacity()}.
	 * @return the configured burst capacity, {@code 0} or more
	 */
	public int burstCapacity() {
		return this.burstCapacity;
	}

	/**
	 * Returns the most keys that have a bucket of their own at once. A key's bucket is
	 * forgotten as soon as it has refilled (a full bucket is the same as a new one), so
	 * only keys that took permits recently count; when this many do, a new key is refused
	 * until some have refilled.
	 * @return the bound on live keys
	 */
	public int maxKeys() {
		return this.maxKeys;
	}

	/**
	 * Returns the bucket size in force: {@code burstCapacity}, or {@code limitForPeriod}
	 * when {@code burstCapacity} is {@code 0}. No request may ask for more permits than
	 * this.
	 * @return the bucket size, at least 1
	 */
	public int effectiveBurstCapacity() {
		return (this.burstCapacity != 0) ? this.burstCapacity : this.limitForPeriod;
	}

	/**
	 * Returns the time between two permits ({@code limitRefreshPeriod} /
	 * {@code limitForPeriod}), for information; the limiter itself computes with exact
	 * fractions.
	 * @return the emission interval in nanoseconds, at least 1
	 */
	double emissionIntervalNanos() {
		return (double) this.limitRefreshPeriod.toNanos() / this.limitForPeriod;
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
		settings.put("limitForPeriod", this.limitForPeriod);
		settings.put("limitRefreshPeriod", this.limitRefreshPeriod);
		settings.put("timeoutDuration", this.timeoutDuration);
		settings.put("burstCapacity", this.burstCapacity);
		settings.put("maxKeys", this.maxKeys);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "RateLimiterConfig[limitForPeriod=" + this.limitForPeriod + ", limitRefreshPeriod="
				+ this.limitRefreshPeriod + ", timeoutDuration=" + this.timeoutDuration + ", burstCapacity="
				+ this.burstCapacity + ", maxKeys=" + this.maxKeys + "]";
	}

	/**
	 * Builds a {@link RateLimiterConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private int limitForPeriod = DEFAULT_LIMIT_FOR_PERIOD;

		private Duration limitRefreshPeriod = DEFAULT_LIMIT_REFRESH_PERIOD;

		private Duration timeoutDuration = DEFAULT_TIMEOUT_DURATION;

		private int burstCapacity = DEFAULT_BURST_CAPACITY;

		private int maxKeys = DEFAULT_MAX_KEYS;

		private Builder() {
		}

		/**
		 * Sets how many permits are added per {@code limitRefreshPeriod}. Default
		 * {@value RateLimiterConfig#DEFAULT_LIMIT_FOR_PERIOD}; at least 1.
		 * @param limitForPeriod the permits per period
		 * @return this builder
		 */
		public Builder limitForPeriod(int limitForPeriod) {
			this.limitForPeriod = limitForPeriod;
			return this;
		}

		/**
		 * Sets the period over which {@code limitForPeriod} permits are added. Default
		 * one second; greater than zero, at most
		 * {@link RateLimiterConfig#MAX_REFILL_DURATION}.
		 * @param limitRefreshPeriod the period
		 * @return this builder
		 */
		public Builder limitRefreshPeriod(Duration limitRefreshPeriod) {
			this.limitRefreshPeriod = limitRefreshPeriod;
			return this;
		}

		/**
		 * Sets how long a caller may wait for permits. Default 5 seconds; zero or more
		 * (zero: never wait), at most {@link RateLimiterConfig#MAX_TIMEOUT_DURATION}.
		 * @param timeoutDuration the timeout
		 * @return this builder
		 */
		public Builder timeoutDuration(Duration timeoutDuration) {
			this.timeoutDuration = timeoutDuration;
			return this;
		}

		/**
		 * Sets the bucket size: the most permits that can be taken at once after an idle
		 * time. Default {@code 0}, meaning the same as {@code limitForPeriod}; otherwise
		 * at least 1.
		 * @param burstCapacity the bucket size, or {@code 0}
		 * @return this builder
		 */
		public Builder burstCapacity(int burstCapacity) {
			this.burstCapacity = burstCapacity;
			return this;
		}

		/**
		 * Sets the most keys with a bucket of their own at once. Default
		 * {@value RateLimiterConfig#DEFAULT_MAX_KEYS}; at least 1.
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
		public RateLimiterConfig build() {
			SettingValidation.atLeast(this.limitForPeriod, 1, "limitForPeriod");
			SettingValidation.positive(this.limitRefreshPeriod, "limitRefreshPeriod");
			SettingValidation.notNegative(this.timeoutDuration, MAX_TIMEOUT_DURATION, "timeoutDuration");
			SettingValidation.atLeast(this.burstCapacity, 0, "burstCapacity");
			SettingValidation.atLeast(this.maxKeys, 1, "maxKeys");
			if (this.limitRefreshPeriod.compareTo(MAX_REFILL_DURATION) > 0) {
				throw SettingValidation.invalid("limitRefreshPeriod", this.limitRefreshPeriod,
						"limitRefreshPeriod must be at most " + MAX_REFILL_DURATION + " but was "
								+ this.limitRefreshPeriod);
			}
			long periodNanos = this.limitRefreshPeriod.toNanos();
			if (this.limitForPeriod > periodNanos) {
				throw SettingValidation.invalid("limitForPeriod", this.limitForPeriod,
						"limitForPeriod must not exceed limitRefreshPeriod in nanoseconds"
								+ " (at most one permit per nanosecond) but was " + this.limitForPeriod + " for "
								+ this.limitRefreshPeriod);
			}
			int capacity = (this.burstCapacity != 0) ? this.burstCapacity : this.limitForPeriod;
			// capacity * period / limit without overflow: split period into whole
			// emission
			// intervals and a remainder smaller than limit, whose product with capacity
			// fits.
			long maxRefill = MAX_REFILL_DURATION.toNanos();
			long whole = periodNanos / this.limitForPeriod;
			long remainder = periodNanos % this.limitForPeriod;
			boolean tooLong = whole > maxRefill / capacity
					|| whole * capacity + remainder * capacity / this.limitForPeriod > maxRefill;
			if (tooLong) {
				// Only a burst capacity above limitForPeriod can get here: without one
				// the
				// refill time is limitRefreshPeriod, checked above.
				throw SettingValidation.invalid("burstCapacity", this.burstCapacity,
						"the time to refill the bucket (burstCapacity " + capacity + " x limitRefreshPeriod "
								+ this.limitRefreshPeriod + " / limitForPeriod " + this.limitForPeriod
								+ ") must not exceed " + MAX_REFILL_DURATION);
			}
			return new RateLimiterConfig(this);
		}

	}

}
