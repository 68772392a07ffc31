package dev.resilience.circuitbreaker;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a {@link CircuitBreaker}: a recorded outcome, a rejected
 * call, a state transition or a reset.
 * <p>
 * Events are created only when someone listens ({@link CircuitBreaker#events()}), and are
 * delivered synchronously on the thread that caused them. Immutable.
 */
public final class CircuitBreakerEvent extends ResilienceEvent {

	private final Type type;

	private final long durationNanos;

	private final @Nullable Throwable failure;

	private final CircuitBreaker.@Nullable State fromState;

	private final CircuitBreaker.@Nullable State toState;

	CircuitBreakerEvent(String instanceName, Type type, long durationNanos, @Nullable Throwable failure,
			CircuitBreaker.@Nullable State fromState, CircuitBreaker.@Nullable State toState) {
		super(instanceName);
		this.type = type;
		this.durationNanos = durationNanos;
		this.failure = failure;
		this.fromState = fromState;
		this.toState = toState;
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

}
