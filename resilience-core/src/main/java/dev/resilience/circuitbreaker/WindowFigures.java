package dev.resilience.circuitbreaker;

/**
 * The window figures of a circuit breaker state, with the rates computed: what
 * {@link CircuitBreaker#metrics()} shows and what an open state keeps of the window that
 * opened it. Immutable.
 */
final class WindowFigures {

	static final WindowFigures EMPTY = new WindowFigures(-1, -1, 0, 0, 0, 0, 0);

	final float failureRate;

	final float slowCallRate;

	final int bufferedCalls;

	final int failedCalls;

	final int slowCalls;

	/** The calls a rate needs. */
	final int minimumNumberOfCalls;

	/** The slow calls that also failed (a subset of both failedCalls and slowCalls). */
	final int slowFailedCalls;

	private WindowFigures(float failureRate, float slowCallRate, int bufferedCalls, int failedCalls, int slowCalls,
			int slowFailedCalls, int minimumNumberOfCalls) {
		this.failureRate = failureRate;
		this.slowCallRate = slowCallRate;
		this.bufferedCalls = bufferedCalls;
		this.failedCalls = failedCalls;
		this.slowCalls = slowCalls;
		this.minimumNumberOfCalls = minimumNumberOfCalls;
		this.slowFailedCalls = slowFailedCalls;
	}

	static WindowFigures of(long calls, long failed, long slow, long slowFailed, int minimumNumberOfCalls) {
		int buffered = clamp(calls, Integer.MAX_VALUE);
		int failedCalls = clamp(failed, buffered);
		int slowCalls = clamp(slow, buffered);
		int slowFailedCalls = clamp(slowFailed, Math.min(failedCalls, slowCalls));
		boolean rated = buffered > 0 && buffered >= minimumNumberOfCalls;
		return new WindowFigures(rated ? rate(failedCalls, buffered) : -1, rated ? rate(slowCalls, buffered) : -1,
				buffered, failedCalls, slowCalls, slowFailedCalls, minimumNumberOfCalls);
	}

	/** The percentage {@code count} is of {@code calls}. */
	static float rate(long count, long calls) {
		return count * 100.0f / calls;
	}

	// Between two atomic reads a racing call may be half-recorded: stay in range.
	private static int clamp(long value, int max) {
		return (int) Math.max(0, Math.min(value, max));
	}

}
