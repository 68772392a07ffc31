package dev.resilience.core;

/**
 * A source of monotonic time in nanoseconds, the only way the primitives measure time.
 * <p>
 * Only {@link #system()} and {@link #coarse} read the machine's clock. Tests inject a
 * fake ticker (see {@code dev.resilience.testing.FakeTicker} in {@code resilience-test})
 * so that every time-dependent rule can be exercised without sleeping.
 * <p>
 * Values are meaningful only relative to each other (as {@link System#nanoTime()});
 * compare them by subtraction, never with {@code <}, so that overflow does not matter.
 * <p>
 * Implementations must be thread-safe and cheap: the primitives read the ticker on the
 * call path only where a rule needs it.
 */
@FunctionalInterface
public interface Ticker {

	/**
	 * Returns the current time in nanoseconds from an arbitrary origin.
	 * @return the current time in nanoseconds
	 */
	long read();

	/**
	 * Returns the ticker backed by {@link System#nanoTime()}.
	 * @return the system ticker
	 */
	static Ticker system() {
		return SystemTicker.INSTANCE;
	}

	/**
	 * Returns a new coarse ticker: the machine's monotonic time, published by a
	 * background thread every {@code resolution}, so that reading it reads no clock. Its
	 * values are never ahead of {@link #system()} and lag it by about one resolution (see
	 * {@link CoarseTicker} for the exact guarantee and its cost); close it when done.
	 * @param resolution how often the time is published, above 0 and at most 1 s (1 ms is
	 * the usual choice)
	 * @return the ticker, its thread started
	 * @throws IllegalArgumentException if the resolution is out of range
	 */
	static CoarseTicker coarse(java.time.Duration resolution) {
		return CoarseTicker.of(resolution);
	}

}
