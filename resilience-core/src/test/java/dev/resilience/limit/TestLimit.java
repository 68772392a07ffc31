package dev.resilience.limit;

import java.util.ArrayList;
import java.util.List;

/**
 * A limit the test sets by hand, which records the samples it is fed (the algorithms are
 * tested on their own). Thread-safe.
 */
final class TestLimit implements AdaptiveLimit {

	private volatile int limit;

	private final List<long[]> samples = new ArrayList<>();

	TestLimit(int limit) {
		this.limit = limit;
	}

	void set(int limit) {
		this.limit = limit;
	}

	@Override
	public LimitConfig config() {
		return LimitConfig.builder().initialLimit(this.limit).build();
	}

	@Override
	public int limit() {
		return this.limit;
	}

	@Override
	public synchronized void onSample(long rttNanos, int inFlight, boolean dropped) {
		this.samples.add(new long[] { rttNanos, inFlight, dropped ? 1 : 0 });
	}

	synchronized List<long[]> samples() {
		return new ArrayList<>(this.samples);
	}

}
