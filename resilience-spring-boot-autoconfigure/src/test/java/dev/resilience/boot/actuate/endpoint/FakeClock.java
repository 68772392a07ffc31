package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A wall clock that stands still until a test moves it, for the timestamps of recorded
 * events. Thread-safe.
 */
final class FakeClock extends Clock {

	private volatile Instant now;

	FakeClock(Instant start) {
		this.now = start;
	}

	/**
	 * Moves the clock forward.
	 * @param duration how far
	 * @return the new time
	 */
	synchronized Instant advance(Duration duration) {
		this.now = this.now.plus(duration);
		return this.now;
	}

	@Override
	public Instant instant() {
		return this.now;
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("the fake clock is in UTC");
	}

}
