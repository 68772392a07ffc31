package dev.resilience.core;

/**
 * A source of monotonic time in nanoseconds, the only way the primitives measure time.
 * <p>
 * Only {@link #system()} reads the machine's clock. Tests inject a fake ticker (see
 * {@code dev.resilience.testing.FakeTicker} in {@code resilience-test}) so that every
 * time-dependent rule can be exercised without sleeping.
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

}
