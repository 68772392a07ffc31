package dev.resilience.boot.actuate.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.resilience.boot.observation.CallOutcome;
import org.jspecify.annotations.Nullable;

/*
 * The latencies of the annotated methods over a rolling window of about a minute, for the
 * dashboard: per method (the resilience.method key), SLICES slices of SLICE_NANOS each,
 * every slice a set of log-scale bucket counters (8 buckets per power of two of the
 * duration in microseconds, so a percentile is within 6.25 % of the truth), one counter
 * per outcome, and the largest duration.
 *
 * Who writes: the threads that end annotated calls, through record(...) (from the
 * observation handler's onStop). Recording is lock-free and allocation-free once the
 * method has its window: it reads the index of the current slice (a volatile), then makes
 * two atomic increments and at most a few compare-and-sets for the maximum.
 *
 * Who rotates: only the sampler thread, through advance(now) once per sample: when the
 * ticker has entered a new slice, it clears the slice that left the window one rotation
 * ago and makes it the current one (a write of the volatile index). The ring has
 * SLICES + 1 slices, so the slice cleared is never one a reader sums nor the one writers
 * are writing to: a writer that read the index before a rotation writes into the
 * previous slice, which is still in the window. Promised: every recorded call is counted
 * exactly once (in the slice current when its thread read the index), and so is in the
 * window for between (SLICES - 1) and SLICES slice lengths after it ended, unless its
 * thread stalls for more than SLICES - 1 slice lengths (50 s) between reading the index
 * and incrementing, in which case it may land in a slice that is being cleared and be
 * lost. Not promised: that a reader sees the outcome counter and the bucket counter of
 * one call together (a call in flight may be in one and not yet in the other).
 *
 * Who reads: the threads answering GET /actuator/resilience, through snapshot(); they
 * sum the SLICES slices of the window from the current one back, reading each counter
 * once, without locks.
 *
 * Memory: per method (SLICES + 1) * (BUCKETS + 4 + 1) longs, about 18 KB; methods are
 * the application's annotated methods, a bounded set.
 */
final class MethodLatencies {

	/** The slices in the window. */
	static final int SLICES = 6;

	/** The length of a slice, in nanoseconds. */
	static final long SLICE_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** The window's length, in seconds. */
	static final int WINDOW_SECONDS = (int) (SLICES * SLICE_NANOS / 1_000_000_000L);

	// Durations in microseconds below 2^SUB_BITS have a bucket each; above, each power of
	// two has SUB buckets.
	private static final int SUB_BITS = 3;

	private static final int SUB = 1 << SUB_BITS;

	// The largest power of two with buckets (2^40 us: 12 days); longer calls go in the
	// last bucket.
	private static final int MAX_EXPONENT = 40;

	static final int BUCKETS = SUB * (MAX_EXPONENT - SUB_BITS + 2);

	private static final CallOutcome[] OUTCOMES = CallOutcome.values();

	private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

	// Written by the sampler thread only; Long.MIN_VALUE until the first advance.
	private volatile long slice = Long.MIN_VALUE;

	/**
	 * Records one call that ended.
	 * @param method the method's name ({@code resilience.method})
	 * @param outcome how it ended, or {@code null} if unknown (counted in no outcome)
	 * @param durationNanos how long it took
	 */
	void record(String method, @Nullable CallOutcome outcome, long durationNanos) {
		Window window = this.windows.get(method);
		if (window == null) {
			window = this.windows.computeIfAbsent(method, (name) -> new Window());
		}
		window.record(outcome, durationNanos);
	}

	/**
	 * Moves the window on to the slice that {@code nowNanos} falls in. Called by one
	 * thread only (the sampler).
	 * @param nowNanos the ticker reading
	 */
	void advance(long nowNanos) {
		long target = Math.floorDiv(nowNanos, SLICE_NANOS);
		long current = this.slice;
		if (current == Long.MIN_VALUE) {
			this.slice = target;
			return;
		}
		if (target <= current) {
			return;
		}
		// More than a ring's worth of slices passed: clearing each once is enough.
		int steps = (int) Math.min(target - current, SLICES + 1);
		for (Window window : this.windows.values()) {
			for (int i = 0; i < steps; i++) {
				window.rotate();
			}
		}
		this.slice = target;
	}

	/**
	 * Describes every method that has recorded a call, ordered by name.
	 * @return the methods' figures
	 */
	List<ResilienceEndpoint.MethodSnapshot> snapshot() {
		Map<String, Window> sorted = new TreeMap<>(this.windows);
		List<ResilienceEndpoint.MethodSnapshot> methods = new ArrayList<>(sorted.size());
		sorted.forEach((name, window) -> methods.add(window.snapshot(name)));
		return methods;
	}

