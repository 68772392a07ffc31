package dev.resilience.bulkhead;

import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.LimitConfig;

/**
 * An adaptive limit that a test moves by hand ({@link #set}); samples change nothing but
 * are counted.
 */
final class MovableLimit implements AdaptiveLimit {

	private final LimitConfig config;

	private volatile int limit;

	volatile int samples;

	MovableLimit(LimitConfig config) {
		this.config = config;
		this.limit = config.initialLimit();
	}

	void set(int limit) {
		this.limit = limit;
	}

	@Override
	public LimitConfig config() {
		return this.config;
	}

	@Override
	public int limit() {
		return this.limit;
	}

	@Override
	public void onSample(long rttNanos, int inFlight, boolean dropped) {
		this.samples++;
	}

}
