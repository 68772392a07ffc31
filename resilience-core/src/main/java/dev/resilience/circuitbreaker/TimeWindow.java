package dev.resilience.circuitbreaker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: the time-based sliding window, lock-free within a second.
 *
 * What it stores: one bucket per second of the window (calls, failures, slow calls, and
 * the calls both failed and slow, for the metrics: four longs per bucket in one
 * AtomicLongArray, the bucket of a second being second % size), running totals of the
 * four in AtomicLongs, and the newest second the buckets are set up
 * for (head, volatile): the buckets hold the seconds (head - size, head].
 *
 * How it is updated: a call within a second the buckets are set up for adds to its bucket
 * and to the totals with atomic increments, without a lock. The first call of a new second
 * takes a ReentrantLock to evict the buckets that fell out of the window (at most size of
 * them, once per second) and moves head; a call that read the clock before a roll and
 * arrives after it (its second older than the window) is counted in the newest second
 * rather than in a bucket now meant for another one. Metrics evict too, so an idle
 * breaker's rates decay.
 *
 * Why it is correct: eviction takes each bucket's counts with getAndSet(0) and subtracts
 * exactly what it took from the totals, so a call racing with eviction lands in some bucket
 * and is either evicted from both the bucket and the totals or kept in both: the totals and
 * the buckets never drift apart. A call adds to its bucket before the totals, so an
 * eviction between the two may subtract it from the totals before it is added: for that
 * moment the totals run a call short (even below zero), which WindowFigures clamps.
 * Evicting old successes can raise the rates, so every call evaluates the thresholds, from
 * the totals it read after its own increments.
 *
 * What it costs: 4 * size longs, four AtomicLongs and a lock per window. Per recorded
 * call: a ticker reading unless slow-call tracking already took one for the call, two
 * atomic increments (two more for a failure, two more for a slow call, two more for a call
 * both failed and slow) and a threshold
 * evaluation (two float divisions); no lock and no allocation within a second. Once per
 * second, the lock and up to size bucket evictions; callers of the new second that saw the
 * old head take the lock too, briefly, and find nothing left to do.
 */
/**
 * The outcomes of the last {@code size} seconds, in one-second buckets; see the design
 * notes at the top of the source file. Thread-safe.
 */
final class TimeWindow extends SlidingWindow {

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	private static final int CALLS = 0;

	private static final int FAILURES = 1;

	private static final int SLOW_CALLS = 2;

	private static final int SLOW_FAILED_CALLS = 3;

	private static final int STRIDE = 4;

	final int size;

	private final Ticker ticker;

	/** Four counters per bucket: calls, failures, slow calls, slow failed calls. */
	private final AtomicLongArray buckets;

	private final AtomicLong calls = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong slowCalls = new AtomicLong();

	private final AtomicLong slowFailedCalls = new AtomicLong();

	private final ReentrantLock rollLock = new ReentrantLock();

	/**
	 * The newest second the buckets are set up for; they hold (head - size, head].
	 */
	private volatile long head;

	TimeWindow(int size, Ticker ticker) {
		this.size = size;
		this.ticker = ticker;
		this.buckets = new AtomicLongArray(STRIDE * size);
		this.head = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
	}

	@Override
	@Nullable WindowFigures record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
		long second = Math.floorDiv(timed ? now : this.ticker.read(), NANOS_PER_SECOND);
		long head = this.head;
		if (second > head) {
			roll(second);
		}
		else if (head - second >= this.size) {
			// A reading older than the window (a thread delayed across a roll): count
			// it in the newest second rather than in a bucket now meant for another.
			second = head;
		}
		int base = STRIDE * Math.floorMod(second, this.size);
		this.buckets.getAndIncrement(base + CALLS);
		long calls = this.calls.incrementAndGet();
		long failed;
		if ((outcome & FAILED) != 0) {
			this.buckets.getAndIncrement(base + FAILURES);
			failed = this.failures.incrementAndGet();
		}
		else {
			failed = this.failures.get();
		}
		long slow;
		if ((outcome & SLOW) != 0) {
			this.buckets.getAndIncrement(base + SLOW_CALLS);
			slow = this.slowCalls.incrementAndGet();
		}
		else {
			slow = this.slowCalls.get();
		}
		if ((outcome & (FAILED | SLOW)) == (FAILED | SLOW)) {
			// For the metrics only: the thresholds never read it.
			this.buckets.getAndIncrement(base + SLOW_FAILED_CALLS);
			this.slowFailedCalls.incrementAndGet();
		}
		// Evicting old successes can raise the rates, so every call evaluates.
		if (calls < config.minimumNumberOfCalls()) {
			return null;
		}
		return reached(config, failed, slow, this.slowFailedCalls.get(), calls, config.minimumNumberOfCalls());
	}

	/**
	 * Evicts the buckets of the seconds that fell out of the window at {@code second}.
	 */
	private void roll(long second) {
		this.rollLock.lock();
		try {
			long head = this.head;
			if (second <= head) {
				return;
			}
			long evicted = Math.min(second - head, this.size);
			for (long i = 1; i <= evicted; i++) {
				evict(STRIDE * Math.floorMod(head + i, this.size));
			}
			this.head = second;
		}
		finally {
			this.rollLock.unlock();
		}
	}

	private void evict(int base) {
		// Subtract exactly what was taken from the bucket, so that a call racing with
		// eviction is either evicted from both or kept in both.
		long calls = this.buckets.getAndSet(base + CALLS, 0);
		if (calls != 0) {
			this.calls.addAndGet(-calls);
		}
		long failed = this.buckets.getAndSet(base + FAILURES, 0);
		if (failed != 0) {
			this.failures.addAndGet(-failed);
		}
		long slow = this.buckets.getAndSet(base + SLOW_CALLS, 0);
		if (slow != 0) {
			this.slowCalls.addAndGet(-slow);
		}
		long slowFailed = this.buckets.getAndSet(base + SLOW_FAILED_CALLS, 0);
		if (slowFailed != 0) {
			this.slowFailedCalls.addAndGet(-slowFailed);
		}
	}

	@Override
	WindowFigures figures(CircuitBreakerConfig config) {
		long second = Math.floorDiv(this.ticker.read(), NANOS_PER_SECOND);
		if (second > this.head) {
			roll(second);
		}
		return WindowFigures.of(this.calls.get(), this.failures.get(), this.slowCalls.get(), this.slowFailedCalls.get(),
				config.minimumNumberOfCalls());
	}

	@Override
	boolean fits(CircuitBreakerConfig config) {
		return config.slidingWindowType() == SlidingWindowType.TIME_BASED && config.slidingWindowSize() == this.size;
	}

}
