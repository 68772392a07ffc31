package dev.resilience.limit;

/**
 * {@link LimitAlgorithm#FIXED}: {@code initialLimit}, whatever the samples. Immutable, so
 * thread-safe; a sample touches nothing.
 */
final class FixedLimit implements AdaptiveLimit {

	private final LimitConfig config;

	private final int limit;

	FixedLimit(LimitConfig config) {
		this.config = config;
		this.limit = config.initialLimit();
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
		// A fixed limit does not move.
	}

	@Override
	public String toString() {
		return "FixedLimit[" + this.limit + "]";
	}

}
