package dev.resilience.circuitbreaker;

import java.time.Duration;
import java.util.Locale;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a {@link CircuitBreaker}: a recorded outcome, a rejected
 * call, a state transition or a reset.
 * <p>
 * A state change says why it happened ({@link #cause()}) and, when figures decided it,
 * which ones ({@link #figures()}), as they were at the moment of the transition.
 * <p>
 * Events are created only when someone listens ({@link CircuitBreaker#events()},
 * {@link CircuitBreaker#stateEvents()}), and are delivered synchronously on the thread
 * that caused them. Immutable.
 */
public final class CircuitBreakerEvent extends ResilienceEvent {

	private final Type type;

	private final long durationNanos;

	private final @Nullable Throwable failure;

	private final CircuitBreaker.@Nullable State fromState;

	private final CircuitBreaker.@Nullable State toState;

	private final @Nullable Cause cause;

	private final @Nullable Figures figures;

	private final long waitNanos;

	CircuitBreakerEvent(String instanceName, Type type, long durationNanos, @Nullable Throwable failure,
			CircuitBreaker.@Nullable State fromState, CircuitBreaker.@Nullable State toState, @Nullable Cause cause,
			@Nullable Figures figures, long waitNanos) {
		super(instanceName);
		this.type = type;
		this.durationNanos = durationNanos;
		this.failure = failure;
		this.fromState = fromState;
		this.toState = toState;
		this.cause = cause;
		this.figures = figures;
		this.waitNanos = waitNanos;
	}

	@Override
	public String primitive() {
		return "circuitbreaker";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * Returns how long the call took, for outcome events when slow calls are tracked.
	 * @return the call's duration in nanoseconds, or {@code -1} if it was not measured
	 */
	public long durationNanos() {
		return this.durationNanos;
	}

	/**
	 * Returns what the call threw: for {@link Type#ERROR} and {@link Type#IGNORED_ERROR},
	 * and for a {@link Type#SUCCESS} whose exception is neither recorded nor ignored.
	 * @return the exception, or {@code null} if the call returned (including a value
	 * recorded as a failure by {@code recordResult}) and for the other types
	 */
	public @Nullable Throwable failure() {
		return this.failure;
	}

	/**
	 * Returns the state left, for {@link Type#STATE_TRANSITION} and {@link Type#RESET}.
	 * @return the previous state, or {@code null} for other types
	 */
	public CircuitBreaker.@Nullable State fromState() {
		return this.fromState;
	}

	/**
	 * Returns the state entered, for {@link Type#STATE_TRANSITION} and
	 * {@link Type#RESET}.
	 * @return the new state, or {@code null} for other types
	 */
	public CircuitBreaker.@Nullable State toState() {
		return this.toState;
	}

	/**
	 * Returns why the breaker entered a state: for {@link Type#STATE_TRANSITION} and
	 * {@link Type#RESET}, why it entered {@link #toState()}; for
	 * {@link Type#NOT_PERMITTED}, why it entered the state that rejected the call (in
	 * {@code OPEN}: what opened it).
	 * @return the cause, or {@code null} for outcome events
	 */
	public @Nullable Cause cause() {
		return this.cause;
	}

	/**
	 * Returns the figures that decided a state change, captured by the call that made it:
	 * for a {@link Type#STATE_TRANSITION} whose {@link #cause()} is
	 * {@link Cause#FAILURE_RATE}, {@link Cause#SLOW_CALL_RATE},
	 * {@link Cause#TRIAL_CALLS_PASSED} or {@link Cause#HALF_OPEN_TIME_LIMIT}, and for a
	 * {@link Type#NOT_PERMITTED} in an {@code OPEN} state that such figures opened (the
	 * same object as in the transition's event).
	 * @return the figures, or {@code null} when no figures decided (a manual transition,
	 * a reset, the end of the open wait) and for outcome events
	 */
	public @Nullable Figures figures() {
		return this.figures;
	}

	/**
	 * Returns how long an opening rejects calls before it lets trial calls through (for
	 * the n-th opening of a streak, {@code waitDurationInOpenState} grown by the
	 * multiplier): for a {@link Type#STATE_TRANSITION} into {@code OPEN} and for a
	 * {@link Type#NOT_PERMITTED} in {@code OPEN}.
	 * @return the wait in nanoseconds, or {@code -1} for other events
	 */
	public long waitNanos() {
		return this.waitNanos;
	}

	@Override
	public String toString() {
		StringBuilder result = new StringBuilder(super.toString());
		if (this.fromState != null) {
			result.append(' ').append(this.fromState).append(" -> ").append(this.toState);
		}
		if (this.durationNanos >= 0) {
			result.append(" in ").append(this.durationNanos).append(" ns");
		}
		if (this.failure != null) {
			result.append(": ").append(this.failure);
		}
		return result.toString();
	}

	/**
	 * The kinds of circuit breaker events.
	 */
	public enum Type {

		/**
		 * A permitted call was recorded as a success: it returned, or threw an exception
		 * that is neither recorded nor ignored.
		 */
		SUCCESS,

		/** A permitted call threw (or returned a value recorded as a failure). */
		ERROR,

		/** A permitted call threw an exception that is ignored. */
		IGNORED_ERROR,

		/** A call was rejected. */
		NOT_PERMITTED,

		/** The breaker changed state. */
		STATE_TRANSITION,

		/** The breaker was reset. */
		RESET

	}

	/**
	 * Why a circuit breaker entered a state. The rules behind each cause are the table in
	 * {@link CircuitBreaker.State}.
	 */
	public enum Cause {

		/**
		 * The failure rate reached {@code failureRateThreshold}: in the closed state's
		 * window ({@code CLOSED -> OPEN}) or over the trial calls
		 * ({@code HALF_OPEN -> OPEN}). The slow-call rate may have reached its threshold
		 * too: see {@link Figures#slowCallRateReached()}.
		 */
		FAILURE_RATE,

		/**
		 * The slow-call rate reached {@code slowCallRateThreshold} and the failure rate
		 * did not reach its own: in the closed state's window or over the trial calls.
		 */
		SLOW_CALL_RATE,

		/**
		 * All trial calls completed with both rates below their thresholds
		 * ({@code HALF_OPEN -> CLOSED}).
		 */
		TRIAL_CALLS_PASSED,

		/**
		 * {@code maxWaitDurationInHalfOpenState} passed before the trial calls decided
		 * ({@code HALF_OPEN -> OPEN}); the figures are those of the trials completed by
		 * then.
		 */
		HALF_OPEN_TIME_LIMIT,

		/** The open wait passed ({@code OPEN -> HALF_OPEN}), on a call or by itself. */
		OPEN_WAIT_ELAPSED,

		/**
		 * {@link CircuitBreaker#transitionTo(CircuitBreaker.State)}: the only way into
		 * {@code FORCED_OPEN} and {@code DISABLED}.
		 */
		MANUAL,

		/** {@link CircuitBreaker#reset()}. */
		RESET

	}

	/**
	 * The figures that decided a state change, read once by the call that made it: the
	 * rates and counts of the window (in the closed state) or of the trial calls (in the
	 * half-open state), and the thresholds they were held against. Rates and thresholds
	 * are percentages. Immutable; created only on a state change.
	 */
	public static final class Figures {

		private final float failureRate;

		private final float slowCallRate;

		private final int calls;

		private final int failedCalls;

		private final int slowCalls;

		private final int minimumNumberOfCalls;

		private final float failureRateThreshold;

		private final float slowCallRateThreshold;

		private final @Nullable Duration slowCallDurationThreshold;

		Figures(WindowFigures window, CircuitBreakerConfig config) {
			this.failureRate = window.failureRate;
			this.slowCallRate = window.slowCallRate;
			this.calls = window.bufferedCalls;
			this.failedCalls = window.failedCalls;
			this.slowCalls = window.slowCalls;
			this.minimumNumberOfCalls = window.minimumNumberOfCalls;
			this.failureRateThreshold = config.failureRateThreshold();
			this.slowCallRateThreshold = config.slowCallRateThreshold();
			this.slowCallDurationThreshold = config.slowCallDurationThreshold();
		}

		/**
		 * Returns the failure rate.
		 * @return the failed calls in percent of {@link #calls()}, or {@code -1} if fewer
		 * than {@link #minimumNumberOfCalls()} calls were counted
		 */
		public float failureRate() {
			return this.failureRate;
		}

		/**
		 * Returns the slow-call rate; {@code 0} when slow calls are not tracked.
		 * @return the slow calls in percent of {@link #calls()}, or {@code -1} if fewer
		 * than {@link #minimumNumberOfCalls()} calls were counted
		 */
		public float slowCallRate() {
			return this.slowCallRate;
		}

		/**
		 * Returns the number of calls counted: in the window, or the trial calls that
		 * completed.
		 * @return the calls
		 */
		public int calls() {
			return this.calls;
		}

		/**
		 * Returns how many of {@link #calls()} failed.
		 * @return the failed calls
		 */
		public int failedCalls() {
			return this.failedCalls;
		}

		/**
		 * Returns how many of {@link #calls()} took longer than
		 * {@link #slowCallDurationThreshold()}.
		 * @return the slow calls
		 */
		public int slowCalls() {
			return this.slowCalls;
		}

		/**
		 * Returns the number of calls a rate needs: {@code minimumNumberOfCalls} (at most
		 * the size of a count window) in the closed state,
		 * {@code permittedNumberOfCallsInHalfOpenState} in the half-open state.
		 * @return the minimum number of calls
		 */
		public int minimumNumberOfCalls() {
			return this.minimumNumberOfCalls;
		}

		/**
		 * Returns the configured {@code failureRateThreshold}.
		 * @return the threshold in percent
		 */
		public float failureRateThreshold() {
			return this.failureRateThreshold;
		}

		/**
		 * Returns the configured {@code slowCallRateThreshold}.
		 * @return the threshold in percent
		 */
		public float slowCallRateThreshold() {
			return this.slowCallRateThreshold;
		}

		/**
		 * Returns the configured {@code slowCallDurationThreshold}.
		 * @return the duration above which a call is slow, or {@code null} if slow calls
		 * are not tracked
		 */
		public @Nullable Duration slowCallDurationThreshold() {
			return this.slowCallDurationThreshold;
		}

		/**
		 * Tells whether the failure rate is at or above its threshold.
		 * @return {@code true} if a failure rate was computed and reached the threshold
		 */
		public boolean failureRateReached() {
			return this.failureRate >= 0 && this.failureRate >= this.failureRateThreshold;
		}

		/**
		 * Tells whether the slow-call rate is at or above its threshold.
		 * @return {@code true} if slow calls are tracked and their rate was computed and
		 * reached the threshold
		 */
		public boolean slowCallRateReached() {
			return this.slowCallDurationThreshold != null && this.slowCallRate >= 0
					&& this.slowCallRate >= this.slowCallRateThreshold;
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"Figures[failureRate=%s, slowCallRate=%s, calls=%d, failedCalls=%d, slowCalls=%d, "
							+ "minimumNumberOfCalls=%d, failureRateThreshold=%s, slowCallRateThreshold=%s, "
							+ "slowCallDurationThreshold=%s]",
					this.failureRate, this.slowCallRate, this.calls, this.failedCalls, this.slowCalls,
					this.minimumNumberOfCalls, this.failureRateThreshold, this.slowCallRateThreshold,
					this.slowCallDurationThreshold);
		}

	}

}
