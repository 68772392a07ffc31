package dev.resilience.ratelimiter;

import java.time.Duration;

import dev.resilience.lincheck.LincheckRuns;
import dev.resilience.lincheck.UnusedScheduler;
import dev.resilience.testing.FakeTicker;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: taking, reserving and counting permits is linearizable against a plain token
 * bucket ({@link Model}) that counts half permits, and the totals add up once the calls
 * have completed.
 * <p>
 * The limiter grants 2 permits per second (one every 500 ms) from a bucket of 2, and lets
 * a caller wait up to 1 s. Each scenario starts from a bucket prepared one call at a
 * time: full; drained and then refilled by half a permit (250 ms), so that the progress
 * towards the next permit counts; overdrawn by a reservation.
 * <p>
 * What is linearizable: every decision ({@code tryAcquirePermission},
 * {@code reservePermission} and the wait it answers) and
 * {@code metrics().availablePermissions()}, each on the one word that holds the bucket.
 * What is not: the totals, counted after the decision; they are checked at quiescence.
 * <p>
 * Time does not move during a scenario. A decision reads the ticker once, before its
 * compare-and-set loop, so a clock step between the reading and the compare-and-set makes
 * it decide at the earlier time: with a fake clock that jumps 250 ms, a reservation that
 * completes after another caller saw the jump is still answered the wait of before it.
 * With a real clock the gap is the time spent retrying the compare-and-set (or a
 * descheduling), so that is not modelled here.
 */
@Tag("concurrency")
class RateLimiterLincheckTests {

	static final long HALF_PERMIT_NANOS = Duration.ofMillis(250).toNanos();

	static final RateLimiterConfig CONFIG = RateLimiterConfig.builder()
		.limitForPeriod(2)
		.limitRefreshPeriod(Duration.ofSeconds(1))
		.timeoutDuration(Duration.ofSeconds(1))
		.build();

	@Test
	void takingAndReservingFromAFullBucketIsLinearizable() {
		LincheckRuns.modelChecking().sequentialSpecification(Model.class).check(Full.class);
	}

	@Test
	void takingAndReservingFromAPartlyRefilledBucketIsLinearizable() {
		LincheckRuns.modelChecking().sequentialSpecification(ModelPartlyRefilled.class).check(PartlyRefilled.class);
	}

	@Test
	void takingAndReservingFromAnOverdrawnBucketIsLinearizable() {
		LincheckRuns.modelChecking().sequentialSpecification(ModelOverdrawn.class).check(Overdrawn.class);
	}

	@Test
	void takingAndReservingUnderStressIsLinearizable() {
		LincheckRuns.stress().sequentialSpecification(ModelPartlyRefilled.class).check(PartlyRefilled.class);
	}

	/**
	 * The operations on the real limiter.
	 */
	@Param(name = "caller", gen = ThreadIdGen.class)
	@Param(name = "permits", gen = IntGen.class, conf = "1:2")
	public abstract static class Scenario {

		private final FakeTicker ticker = new FakeTicker();

		private final RateLimiter limiter = RateLimiter.of("lincheck", CONFIG, this.ticker, new UnusedScheduler());

		// What the callers were answered, per caller (a slot is only touched by its
		// caller).
		private final long[] permitted = new long[LincheckRuns.SLOTS];

		private final long[] rejected = new long[LincheckRuns.SLOTS];

		@Operation
		public boolean tryAcquire(@Param(name = "caller") int caller, @Param(name = "permits") int permits) {
			boolean taken = this.limiter.tryAcquirePermission(permits);
			count(caller, taken);
			return taken;
		}

		@Operation
		public long reserve(@Param(name = "caller") int caller, @Param(name = "permits") int permits) {
			long wait = this.limiter.reservePermission(permits);
			count(caller, wait != RateLimiter.REJECTED);
			return wait;
		}

		@Operation
		public long available() {
			return this.limiter.metrics().availablePermissions();
		}

		/** Not an operation: see the class comment. */
		public void advanceTime() {
			this.ticker.advance(HALF_PERMIT_NANOS);
		}

		private void count(int caller, boolean taken) {
			if (taken) {
				this.permitted[caller]++;
			}
			else {
				this.rejected[caller]++;
			}
		}

		@Validate
		public void totalsAddUpOnceTheCallsHaveCompleted() {
			RateLimiter.Metrics metrics = this.limiter.metrics();
			if (metrics.totalPermittedCalls() != sum(this.permitted)
					|| metrics.totalRejectedCalls() != sum(this.rejected)) {
				throw new IllegalStateException("totals do not add up: " + metrics + ", callers were permitted "
						+ sum(this.permitted) + " times and rejected " + sum(this.rejected) + " times");
			}
		}

		private static long sum(long[] values) {
			long sum = 0;
			for (long value : values) {
				sum += value;
			}
			return sum;
		}

	}

	/**
	 * A full bucket: 2 permits.
	 */
	public static class Full extends Scenario {

	}

	/**
	 * Drained, then refilled for 250 ms: half a permit, 250 ms short of the next one.
	 */
	public static class PartlyRefilled extends Scenario {

		public PartlyRefilled() {
			tryAcquire(0, 2);
			advanceTime();
		}

	}

	/**
	 * Drained, then one permit reserved ahead: a debt of one permit.
	 */
	public static class Overdrawn extends Scenario {

		public Overdrawn() {
			tryAcquire(0, 2);
			reserve(0, 1);
		}

	}

	/**
	 * The sequential specification: a bucket of tokens, counted in half permits, that
	 * refills by one half per {@code advanceTime} up to its capacity and may be overdrawn
	 * by as many permits as the timeout refills.
	 */
	public static class Model {

		private static final int CAPACITY_HALVES = 4;

		/** How far the bucket may be overdrawn: 1 s of waiting refills 2 permits. */
		private static final int MAX_DEBT_HALVES = 4;

		private int halves = CAPACITY_HALVES;

		public boolean tryAcquire(int caller, int permits) {
			if (this.halves < 2 * permits) {
				return false;
			}
			this.halves -= 2 * permits;
			return true;
		}

		public long reserve(int caller, int permits) {
			int missing = 2 * permits - this.halves;
			if (missing <= 0) {
				this.halves -= 2 * permits;
				return 0;
			}
			if (missing > MAX_DEBT_HALVES) {
				return RateLimiter.REJECTED;
			}
			this.halves -= 2 * permits;
			return missing * HALF_PERMIT_NANOS;
		}

		public long available() {
			return Math.floorDiv(this.halves, 2);
		}

		public void advanceTime() {
			this.halves = Math.min(CAPACITY_HALVES, this.halves + 1);
		}

	}

	/**
	 * The model prepared as {@link PartlyRefilled} prepares the limiter.
	 */
	public static class ModelPartlyRefilled extends Model {

		public ModelPartlyRefilled() {
			tryAcquire(0, 2);
			advanceTime();
		}

	}

	/**
	 * The model prepared as {@link Overdrawn} prepares the limiter.
	 */
	public static class ModelOverdrawn extends Model {

		public ModelOverdrawn() {
			tryAcquire(0, 2);
			reserve(0, 1);
		}

	}

}
