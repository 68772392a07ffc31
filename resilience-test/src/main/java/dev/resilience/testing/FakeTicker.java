package dev.resilience.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.resilience.core.Ticker;

/**
 * A {@link Ticker} that moves only when told to, for tests of time-dependent rules.
 * <p>
 * To run scheduled tasks as time passes, advance a {@link ManualScheduler} built on this
 * ticker rather than the ticker itself. Thread-safe.
 */
public final class FakeTicker implements Ticker {

	private final AtomicLong nanos;

	/**
	 * Creates a ticker that reads zero.
	 */
	public FakeTicker() {
		this(0);
	}

	/**
	 * Creates a ticker that reads {@code startNanos}.
	 * @param startNanos the first reading, in nanoseconds
	 */
	public FakeTicker(long startNanos) {
		this.nanos = new AtomicLong(startNanos);
	}

	@Override
	public long read() {
		return this.nanos.get();
	}

	/**
	 * Moves the time forward.
	 * @param duration how far
	 * @return this ticker
	 */
	public FakeTicker advance(Duration duration) {
		return advance(duration.toNanos());
	}

	/**
	 * Moves the time forward.
	 * @param nanos how far, in nanoseconds
	 * @return this ticker
	 */
	public FakeTicker advance(long nanos) {
		if (nanos < 0) {
			throw new IllegalArgumentException("time does not go backwards: " + nanos);
		}
		this.nanos.addAndGet(nanos);
		return this;
	}

}
