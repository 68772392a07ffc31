package dev.resilience.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import org.jspecify.annotations.Nullable;

/*
 * Design: the count-based sliding window, lock-free.
 *
 * What it stores: the last `size` outcomes, one byte each (bit 0 failed, bit 1 slow), in a
 * ring; how many outcomes were ever recorded (an AtomicLong index, the next slot being
 * index % size); and the failure and slow counts of the ring in one AtomicLong, as two
 * 32-bit lanes each biased by 2^30; and, apart, how many of the ring's outcomes are both
 * failed and slow (an AtomicLong touched only when such an outcome enters or leaves the
 * ring, for the metrics: the thresholds never read it).
 *
 * How it is updated: a call claims its slot with one getAndIncrement on the index and
 * writes its outcome with one getAndSet on the slot, which returns the outcome it replaced;
 * the difference between the two is applied to both counts at once with one addAndGet of
 * the packed delta. When the old and new outcomes are equal (a success overwriting a
 * success, the common case) the counts do not change and are not touched.
 *
 * Why it is correct: every outcome that enters the ring is added once, by its writer, and
 * every outcome that leaves it is subtracted once, by the thread whose getAndSet replaced
 * it, so once all calls have completed the counts are exact. In between, a thread that
 * overwrites a failure may apply -1 before the thread that wrote it applied +1: the bias
 * keeps such a transiently negative lane from borrowing from the other one. A call whose
 * outcome equals the one it replaces changes only the number of calls, which lowers the
 * rates unless that number just reached the minimum: such a call evaluates the thresholds
 * only then, or when it is the first recorded under a new configuration (whose thresholds
 * or minimum may have moved). Every other call evaluates them, from the counts its own
 * atomic update returned and the call index read after it, so that of two racing calls the
 * later one sees both.
 *
 * What it costs: `size` bytes and two AtomicLongs per window (a new window on each entry
 * into CLOSED). Per recorded call: two atomic read-modify-writes (index and slot), a third
 * (the counts) and a threshold evaluation only when the outcome differs from the one it
 * replaces (or on the calls named above); no clock reading, no lock, no allocation. Every
 * call updates the same index, so under contention that cache line is shared by all
 * callers.
 */
/**
 * The last {@code size} outcomes, lock-free; see the design notes at the top of the
 * source file. Thread-safe.
 */
final class CountWindow extends SlidingWindow {

	private static final VarHandle RING = MethodHandles.arrayElementVarHandle(byte[].class);

	private static final long BIAS = 1L << 30;

	private static final long LOW_LANE = 0xFFFF_FFFFL;

	private static final int SLOW_FAILED = FAILED | SLOW;

	final int size;

	private final byte[] ring;

	/**
	 * How many outcomes were ever recorded; the next slot is {@code index % size}.
	 */
	private final AtomicLong index = new AtomicLong();

	/** Failures in the high lane, slow calls in the low lane, each biased. */
	private final AtomicLong counts = new AtomicLong((BIAS << 32) | BIAS);

	/** Outcomes in the ring that are both failed and slow; read by figures() only. */
	private final AtomicLong slowFailed = new AtomicLong();

	// The configuration the thresholds were last evaluated with; a call recorded
	// under another one evaluates, so a reconfiguration applies from the next call
	// on. Plain field: a stale read only costs one more evaluation.
	private @Nullable CircuitBreakerConfig evaluatedWith;

	CountWindow(int size) {
		this.size = size;
		this.ring = new byte[size];
	}

	@Override
	@Nullable WindowFigures record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
		long sequence = this.index.getAndIncrement();
		int old = (byte) RING.getAndSet(this.ring, (int) (sequence % this.size), (byte) outcome);
		int minimum = Math.min(config.minimumNumberOfCalls(), this.size);
		long packed;
		if (old == outcome) {
			// Only the number of calls changed, which lowers the rates unless it
			// just reached the minimum (or the thresholds changed).
			if (sequence + 1 != minimum && config == this.evaluatedWith) {
				return null;
			}
			packed = this.counts.get();
		}
		else {
			packed = this.counts.addAndGet(delta(old, outcome));
			int slowFailedDelta = ((outcome == SLOW_FAILED) ? 1 : 0) - ((old == SLOW_FAILED) ? 1 : 0);
			if (slowFailedDelta != 0) {
				this.slowFailed.addAndGet(slowFailedDelta);
			}
		}
		this.evaluatedWith = config;
		// Read after our update, so that of two racing calls the later sees both.
		long buffered = Math.min(this.index.get(), this.size);
		if (buffered < minimum) {
			return null;
		}
		return reached(config, failures(packed), slowCalls(packed), this.slowFailed.get(), buffered, minimum);
	}

	private static long delta(int old, int outcome) {
		long failures = (outcome & FAILED) - (old & FAILED);
		long slow = ((outcome & SLOW) - (old & SLOW)) >> 1;
		return (failures << 32) + slow;
	}

	private static long failures(long packed) {
		return (packed >>> 32) - BIAS;
	}

	private static long slowCalls(long packed) {
		return (packed & LOW_LANE) - BIAS;
	}

	@Override
	WindowFigures figures(CircuitBreakerConfig config) {
		long packed = this.counts.get();
		long buffered = Math.min(this.index.get(), this.size);
		return WindowFigures.of(buffered, failures(packed), slowCalls(packed), this.slowFailed.get(),
				Math.min(config.minimumNumberOfCalls(), this.size));
	}

	@Override
	boolean fits(CircuitBreakerConfig config) {
		return config.slidingWindowType() == SlidingWindowType.COUNT_BASED && config.slidingWindowSize() == this.size;
	}

}
