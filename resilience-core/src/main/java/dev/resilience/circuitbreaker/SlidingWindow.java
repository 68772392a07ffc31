package dev.resilience.circuitbreaker;

import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: the sliding window of the closed state, and what a recorded outcome is.
 *
 * A window belongs to one entry into CLOSED (a new one is built on every entry, and when a
 * reconfiguration changes its type or size), so it never needs clearing: the closed state
 * drops it with itself. It records outcomes that the breaker has already judged: bits
 * FAILED and SLOW of an int, also used by the half-open trials. It answers one question per
 * recorded call, whether a threshold is now reached, and the closed state makes the
 * transition (a CAS in DefaultCircuitBreaker); a window never sees the state machine. The
 * answer "yes" is the figures the call read when it decided (null means no), so that the
 * transition's event shows what opened the breaker rather than a later reading: only the
 * call that reaches a threshold allocates them.
 *
 * Two implementations, both final and the only ones (sealed): CountWindow (the last N
 * calls, no clock) and TimeWindow (the last N seconds). The success path calls the window
 * from one site (Closed.record), which therefore sees at most two receiver types: the JIT
 * inlines both behind a type check (a bimorphic site), with no virtual or interface
 * dispatch. Should the site ever see a third type, an abstract class still dispatches
 * through the vtable, cheaper than an interface's itable.
 */
/**
 * The sliding window of a circuit breaker's closed state; see the design notes at the top
 * of the source file. Thread-safe.
 */
abstract sealed class SlidingWindow permits CountWindow, TimeWindow {

	/** The outcome of a call that succeeded in time. */
	static final int SUCCESS = 0;

	/** Outcome bit: the call counts as failed. */
	static final int FAILED = 1;

	/** Outcome bit: the call took longer than the slow-call duration threshold. */
	static final int SLOW = 2;

	/**
	 * Creates the window {@code config} asks for.
	 * @param config the configuration
	 * @param ticker the breaker's ticker (read by a time window only)
	 * @return a new, empty window
	 */
	static SlidingWindow of(CircuitBreakerConfig config, Ticker ticker) {
		return (config.slidingWindowType() == SlidingWindowType.COUNT_BASED)
				? new CountWindow(config.slidingWindowSize()) : new TimeWindow(config.slidingWindowSize(), ticker);
	}

	/**
	 * Records an outcome.
	 * @param config the configuration in force
	 * @param outcome the outcome bits
	 * @param timed whether {@code now} holds a ticker reading taken for this call
	 * @param now the ticker reading, if {@code timed}
	 * @return the figures that reached a threshold (read once, by this call), or
	 * {@code null} if no threshold was reached; only a call that opens the breaker
	 * allocates
	 */
	abstract @Nullable WindowFigures record(CircuitBreakerConfig config, int outcome, boolean timed, long now);

	abstract WindowFigures figures(CircuitBreakerConfig config);

	/** Tells whether this window has the type and size {@code config} asks for. */
	abstract boolean fits(CircuitBreakerConfig config);

	/**
	 * Tells whether {@code failed} or {@code slow} out of {@code calls} reaches its rate
	 * threshold; {@code calls} is positive.
	 */
	static boolean thresholdReached(CircuitBreakerConfig config, long failed, long slow, long calls) {
		return WindowFigures.rate(failed, calls) >= config.failureRateThreshold()
				|| WindowFigures.rate(slow, calls) >= config.slowCallRateThreshold();
	}

	/**
	 * Returns the figures of {@code calls} calls if one of their rates reaches its
	 * threshold, else {@code null}; {@code calls} is at least {@code minimum}.
	 */
	static @Nullable WindowFigures reached(CircuitBreakerConfig config, long failed, long slow, long slowFailed,
			long calls, int minimum) {
		return thresholdReached(config, failed, slow, calls)
				? WindowFigures.of(calls, failed, slow, slowFailed, minimum) : null;
	}

}
