package dev.resilience.limit;

import java.util.concurrent.atomic.AtomicInteger;

/*
 * Design: many threads call onSample; the algorithm's state (plain fields in the
 * subclass) is touched by one thread at a time, the one that holds the try-lock (a CAS
 * of `busy` from 0 to 1; its volatile write back to 0 publishes the state to the next
 * holder). A thread that finds it busy does not wait: its latency sample is skipped (a
 * sampled latency stays an unbiased measure), but its drop is counted in `pendingDrops`
 * and applied by whoever holds the lock next. To never strand a drop, both sides look
 * again after their step: the skipper, after counting its drop, tries the lock once
 * more; the holder, after releasing it, takes it again while drops are pending. (Either
 * the holder sees the count, or the skipper's second try finds the lock free: the two
 * are sequentially consistent atomics.) So a drop is applied before the onSample that
 * counted it returns, or by the call then holding the lock. The limit is published in a
 * volatile int, read by limit() alone. Nothing is allocated per sample: the state is
 * primitives, the lock an int.
 */
/**
 * The common part of the adaptive limits: the try-lock, the pending drops and the
 * published limit. Subclasses keep their state in plain fields, touched only in
 * {@link #update} and {@link #drops}, which run under the lock.
 */
abstract class SampledLimit implements AdaptiveLimit {

	private final LimitConfig config;

	private final AtomicInteger busy = new AtomicInteger();

	private final AtomicInteger pendingDrops = new AtomicInteger();

	private volatile int limit;

	// Drops applied so far (under the lock; read by tests once the threads are done).
	private long dropsApplied;

	SampledLimit(LimitConfig config) {
		this.config = config;
		this.limit = config.initialLimit();
	}

	@Override
	public final LimitConfig config() {
		return this.config;
	}

	@Override
	public final int limit() {
		return this.limit;
	}

	@Override
	public final void onSample(long rttNanos, int inFlight, boolean dropped) {
		if (!this.busy.compareAndSet(0, 1)) {
			if (!dropped) {
				return;
			}
			this.pendingDrops.incrementAndGet();
			if (!this.busy.compareAndSet(0, 1)) {
				// The holder will see the drop once it releases the lock.
				return;
			}
			try {
				applyPendingDrops();
			}
			finally {
				release();
			}
			return;
		}
		try {
			applyPendingDrops();
			int next = update(Math.max(0, rttNanos), inFlight, dropped);
			if (dropped) {
				this.dropsApplied++;
			}
			publish(next);
		}
		finally {
			release();
		}
	}

	private void release() {
		this.busy.set(0);
		// A drop counted while the lock was held must not wait for a later sample.
		while (this.pendingDrops.get() > 0 && this.busy.compareAndSet(0, 1)) {
			try {
				applyPendingDrops();
			}
			finally {
				this.busy.set(0);
			}
		}
	}

	// Under the lock.
	private void applyPendingDrops() {
		if (this.pendingDrops.get() == 0) {
			return;
		}
		int drops = this.pendingDrops.getAndSet(0);
		if (drops > 0) {
			this.dropsApplied += drops;
			publish(drops(drops));
		}
	}

	private void publish(int next) {
		int bounded = Math.max(this.config.minLimit(), Math.min(this.config.maxLimit(), next));
		if (bounded != this.limit) {
			this.limit = bounded;
		}
	}

	/**
	 * Returns the drops applied so far; for tests, once the sampling threads are done.
	 */
	final long dropsApplied() {
		return this.dropsApplied;
	}

	/**
	 * Applies one sample, under the lock.
	 * @param rttNanos the latency, zero or more
	 * @param inFlight the calls in flight when it ended
	 * @param dropped whether it failed
	 * @return the new limit (bounded by the caller)
	 */
	abstract int update(long rttNanos, int inFlight, boolean dropped);

	/**
	 * Applies drops whose samples were skipped, under the lock.
	 * @param count the drops, at least 1
	 * @return the new limit (bounded by the caller)
	 */
	abstract int drops(int count);

}
