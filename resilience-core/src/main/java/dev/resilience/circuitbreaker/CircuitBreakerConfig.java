package dev.resilience.circuitbreaker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.resilience.internal.SettingValidation;
import dev.resilience.core.ExceptionMatcher;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@link CircuitBreaker}: how outcomes are recorded, when the
 * breaker opens, how long it stays open and how it tries to close again.
 * <p>
 * The setting names are a public contract (they are also the property names of the Spring
 * Boot starter); each builder method and accessor is named exactly as its setting. Build
 * one with {@link #builder()}, or derive one from another with
 * {@link #from(CircuitBreakerConfig)}.
 * <p>
 * <b>Reconfiguring a running breaker</b> ({@link CircuitBreaker#reconfigure}) keeps its
 * state: a closed breaker keeps its window unless the window type or size changed (then
 * it starts an empty one), and the thresholds, minimum number of calls and exception
 * settings apply from the next recorded call; an open breaker stays open until the wait
 * it opened with ends (turning the automatic transition on or off takes effect at once);
 * a half-open breaker finishes its trial with the number of calls and time limit it
 * started with. The cumulative totals are kept.
 * <p>
 * Immutable and thread-safe.
 */
public final class CircuitBreakerConfig {

	/** Default {@link #slidingWindowType()}: {@link SlidingWindowType#COUNT_BASED}. */
	public static final SlidingWindowType DEFAULT_SLIDING_WINDOW_TYPE = SlidingWindowType.COUNT_BASED;

	/** Default {@link #slidingWindowSize()}: 100 calls (or seconds). */
	public static final int DEFAULT_SLIDING_WINDOW_SIZE = 100;

	/** Default {@link #minimumNumberOfCalls()}: 100. */
	public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 100;

	/** Default {@link #failureRateThreshold()}: 50 percent. */
	public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50.0f;

	/** Default {@link #slowCallRateThreshold()}: 100 percent. */
	public static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100.0f;

	/** Default {@link #waitDurationInOpenState()}: 60 seconds. */
	public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(60);

	/** Default {@link #waitDurationInOpenStateMultiplier()}: 1.0 (a constant wait). */
	public static final double DEFAULT_WAIT_DURATION_IN_OPEN_STATE_MULTIPLIER = 1.0;

	/** Default {@link #automaticTransitionFromOpenToHalfOpenEnabled()}: {@code false}. */
	public static final boolean DEFAULT_AUTOMATIC_TRANSITION_FROM_OPEN_TO_HALF_OPEN_ENABLED = false;

	/** Default {@link #permittedNumberOfCallsInHalfOpenState()}: 10. */
	public static final int DEFAULT_PERMITTED_NUMBER_OF_CALLS_IN_HALF_OPEN_STATE = 10;

	/**
	 * Default {@link #maxWaitDurationInHalfOpenState()}: zero (stay half-open until the
	 * trial calls complete).
	 */
	public static final Duration DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE = Duration.ZERO;

	/** Default {@link #matchCauseChain()}: {@code false}. */
	public static final boolean DEFAULT_MATCH_CAUSE_CHAIN = false;

	/**
	 * The longest value of every duration setting ({@code slowCallDurationThreshold},
	 * {@code waitDurationInOpenState}, {@code maxWaitDurationInOpenState},
	 * {@code maxWaitDurationInHalfOpenState}), and of the open-state wait the multiplier
	 * grows: one day.
	 */
	// A breaker that stays open longer than a day never probes the dependency in any
	// useful time (FORCED_OPEN says that better); a slow-call threshold beyond a day
	// classifies no real call; and a half-open limit beyond a day is no limit (zero says
	// that). One day in nanoseconds is about 2^46, far from overflowing ticker sums.
	public static final Duration MAX_DURATION = Duration.ofDays(1);

	private static final CircuitBreakerConfig DEFAULTS = builder().build();

	private final SlidingWindowType slidingWindowType;

	private final int slidingWindowSize;

	private final int minimumNumberOfCalls;

	private final float failureRateThreshold;

	private final float slowCallRateThreshold;

	private final @Nullable Duration slowCallDurationThreshold;

	private final Duration waitDurationInOpenState;

	private final double waitDurationInOpenStateMultiplier;

	private final @Nullable Duration maxWaitDurationInOpenState;

	private final boolean automaticTransitionFromOpenToHalfOpenEnabled;

	private final int permittedNumberOfCallsInHalfOpenState;

	private final Duration maxWaitDurationInHalfOpenState;

	private final List<Class<? extends Throwable>> recordExceptions;

	private final List<Class<? extends Throwable>> ignoreExceptions;

	private final @Nullable Predicate<Throwable> recordFailurePredicate;

	private final boolean matchCauseChain;

	private final @Nullable Predicate<Object> recordResult;

	private final ExceptionMatcher exceptionMatcher;

	/** Matches every exception that is not ignored; {@code null} if none is. */
	private final @Nullable ExceptionMatcher notIgnored;

	// Precomputed in nanoseconds so that the call path does no Duration arithmetic.

	final long slowCallDurationThresholdNanos;

	final long waitDurationInOpenStateNanos;

	final long maxWaitDurationInOpenStateNanos;

	final long maxWaitDurationInHalfOpenStateNanos;

	private CircuitBreakerConfig(Builder builder) {
		this.slidingWindowType = builder.slidingWindowType;
		this.slidingWindowSize = builder.slidingWindowSize;
		this.minimumNumberOfCalls = builder.minimumNumberOfCalls;
		this.failureRateThreshold = builder.failureRateThreshold;
		this.slowCallRateThreshold = builder.slowCallRateThreshold;
		this.slowCallDurationThreshold = builder.slowCallDurationThreshold;
		this.waitDurationInOpenState = builder.waitDurationInOpenState;
		this.waitDurationInOpenStateMultiplier = builder.waitDurationInOpenStateMultiplier;
		this.maxWaitDurationInOpenState = builder.maxWaitDurationInOpenState;
		this.automaticTransitionFromOpenToHalfOpenEnabled = builder.automaticTransitionFromOpenToHalfOpenEnabled;
		this.permittedNumberOfCallsInHalfOpenState = builder.permittedNumberOfCallsInHalfOpenState;
		this.maxWaitDurationInHalfOpenState = builder.maxWaitDurationInHalfOpenState;
		this.recordExceptions = List.copyOf(builder.recordExceptions);
		this.ignoreExceptions = List.copyOf(builder.ignoreExceptions);
		this.recordFailurePredicate = builder.recordFailurePredicate;
		this.matchCauseChain = builder.matchCauseChain;
		this.recordResult = builder.recordResult;
		this.exceptionMatcher = (this.recordExceptions.isEmpty() && this.ignoreExceptions.isEmpty()
				&& this.recordFailurePredicate == null && !this.matchCauseChain) ? ExceptionMatcher.all()
						: ExceptionMatcher.of(this.recordExceptions, this.ignoreExceptions, this.recordFailurePredicate,
								this.matchCauseChain);
		this.notIgnored = this.ignoreExceptions.isEmpty() ? null
				: ExceptionMatcher.of(List.of(), this.ignoreExceptions, null, this.matchCauseChain);
		this.slowCallDurationThresholdNanos = (this.slowCallDurationThreshold != null)
				? SettingValidation.toNanos(this.slowCallDurationThreshold) : -1;
		this.waitDurationInOpenStateNanos = SettingValidation.toNanos(this.waitDurationInOpenState);
		// Without a cap the growing wait stops at the longest wait there may be.
		this.maxWaitDurationInOpenStateNanos = (this.maxWaitDurationInOpenState != null)
				? SettingValidation.toNanos(this.maxWaitDurationInOpenState) : MAX_DURATION.toNanos();
		this.maxWaitDurationInHalfOpenStateNanos = SettingValidation.toNanos(this.maxWaitDurationInHalfOpenState);
	}

	/**
	 * Returns the default configuration.
	 * @return the configuration with every setting at its default
	 */
	public static CircuitBreakerConfig ofDefaults() {
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
	 * Returns a builder pre-filled with every setting of {@code base}, so that a named
	 * configuration can inherit another and change a few settings.
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(CircuitBreakerConfig base) {
		return new Builder(SettingValidation.notNull(base, "base"));
	}

	/**
	 * Returns how the sliding window of the closed state is measured. Default
	 * {@link SlidingWindowType#COUNT_BASED}.
	 * @return the sliding window type
	 */
	public SlidingWindowType slidingWindowType() {
		return this.slidingWindowType;
	}

	/**
	 * Returns the size of the sliding window: the last that many calls for a count-based
	 * window, the calls of the last that many seconds for a time-based one. Default 100.
	 * @return the window size, in calls or seconds
	 */
	public int slidingWindowSize() {
		return this.slidingWindowSize;
	}

	/**
	 * Returns how many calls the window must hold before rates are computed and the
	 * breaker may open. For a count-based window, the effective minimum is
	 * {@code min(minimumNumberOfCalls, slidingWindowSize)}. Default 100.
	 * @return the minimum number of calls
	 */
	public int minimumNumberOfCalls() {
		return this.minimumNumberOfCalls;
	}

	/**
	 * Returns the failure rate, in percent, at or above which the breaker opens. Default
	 * 50.
	 * @return the failure rate threshold in percent, in {@code (0, 100]}
	 */
	public float failureRateThreshold() {
		return this.failureRateThreshold;
	}

	/**
	 * Returns the slow-call rate, in percent, at or above which the breaker opens;
	 * applies only when {@link #slowCallDurationThreshold()} is set. Default 100.
	 * @return the slow-call rate threshold in percent, in {@code (0, 100]}
	 */
	public float slowCallRateThreshold() {
		return this.slowCallRateThreshold;
	}

	/**
	 * Returns the duration above which a call is slow, or {@code null} (the default) if
	 * slow calls are not tracked.
	 * <p>
	 * Tracking is opt-in because it costs two ticker reads per call (about 57 ns on the
	 * reference machine, more than the rest of the breaker's success path): the caller
	 * reads the ticker before the call and the permit reads it after.
	 * {@link CircuitBreaker#requiresStartTime()} returns {@code true} exactly when this
	 * is set.
	 * @return the slow-call duration threshold, or {@code null} if slow calls are not
	 * tracked
	 */
	public @Nullable Duration slowCallDurationThreshold() {
		return this.slowCallDurationThreshold;
	}

	/**
	 * Returns how long the breaker stays open before it lets trial calls through (the
	 * first time it opens in a row; see {@link #waitDurationInOpenStateMultiplier()}).
	 * Default 60 seconds.
	 * @return the wait duration in the open state
	 */
	public Duration waitDurationInOpenState() {
		return this.waitDurationInOpenState;
	}

	/**
	 * Returns the factor by which the open-state wait grows each time the breaker opens
	 * again from half-open without having closed in between: the n-th consecutive opening
	 * waits {@code waitDurationInOpenState * multiplier^(n-1)}, at most
	 * {@link #maxWaitDurationInOpenState()}. Reaching {@code CLOSED}, a manual transition
	 * or a reset starts the count again. Default 1.0 (a constant wait).
	 * @return the multiplier, at least 1.0
	 */
	public double waitDurationInOpenStateMultiplier() {
		return this.waitDurationInOpenStateMultiplier;
	}

	/**
	 * Returns the longest open-state wait the multiplier may reach, or {@code null} (the
	 * default) for no cap but {@link #MAX_DURATION}.
	 * @return the cap on the open-state wait, or {@code null}
	 */
	public @Nullable Duration maxWaitDurationInOpenState() {
		return this.maxWaitDurationInOpenState;
	}

	/**
	 * Tells whether the breaker moves from open to half-open by itself, through the
	 * scheduler, when the wait ends, rather than on the first call after it. Either way
	 * the first call after the wait finds the breaker half-open. Default {@code false}.
	 * @return {@code true} if the transition is scheduled
	 */
	public boolean automaticTransitionFromOpenToHalfOpenEnabled() {
		return this.automaticTransitionFromOpenToHalfOpenEnabled;
	}

	/**
	 * Returns how many trial calls the half-open state permits; once all of them have
	 * completed the breaker opens or closes. Default 10.
	 * @return the number of trial calls
	 */
	public int permittedNumberOfCallsInHalfOpenState() {
		return this.permittedNumberOfCallsInHalfOpenState;
	}

	/**
	 * Returns how long the breaker may stay half-open before it opens again if the trial
	 * calls have not all completed, or zero (the default) to wait for them however long
	 * they take.
	 * @return the maximum half-open duration, or zero
	 */
	public Duration maxWaitDurationInHalfOpenState() {
		return this.maxWaitDurationInHalfOpenState;
	}

	/**
	 * Returns the exception types recorded as failures; empty (the default) with no
	 * {@link #recordFailurePredicate()} means every exception not ignored.
	 * <p>
	 * A thrown exception is classified in three ways: an instance of an
	 * {@link #ignoreExceptions() ignored} type is ignored (neither success nor failure;
	 * in half-open state its trial slot is freed), whatever else says; otherwise, if it
	 * is an instance of a recorded type or {@link #recordFailurePredicate()} accepts it,
	 * it is a failure; otherwise it is a success (the dependency answered, with an
	 * exception the application expects, such as a validation error).
	 * @return the recorded exception types
	 */
	public List<Class<? extends Throwable>> recordExceptions() {
		return this.recordExceptions;
	}

	/**
	 * Returns the exception types that are neither failures nor successes; ignored wins
	 * over recorded (see {@link #recordExceptions()}). Default empty.
	 * @return the ignored exception types
	 */
	public List<Class<? extends Throwable>> ignoreExceptions() {
		return this.ignoreExceptions;
	}

	/**
	 * Returns an extra test for exceptions recorded as failures, or {@code null} (the
	 * default).
	 * @return the failure predicate, or {@code null}
	 */
	public @Nullable Predicate<Throwable> recordFailurePredicate() {
		return this.recordFailurePredicate;
	}

	/**
	 * Tells whether the recorded and ignored types are also matched against an
	 * exception's causes. Default {@code false}.
	 * @return {@code true} if the cause chain is matched
	 */
	public boolean matchCauseChain() {
		return this.matchCauseChain;
	}

	/**
	 * Returns the test that makes a returned value count as a failure, or {@code null}
	 * (the default) if every returned value is a success. It must not throw.
	 * @return the result predicate, or {@code null}
	 */
	public @Nullable Predicate<Object> recordResult() {
		return this.recordResult;
	}

	/**
	 * Returns the matcher built from {@link #recordExceptions()},
	 * {@link #ignoreExceptions()}, {@link #recordFailurePredicate()} and
	 * {@link #matchCauseChain()}, which decides whether a thrown exception is a failure.
	 * @return the exception matcher
	 */
	public ExceptionMatcher exceptionMatcher() {
		return this.exceptionMatcher;
	}

	/**
	 * Tells whether an exception is ignored (an instance of an ignored type, or with
	 * {@link #matchCauseChain()} caused by one).
	 * @param exception the exception
	 * @return {@code true} if it is ignored
	 */
	boolean isIgnored(Throwable exception) {
		return this.notIgnored != null && !this.notIgnored.matches(exception);
	}

	/**
	 * Returns the open-state wait of the {@code streak}-th consecutive opening, in
	 * nanoseconds.
	 * @param streak how many times the breaker has opened in a row, from 1
	 * @return the wait in nanoseconds
	 */
	long waitNanosInOpenState(int streak) {
		long base = this.waitDurationInOpenStateNanos;
		if (streak <= 1 || this.waitDurationInOpenStateMultiplier == 1.0) {
			return base;
		}
		double grown = base * Math.pow(this.waitDurationInOpenStateMultiplier, streak - 1);
		return (grown >= this.maxWaitDurationInOpenStateNanos) ? this.maxWaitDurationInOpenStateNanos : (long) grown;
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
		settings.put("slidingWindowType", this.slidingWindowType);
		settings.put("slidingWindowSize", this.slidingWindowSize);
		settings.put("minimumNumberOfCalls", this.minimumNumberOfCalls);
		settings.put("failureRateThreshold", this.failureRateThreshold);
		settings.put("slowCallRateThreshold", this.slowCallRateThreshold);
		if (this.slowCallDurationThreshold != null) {
			settings.put("slowCallDurationThreshold", this.slowCallDurationThreshold);
		}
		settings.put("waitDurationInOpenState", this.waitDurationInOpenState);
		settings.put("waitDurationInOpenStateMultiplier", this.waitDurationInOpenStateMultiplier);
		if (this.maxWaitDurationInOpenState != null) {
			settings.put("maxWaitDurationInOpenState", this.maxWaitDurationInOpenState);
		}
		settings.put("automaticTransitionFromOpenToHalfOpenEnabled", this.automaticTransitionFromOpenToHalfOpenEnabled);
		settings.put("permittedNumberOfCallsInHalfOpenState", this.permittedNumberOfCallsInHalfOpenState);
		settings.put("maxWaitDurationInHalfOpenState", this.maxWaitDurationInHalfOpenState);
		settings.put("recordExceptions", this.recordExceptions);
		settings.put("ignoreExceptions", this.ignoreExceptions);
		settings.put("matchCauseChain", this.matchCauseChain);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "CircuitBreakerConfig[slidingWindowType=" + this.slidingWindowType + ", slidingWindowSize="
				+ this.slidingWindowSize + ", minimumNumberOfCalls=" + this.minimumNumberOfCalls
				+ ", failureRateThreshold=" + this.failureRateThreshold + ", slowCallRateThreshold="
				+ this.slowCallRateThreshold + ", slowCallDurationThreshold=" + this.slowCallDurationThreshold
				+ ", waitDurationInOpenState=" + this.waitDurationInOpenState + ", waitDurationInOpenStateMultiplier="
				+ this.waitDurationInOpenStateMultiplier + ", maxWaitDurationInOpenState="
				+ this.maxWaitDurationInOpenState + ", automaticTransitionFromOpenToHalfOpenEnabled="
				+ this.automaticTransitionFromOpenToHalfOpenEnabled + ", permittedNumberOfCallsInHalfOpenState="
				+ this.permittedNumberOfCallsInHalfOpenState + ", maxWaitDurationInHalfOpenState="
				+ this.maxWaitDurationInHalfOpenState + ", recordExceptions=" + this.recordExceptions
				+ ", ignoreExceptions=" + this.ignoreExceptions + ", recordFailurePredicate="
				+ (this.recordFailurePredicate != null) + ", matchCauseChain=" + this.matchCauseChain
				+ ", recordResult=" + (this.recordResult != null) + "]";
	}

	/**
	 * How the sliding window of the closed state is measured.
	 */
	public enum SlidingWindowType {

		/** The window holds the outcomes of the last {@code slidingWindowSize} calls. */
		COUNT_BASED,

		/**
		 * The window holds the outcomes of the calls of the last
		 * {@code slidingWindowSize} seconds, in one-second buckets.
		 */
		TIME_BASED

	}

	/**
	 * Builds a {@link CircuitBreakerConfig}; {@link #build()} validates every setting.
	 * Not thread-safe.
	 */
	public static final class Builder {

		private SlidingWindowType slidingWindowType = DEFAULT_SLIDING_WINDOW_TYPE;

		private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;

		private int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;

		private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;

		private float slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;

		private @Nullable Duration slowCallDurationThreshold;

		private Duration waitDurationInOpenState = DEFAULT_WAIT_DURATION_IN_OPEN_STATE;

		private double waitDurationInOpenStateMultiplier = DEFAULT_WAIT_DURATION_IN_OPEN_STATE_MULTIPLIER;

		private @Nullable Duration maxWaitDurationInOpenState;

		private boolean automaticTransitionFromOpenToHalfOpenEnabled = DEFAULT_AUTOMATIC_TRANSITION_FROM_OPEN_TO_HALF_OPEN_ENABLED;

		private int permittedNumberOfCallsInHalfOpenState = DEFAULT_PERMITTED_NUMBER_OF_CALLS_IN_HALF_OPEN_STATE;

		private Duration maxWaitDurationInHalfOpenState = DEFAULT_MAX_WAIT_DURATION_IN_HALF_OPEN_STATE;

		private List<Class<? extends Throwable>> recordExceptions = List.of();

		private List<Class<? extends Throwable>> ignoreExceptions = List.of();

		private @Nullable Predicate<Throwable> recordFailurePredicate;

		private boolean matchCauseChain = DEFAULT_MATCH_CAUSE_CHAIN;

		private @Nullable Predicate<Object> recordResult;

		private Builder() {
		}

		private Builder(CircuitBreakerConfig base) {
			this.slidingWindowType = base.slidingWindowType;
			this.slidingWindowSize = base.slidingWindowSize;
			this.minimumNumberOfCalls = base.minimumNumberOfCalls;
			this.failureRateThreshold = base.failureRateThreshold;
			this.slowCallRateThreshold = base.slowCallRateThreshold;
			this.slowCallDurationThreshold = base.slowCallDurationThreshold;
			this.waitDurationInOpenState = base.waitDurationInOpenState;
			this.waitDurationInOpenStateMultiplier = base.waitDurationInOpenStateMultiplier;
			this.maxWaitDurationInOpenState = base.maxWaitDurationInOpenState;
			this.automaticTransitionFromOpenToHalfOpenEnabled = base.automaticTransitionFromOpenToHalfOpenEnabled;
			this.permittedNumberOfCallsInHalfOpenState = base.permittedNumberOfCallsInHalfOpenState;
			this.maxWaitDurationInHalfOpenState = base.maxWaitDurationInHalfOpenState;
			this.recordExceptions = base.recordExceptions;
			this.ignoreExceptions = base.ignoreExceptions;
			this.recordFailurePredicate = base.recordFailurePredicate;
			this.matchCauseChain = base.matchCauseChain;
			this.recordResult = base.recordResult;
		}

		/**
		 * Sets how the sliding window is measured.
		 * @param slidingWindowType the window type
		 * @return this builder
		 * @see CircuitBreakerConfig#slidingWindowType()
		 */
		public Builder slidingWindowType(SlidingWindowType slidingWindowType) {
			this.slidingWindowType = slidingWindowType;
			return this;
		}

		/**
		 * Sets the size of the sliding window, in calls or seconds (at least 1).
		 * @param slidingWindowSize the window size
		 * @return this builder
		 * @see CircuitBreakerConfig#slidingWindowSize()
		 */
		public Builder slidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
			return this;
		}

		/**
		 * Sets how many calls the window must hold before the breaker may open (at least
		 * 1).
		 * @param minimumNumberOfCalls the minimum number of calls
		 * @return this builder
		 * @see CircuitBreakerConfig#minimumNumberOfCalls()
		 */
		public Builder minimumNumberOfCalls(int minimumNumberOfCalls) {
			this.minimumNumberOfCalls = minimumNumberOfCalls;
			return this;
		}

		/**
		 * Sets the failure rate in percent at or above which the breaker opens.
		 * @param failureRateThreshold the threshold, in {@code (0, 100]}
		 * @return this builder
		 * @see CircuitBreakerConfig#failureRateThreshold()
		 */
		public Builder failureRateThreshold(float failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
			return this;
		}

		/**
		 * Sets the slow-call rate in percent at or above which the breaker opens.
		 * @param slowCallRateThreshold the threshold, in {@code (0, 100]}
		 * @return this builder
		 * @see CircuitBreakerConfig#slowCallRateThreshold()
		 */
		public Builder slowCallRateThreshold(float slowCallRateThreshold) {
			this.slowCallRateThreshold = slowCallRateThreshold;
			return this;
		}

		/**
		 * Sets the duration above which a call is slow, turning slow-call tracking on, or
		 * {@code null} to turn it off.
		 * @param slowCallDurationThreshold the threshold (greater than zero, at most
		 * {@link CircuitBreakerConfig#MAX_DURATION}), or {@code null}
		 * @return this builder
		 * @see CircuitBreakerConfig#slowCallDurationThreshold()
		 */
		public Builder slowCallDurationThreshold(@Nullable Duration slowCallDurationThreshold) {
			this.slowCallDurationThreshold = slowCallDurationThreshold;
			return this;
		}

		/**
		 * Sets how long the breaker stays open before trial calls.
		 * @param waitDurationInOpenState the wait (greater than zero, at most
		 * {@link CircuitBreakerConfig#MAX_DURATION})
		 * @return this builder
		 * @see CircuitBreakerConfig#waitDurationInOpenState()
		 */
		public Builder waitDurationInOpenState(Duration waitDurationInOpenState) {
			this.waitDurationInOpenState = waitDurationInOpenState;
			return this;
		}

		/**
		 * Sets the factor by which the open-state wait grows on consecutive openings.
		 * @param waitDurationInOpenStateMultiplier the factor, at least 1.0
		 * @return this builder
		 * @see CircuitBreakerConfig#waitDurationInOpenStateMultiplier()
		 */
		public Builder waitDurationInOpenStateMultiplier(double waitDurationInOpenStateMultiplier) {
			this.waitDurationInOpenStateMultiplier = waitDurationInOpenStateMultiplier;
			return this;
		}

		/**
		 * Sets the cap on the growing open-state wait, or {@code null} for none but
		 * {@link CircuitBreakerConfig#MAX_DURATION}.
		 * @param maxWaitDurationInOpenState the cap (at least
		 * {@code waitDurationInOpenState}, at most
		 * {@link CircuitBreakerConfig#MAX_DURATION}), or {@code null}
		 * @return this builder
		 * @see CircuitBreakerConfig#maxWaitDurationInOpenState()
		 */
		public Builder maxWaitDurationInOpenState(@Nullable Duration maxWaitDurationInOpenState) {
			this.maxWaitDurationInOpenState = maxWaitDurationInOpenState;
			return this;
		}

		/**
		 * Sets whether the transition from open to half-open is scheduled.
		 * @param automaticTransitionFromOpenToHalfOpenEnabled {@code true} to schedule it
		 * @return this builder
		 * @see CircuitBreakerConfig#automaticTransitionFromOpenToHalfOpenEnabled()
		 */
		public Builder automaticTransitionFromOpenToHalfOpenEnabled(
				boolean automaticTransitionFromOpenToHalfOpenEnabled) {
			this.automaticTransitionFromOpenToHalfOpenEnabled = automaticTransitionFromOpenToHalfOpenEnabled;
			return this;
		}

		/**
		 * Sets how many trial calls the half-open state permits (at least 1).
		 * @param permittedNumberOfCallsInHalfOpenState the number of trial calls
		 * @return this builder
		 * @see CircuitBreakerConfig#permittedNumberOfCallsInHalfOpenState()
		 */
		public Builder permittedNumberOfCallsInHalfOpenState(int permittedNumberOfCallsInHalfOpenState) {
			this.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState;
			return this;
		}

		/**
		 * Sets how long the breaker may stay half-open, or zero for no limit.
		 * @param maxWaitDurationInHalfOpenState the limit (zero or more, at most
		 * {@link CircuitBreakerConfig#MAX_DURATION})
		 * @return this builder
		 * @see CircuitBreakerConfig#maxWaitDurationInHalfOpenState()
		 */
		public Builder maxWaitDurationInHalfOpenState(Duration maxWaitDurationInHalfOpenState) {
			this.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState;
			return this;
		}

		/**
		 * Sets the exception types recorded as failures, replacing earlier ones.
		 * @param recordExceptions the types
		 * @return this builder
		 * @see CircuitBreakerConfig#recordExceptions()
		 */
		@SafeVarargs
		public final Builder recordExceptions(Class<? extends Throwable>... recordExceptions) {
			List<Class<? extends Throwable>> types = new ArrayList<>(recordExceptions.length);
			for (Class<? extends Throwable> type : recordExceptions) {
				types.add(type);
			}
			return recordExceptions(types);
		}

		/**
		 * Sets the exception types recorded as failures, replacing earlier ones.
		 * @param recordExceptions the types
		 * @return this builder
		 * @see CircuitBreakerConfig#recordExceptions()
		 */
		public Builder recordExceptions(List<Class<? extends Throwable>> recordExceptions) {
			this.recordExceptions = List.copyOf(SettingValidation.notNull(recordExceptions, "recordExceptions"));
			return this;
		}

		/**
		 * Sets the exception types that are ignored, replacing earlier ones.
		 * @param ignoreExceptions the types
		 * @return this builder
		 * @see CircuitBreakerConfig#ignoreExceptions()
		 */
		@SafeVarargs
		public final Builder ignoreExceptions(Class<? extends Throwable>... ignoreExceptions) {
			List<Class<? extends Throwable>> types = new ArrayList<>(ignoreExceptions.length);
			for (Class<? extends Throwable> type : ignoreExceptions) {
				types.add(type);
			}
			return ignoreExceptions(types);
		}

		/**
		 * Sets the exception types that are ignored, replacing earlier ones.
		 * @param ignoreExceptions the types
		 * @return this builder
		 * @see CircuitBreakerConfig#ignoreExceptions()
		 */
		public Builder ignoreExceptions(List<Class<? extends Throwable>> ignoreExceptions) {
			this.ignoreExceptions = List.copyOf(SettingValidation.notNull(ignoreExceptions, "ignoreExceptions"));
			return this;
		}

		/**
		 * Sets an extra test for exceptions recorded as failures, or {@code null}.
		 * @param recordFailurePredicate the predicate, or {@code null}
		 * @return this builder
		 * @see CircuitBreakerConfig#recordFailurePredicate()
		 */
		public Builder recordFailurePredicate(@Nullable Predicate<Throwable> recordFailurePredicate) {
			this.recordFailurePredicate = recordFailurePredicate;
			return this;
		}

		/**
		 * Sets whether exception types are matched against the cause chain too.
		 * @param matchCauseChain {@code true} to match causes
		 * @return this builder
		 * @see CircuitBreakerConfig#matchCauseChain()
		 */
		public Builder matchCauseChain(boolean matchCauseChain) {
			this.matchCauseChain = matchCauseChain;
			return this;
		}

		/**
		 * Sets the test that makes a returned value count as a failure, or {@code null}.
		 * @param recordResult the predicate (it must not throw), or {@code null}
		 * @return this builder
		 * @see CircuitBreakerConfig#recordResult()
		 */
		public Builder recordResult(@Nullable Predicate<Object> recordResult) {
			this.recordResult = recordResult;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range, naming the setting and the value
		 * @throws NullPointerException if a required setting is {@code null}
		 */
		public CircuitBreakerConfig build() {
			SettingValidation.notNull(this.slidingWindowType, "slidingWindowType");
			SettingValidation.atLeast(this.slidingWindowSize, 1, "slidingWindowSize");
			SettingValidation.atLeast(this.minimumNumberOfCalls, 1, "minimumNumberOfCalls");
			percentage(this.failureRateThreshold, "failureRateThreshold");
			percentage(this.slowCallRateThreshold, "slowCallRateThreshold");
			if (this.slowCallDurationThreshold != null) {
				SettingValidation.positive(this.slowCallDurationThreshold, MAX_DURATION, "slowCallDurationThreshold");
			}
			SettingValidation.positive(this.waitDurationInOpenState, MAX_DURATION, "waitDurationInOpenState");
			if (!(this.waitDurationInOpenStateMultiplier >= 1.0)
					|| Double.isInfinite(this.waitDurationInOpenStateMultiplier)) {
				throw SettingValidation.invalid("waitDurationInOpenStateMultiplier",
						this.waitDurationInOpenStateMultiplier,
						"waitDurationInOpenStateMultiplier must be a finite number of at " + "least 1.0 but was "
								+ this.waitDurationInOpenStateMultiplier);
			}
			if (this.maxWaitDurationInOpenState != null) {
				SettingValidation.positive(this.maxWaitDurationInOpenState, MAX_DURATION, "maxWaitDurationInOpenState");
				if (this.maxWaitDurationInOpenState.compareTo(this.waitDurationInOpenState) < 0) {
					throw SettingValidation.invalid("maxWaitDurationInOpenState", this.maxWaitDurationInOpenState,
							"maxWaitDurationInOpenState must be at least " + "waitDurationInOpenState ("
									+ this.waitDurationInOpenState + ") but was " + this.maxWaitDurationInOpenState);
				}
			}
			SettingValidation.atLeast(this.permittedNumberOfCallsInHalfOpenState, 1,
					"permittedNumberOfCallsInHalfOpenState");
			SettingValidation.notNegative(this.maxWaitDurationInHalfOpenState, MAX_DURATION,
					"maxWaitDurationInHalfOpenState");
			return new CircuitBreakerConfig(this);
		}

		private static void percentage(float value, String setting) {
			// Checked here rather than by SettingValidation.between so that the exception
			// carries the float the builder was given.
			if (!(value >= 0.0f && value <= 100.0f)) {
				throw SettingValidation.invalid(setting, value,
						setting + " must be between 0.0 and 100.0 but was " + (double) value);
			}
			if (value == 0.0f) {
				throw SettingValidation.invalid(setting, value, setting + " must be greater than 0.0 but was " + value);
			}
		}

	}

}