	static int bucket(long durationNanos) {
		long micros = Math.max(0, durationNanos / 1_000);
		if (micros < SUB) {
			return (int) micros;
		}
		int exponent = 63 - Long.numberOfLeadingZeros(micros);
		if (exponent > MAX_EXPONENT) {
			return BUCKETS - 1;
		}
		int sub = (int) ((micros >>> (exponent - SUB_BITS)) & (SUB - 1));
		return SUB * (exponent - SUB_BITS + 1) + sub;
	}

	/** The middle of a bucket, in microseconds. */
	static double bucketMiddleMicros(int bucket) {
		if (bucket < SUB) {
			return bucket;
		}
		int exponent = bucket / SUB + SUB_BITS - 1;
		int sub = bucket % SUB;
		long width = 1L << (exponent - SUB_BITS);
		long lower = (long) (SUB + sub) << (exponent - SUB_BITS);
		return lower + width / 2.0;
	}

	/** One method's ring of slices. */
	static final class Window {

		private final Slice[] slices = new Slice[SLICES + 1];

		// Written by the sampler thread only.
		private volatile int current;

		Window() {
			for (int i = 0; i < this.slices.length; i++) {
				this.slices[i] = new Slice();
			}
		}

		void record(@Nullable CallOutcome outcome, long durationNanos) {
			Slice slice = this.slices[this.current];
			slice.buckets.incrementAndGet(bucket(durationNanos));
			if (outcome != null) {
				slice.outcomes.incrementAndGet(outcome.ordinal());
			}
			long max = slice.max.get();
			while (durationNanos > max && !slice.max.compareAndSet(max, durationNanos)) {
				max = slice.max.get();
			}
		}

		void rotate() {
			int next = (this.current + 1) % this.slices.length;
			this.slices[next].clear();
			this.current = next;
		}

		ResilienceEndpoint.MethodSnapshot snapshot(String name) {
			long[] buckets = new long[BUCKETS];
			long[] outcomes = new long[OUTCOMES.length];
			long count = 0;
			long max = -1;
			int current = this.current;
			for (int back = 0; back < SLICES; back++) {
				Slice slice = this.slices[Math.floorMod(current - back, this.slices.length)];
				for (int i = 0; i < BUCKETS; i++) {
					long n = slice.buckets.get(i);
					buckets[i] += n;
					count += n;
				}
				for (int i = 0; i < outcomes.length; i++) {
					outcomes[i] += slice.outcomes.get(i);
				}
				max = Math.max(max, slice.max.get());
			}
			ResilienceEndpoint.Outcomes byOutcome = new ResilienceEndpoint.Outcomes(
					outcomes[CallOutcome.SUCCESS.ordinal()], outcomes[CallOutcome.FAILURE.ordinal()],
					outcomes[CallOutcome.REJECTED.ordinal()], outcomes[CallOutcome.FALLBACK.ordinal()]);
			if (count == 0) {
				return new ResilienceEndpoint.MethodSnapshot(name, WINDOW_SECONDS, 0, byOutcome, null, null, null,
						null);
			}
			// A call whose bucket is counted but whose maximum is not stored yet: no
			// bound.
			double maxMillis = (max >= 0) ? max / 1e6 : Double.MAX_VALUE;
			Double p99 = percentile(buckets, count, 0.99, maxMillis);
			return new ResilienceEndpoint.MethodSnapshot(name, WINDOW_SECONDS, count, byOutcome,
					percentile(buckets, count, 0.50, maxMillis), percentile(buckets, count, 0.95, maxMillis), p99,
					(max >= 0) ? ResilienceEndpoint.round(maxMillis) : p99);
		}

		private static Double percentile(long[] buckets, long count, double quantile, double maxMillis) {
			long rank = Math.max(1, (long) Math.ceil(quantile * count));
			long seen = 0;
			for (int i = 0; i < buckets.length; i++) {
				seen += buckets[i];
				if (seen >= rank) {
					// Never above the largest call seen (the bucket's middle may be).
					return ResilienceEndpoint.round(Math.min(bucketMiddleMicros(i) / 1000.0, maxMillis));
				}
			}
			return ResilienceEndpoint.round(maxMillis);
		}

	}

	/** One slice's counters. */
	static final class Slice {

		final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);

		final AtomicLongArray outcomes = new AtomicLongArray(OUTCOMES.length);

		final AtomicLong max = new AtomicLong(-1);

		void clear() {
			for (int i = 0; i < BUCKETS; i++) {
				this.buckets.set(i, 0);
			}
			for (int i = 0; i < OUTCOMES.length; i++) {
				this.outcomes.set(i, 0);
			}
			this.max.set(-1);
		}

	}

}
