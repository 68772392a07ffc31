package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.internal.SettingValidation;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.limit.LimitConfig;

/**
 * The configuration of a semaphore {@link Bulkhead}: at most {@code maxConcurrentCalls}
 * calls in flight, and a caller waits at most {@code maxWaitDuration} for a place.
 * <p>
 * With an adaptive {@code limitAlgorithm} ({@code aimd}, {@code gradient2},
 * {@code vegas}) the limit is not {@code maxConcurrentCalls} but moves with the calls'
 * latencies and failures: it starts at {@code initialLimit} and stays between
 * {@code minLimit} and {@code maxLimit} (see {@link LimitConfig} for the algorithms'
 * settings, which the builder takes under the same names). Giving
 * {@code maxConcurrentCalls} with an adaptive algorithm, or {@code initialLimit} with a
 * fixed one, is an error: it would be ignored.
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

	private final LimitConfig limit;

	private BulkheadConfig(Builder builder, LimitConfig limit) {
		this.maxConcurrentCalls = builder.maxConcurrentCalls;
		this.maxWaitDuration = builder.maxWaitDuration;
		this.maxKeys = builder.maxKeys;
		this.limit = limit;
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
		Builder builder = new Builder();
		builder.maxConcurrentCalls = base.maxConcurrentCalls;
		builder.maxWaitDuration = base.maxWaitDuration;
		builder.maxKeys = base.maxKeys;
		builder.limit = LimitConfig.from(base.limit);
		return builder;
	}

	/**
	 * Returns the most calls that may be in flight at once, for a fixed
	 * {@code limitAlgorithm}; an adaptive one starts at {@code initialLimit} instead.
	 * @return the fixed limit, at least 1
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
	 * Returns the limit's algorithm and settings. For {@link LimitAlgorithm#FIXED} the
	 * limit is {@link #maxConcurrentCalls()}, and only the algorithm of this value
	 * matters.
	 * @return the limit's configuration
	 */
	public LimitConfig limit() {
		return this.limit;
	}

	/**
	 * Returns whether the limit adapts (an algorithm other than {@code fixed}).
	 * @return {@code true} for an adaptive limit
	 */
	public boolean isAdaptive() {
		return this.limit.isAdaptive();
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
		if (isAdaptive()) {
			settings.putAll(this.limit.describe());
		}
		else {
			settings.put("limitAlgorithm", "fixed");
			settings.put("maxConcurrentCalls", this.maxConcurrentCalls);
		}
		settings.put("maxWaitDuration", this.maxWaitDuration);
		settings.put("maxKeys", this.maxKeys);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		String limit = isAdaptive() ? "limit=" + this.limit : "maxConcurrentCalls=" + this.maxConcurrentCalls;
		return "BulkheadConfig[" + limit + ", maxWaitDuration=" + this.maxWaitDuration + ", maxKeys=" + this.maxKeys
				+ "]";
	}

	/**
	 * Builds a {@link BulkheadConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;

		private Duration maxWaitDuration = DEFAULT_MAX_WAIT_DURATION;

		private int maxKeys = DEFAULT_MAX_KEYS;

		private LimitConfig.Builder limit = LimitConfig.builder();

		// Given on this builder (not inherited): refused where the algorithm ignores it.
		private boolean maxConcurrentCallsGiven;

		private boolean initialLimitGiven;

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
			this.maxConcurrentCallsGiven = true;
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
		 * Sets the limit's algorithm and all its settings at once, replacing those set so
		 * far (the settings of {@code limit} count as given).
		 * @param limit the limit's configuration
		 * @return this builder
		 */
		public Builder limit(LimitConfig limit) {
			SettingValidation.notNull(limit, "limit");
			this.limit = LimitConfig.from(limit);
			this.initialLimitGiven = limit.isAdaptive();
			return this;
		}

		/**
		 * Sets how the limit is found. Default {@link LimitAlgorithm#FIXED}
		 * ({@code maxConcurrentCalls}).
		 * @param limitAlgorithm the algorithm
		 * @return this builder
		 * @see LimitConfig.Builder#limitAlgorithm(LimitAlgorithm)
		 */
		public Builder limitAlgorithm(LimitAlgorithm limitAlgorithm) {
			this.limit.limitAlgorithm(limitAlgorithm);
			return this;
		}

		/**
		 * Sets an adaptive limit's start. Default
		 * {@value LimitConfig#DEFAULT_INITIAL_LIMIT}.
		 * @param initialLimit the initial limit
		 * @return this builder
		 * @see LimitConfig.Builder#initialLimit(int)
		 */
		public Builder initialLimit(int initialLimit) {
			this.limit.initialLimit(initialLimit);
			this.initialLimitGiven = true;
			return this;
		}

		/**
		 * Sets the lowest an adaptive limit goes. Default
		 * {@value LimitConfig#DEFAULT_MIN_LIMIT}.
		 * @param minLimit the lower bound
		 * @return this builder
		 * @see LimitConfig.Builder#minLimit(int)
		 */
		public Builder minLimit(int minLimit) {
			this.limit.minLimit(minLimit);
			return this;
		}

		/**
		 * Sets the highest an adaptive limit goes. Default
		 * {@value LimitConfig#DEFAULT_MAX_LIMIT}.
		 * @param maxLimit the upper bound
		 * @return this builder
		 * @see LimitConfig.Builder#maxLimit(int)
		 */
		public Builder maxLimit(int maxLimit) {
			this.limit.maxLimit(maxLimit);
			return this;
		}

		/**
		 * Sets AIMD's factor on a drop.
		 * @param backoffRatio the ratio
		 * @return this builder
		 * @see LimitConfig.Builder#backoffRatio(double)
		 */
		public Builder backoffRatio(double backoffRatio) {
			this.limit.backoffRatio(backoffRatio);
			return this;
		}

		/**
		 * Sets AIMD's latency beyond which a call counts as a drop.
		 * @param timeout the timeout
		 * @return this builder
		 * @see LimitConfig.Builder#timeout(Duration)
		 */
		public Builder timeout(Duration timeout) {
			this.limit.timeout(timeout);
			return this;
		}

		/**
		 * Sets Gradient2's smoothing.
		 * @param smoothing the weight of a new estimate
		 * @return this builder
		 * @see LimitConfig.Builder#smoothing(double)
		 */
		public Builder smoothing(double smoothing) {
			this.limit.smoothing(smoothing);
			return this;
		}

		/**
		 * Sets Gradient2's latency tolerance.
		 * @param rttTolerance the tolerance
		 * @return this builder
		 * @see LimitConfig.Builder#rttTolerance(double)
		 */
		public Builder rttTolerance(double rttTolerance) {
			this.limit.rttTolerance(rttTolerance);
			return this;
		}

		/**
		 * Sets Gradient2's long window.
		 * @param longWindow the window, in samples
		 * @return this builder
		 * @see LimitConfig.Builder#longWindow(int)
		 */
		public Builder longWindow(int longWindow) {
			this.limit.longWindow(longWindow);
			return this;
		}

		/**
		 * Sets Vegas's queue size below which the limit grows.
		 * @param alpha queued calls
		 * @return this builder
		 * @see LimitConfig.Builder#alpha(int)
		 */
		public Builder alpha(int alpha) {
			this.limit.alpha(alpha);
			return this;
		}

		/**
		 * Sets Vegas's queue size above which the limit shrinks.
		 * @param beta queued calls
		 * @return this builder
		 * @see LimitConfig.Builder#beta(int)
		 */
		public Builder beta(int beta) {
			this.limit.beta(beta);
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
			LimitConfig limit = this.limit.build();
			if (limit.isAdaptive() && this.maxConcurrentCallsGiven) {
				throw SettingValidation.invalid("maxConcurrentCalls", this.maxConcurrentCalls,
						"maxConcurrentCalls applies to limitAlgorithm fixed only (it would be ignored): an adaptive"
								+ " limit starts at initialLimit and moves between minLimit and maxLimit");
			}
			if (!limit.isAdaptive() && this.initialLimitGiven) {
				throw SettingValidation.invalid("initialLimit", limit.initialLimit(),
						"initialLimit applies to an adaptive limitAlgorithm (aimd, gradient2, vegas) only (it would"
								+ " be ignored): a fixed limit is maxConcurrentCalls");
			}
			return new BulkheadConfig(this, limit);
		}

	}

}
