package dev.resilience.boot.shedding;

import java.util.concurrent.atomic.AtomicLong;

import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.LimitConfig;

/**
 * A limit pinned at its configuration's {@code initialLimit}, counting the samples it is
 * fed: the tests' {@code resilienceSheddingLimit} bean (the algorithms themselves are
 * tested in the core).
 */
final class PinnedLimit implements AdaptiveLimit {

	private final LimitConfig config;

	final AtomicLong samples = new AtomicLong();

	final AtomicLong drops = new AtomicLong();

	PinnedLimit(int limit) {
		this.config = LimitConfig.builder().initialLimit(limit).build();
	}

	@Override
	public LimitConfig config() {
		return this.config;
	}

	@Override
	public int limit() {
		return this.config.initialLimit();
	}

	@Override
	public void onSample(long rttNanos, int inFlight, boolean dropped) {
		this.samples.incrementAndGet();
		if (dropped) {
			this.drops.incrementAndGet();
		}
	}

}
