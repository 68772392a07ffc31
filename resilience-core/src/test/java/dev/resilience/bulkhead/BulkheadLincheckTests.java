package dev.resilience.bulkhead;

import dev.resilience.lincheck.LincheckRuns;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: taking and giving back places, and changing the limit while calls are in
 * flight, is linearizable against a plain counter ({@link Model}); once the calls have
 * completed the figures add up and the free places equal the limit in force, never more.
 * <p>
 * Each caller (a Lincheck thread) remembers how many places it holds and gives back only
 * those. The limit starts at 2 and {@code reconfigure} sets it to 1, 2 or 3.
 * <p>
 * What is linearizable: {@code tryAcquirePermission}, {@code releasePermission},
 * {@code reconfigure} and {@code metrics().availableConcurrentCalls()}, all decided by
 * the one semaphore count (below zero after the limit was lowered under the calls in
 * flight). What is not: a snapshot that pairs the limit with the free places
 * ({@code maxConcurrentCalls}, {@code activeCalls()}) during a reconfiguration, which
 * writes the limit before it adjusts the places (documented on {@code metrics()}); nor
 * the totals, counted after the decision. Those are checked at quiescence.
 */
@Tag("concurrency")
class BulkheadLincheckTests {

	static final int INITIAL_LIMIT = 2;

	@Test
	void takingGivingBackAndResizingIsLinearizable() {
		LincheckRuns.modelChecking().sequentialSpecification(Model.class).check(Scenario.class);
	}

	@Test
	void takingGivingBackAndResizingUnderStressIsLinearizable() {
		LincheckRuns.stress().sequentialSpecification(Model.class).check(Scenario.class);
	}

	static BulkheadConfig config(int limit) {
		return BulkheadConfig.builder().maxConcurrentCalls(limit).build();
	}

	/**
	 * The operations on the real bulkhead.
	 */
	@Param(name = "caller", gen = ThreadIdGen.class)
	@Param(name = "limit", gen = IntGen.class, conf = "1:3")
	public static class Scenario {

		private final Bulkhead bulkhead = Bulkhead.of("lincheck", config(INITIAL_LIMIT));

		// Per caller (a slot is only touched by its caller).
		private final int[] held = new int[LincheckRuns.SLOTS];

		private final long[] permitted = new long[LincheckRuns.SLOTS];

		private final long[] rejected = new long[LincheckRuns.SLOTS];

		@Operation
		public boolean tryAcquire(@Param(name = "caller") int caller) {
			if (this.bulkhead.tryAcquirePermission()) {
				this.held[caller]++;
				this.permitted[caller]++;
				return true;
			}
			this.rejected[caller]++;
			return false;
		}

		@Operation
		public boolean release(@Param(name = "caller") int caller) {
			if (this.held[caller] == 0) {
				return false;
			}
			this.held[caller]--;
			this.bulkhead.releasePermission();
			return true;
		}

		@Operation
		public int available() {
			return this.bulkhead.metrics().availableConcurrentCalls();
		}

		@Operation
		public void reconfigure(@Param(name = "limit") int limit) {
			this.bulkhead.reconfigure(config(limit));
		}

		/**
		 * Once every call has completed: the figures match the callers' tallies, and once
		 * every place is given back the free places are exactly the limit.
		 */
		@Validate
		public void figuresAddUpAndEveryPlaceComesBack() {
			int limit = this.bulkhead.config().maxConcurrentCalls();
			Bulkhead.Metrics metrics = this.bulkhead.metrics();
			check(metrics.maxConcurrentCalls() == limit, "limit", metrics);
			check(metrics.activeCalls() == sum(this.held), "active calls " + sum(this.held), metrics);
			check(metrics.totalPermittedCalls() == sum(this.permitted), "permitted", metrics);
			check(metrics.totalRejectedCalls() == sum(this.rejected), "rejected", metrics);
			for (int caller = 0; caller < LincheckRuns.SLOTS; caller++) {
				while (this.held[caller] > 0) {
					this.held[caller]--;
					this.bulkhead.releasePermission();
				}
			}
			check(this.bulkhead.metrics().availableConcurrentCalls() == limit, "free places after all came back",
					this.bulkhead.metrics());
		}

		private static long sum(long[] values) {
			long sum = 0;
			for (long value : values) {
				sum += value;
			}
			return sum;
		}

		private static int sum(int[] values) {
			int sum = 0;
			for (int value : values) {
				sum += value;
			}
			return sum;
		}

		private static void check(boolean holds, String what, Bulkhead.Metrics metrics) {
			if (!holds) {
				throw new IllegalStateException("figures do not add up (" + what + "): " + metrics);
			}
		}

	}

	/**
	 * The sequential specification: a limit and the number of calls in flight.
	 */
	public static class Model {

		private int limit = INITIAL_LIMIT;

		private int inFlight;

		private final int[] held = new int[LincheckRuns.SLOTS];

		public boolean tryAcquire(int caller) {
			if (this.inFlight >= this.limit) {
				return false;
			}
			this.inFlight++;
			this.held[caller]++;
			return true;
		}

		public boolean release(int caller) {
			if (this.held[caller] == 0) {
				return false;
			}
			this.held[caller]--;
			this.inFlight--;
			return true;
		}

		public int available() {
			return this.limit - this.inFlight;
		}

		public void reconfigure(int limit) {
			this.limit = limit;
		}

	}

}
