package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.resilience.circuitbreaker.CircuitBreaker.Metrics;
import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.lincheck.LincheckRuns;
import dev.resilience.lincheck.UnusedScheduler;
import dev.resilience.testing.FakeTicker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.resilience.lincheck.LincheckRuns.call;
import static dev.resilience.lincheck.LincheckRuns.scenario;

/**
 * Lincheck: the breaker's protocol is linearizable against a plain sequential model of it
 * (the {@link Model} below, written without concurrency or cleverness), and its figures
 * add up once the calls have completed.
 * <p>
 * Each caller (a Lincheck thread) holds at most one permit: {@code acquire} takes one,
 * {@code succeed}, {@code fail}, {@code ignore} (an ignored exception) and
 * {@code release} complete it. The breaker counts the last 2 calls, opens at 50 %
 * failures after 2 calls, waits 1 s open and lets 2 trial calls through half-open. Each
 * scenario starts from a state prepared one call at a time (new; open with its wait just
 * passed, so that the next call moves it to half-open).
 * <p>
 * What is linearizable: whether a call is permitted and in which state it is rejected,
 * the state, and every transition (an outcome counts only in the state entry its permit
 * came from). What is not, and is checked at quiescence only (the {@code @Validate}
 * step): the metrics. {@link CircuitBreaker#metrics()} reads the window and the totals
 * one counter at a time, and a call counts in the totals before it counts in the window,
 * so a snapshot taken during a call may show it half-recorded; once all calls have
 * completed the totals equal what the callers reported and the free trial slots equal the
 * trials not yet taken.
 * <p>
 * Time moves only in {@link #anOpenWaitCountsFromTheTransitionItself}, a hand-written
 * scenario: an open state's wait counts from after the transition's compare-and-set.
 */
@Tag("concurrency")
class CircuitBreakerLincheckTests {

	static final int WINDOW = 2;

	static final int TRIALS = 2;

	static final long WAIT_NANOS = Duration.ofSeconds(1).toNanos();

	static final CircuitBreakerConfig CONFIG = CircuitBreakerConfig.builder()
		.slidingWindowSize(WINDOW)
		.minimumNumberOfCalls(WINDOW)
		.failureRateThreshold(50)
		.waitDurationInOpenState(Duration.ofNanos(WAIT_NANOS))
		.permittedNumberOfCallsInHalfOpenState(TRIALS)
		.ignoreExceptions(IllegalStateException.class)
		.build();

	static final String PERMITTED = "permitted";

	static final String HOLDING = "already holding a permit";

	@Test
	void aClosedBreakerIsLinearizable() {
		LincheckRuns.modelChecking().sequentialSpecification(Model.class).check(FromClosed.class);
	}

	@Test
	void aBreakerWhoseOpenWaitHasPassedIsLinearizableThroughHalfOpen() {
		LincheckRuns.modelChecking().sequentialSpecification(ModelFromOpen.class).check(FromOpen.class);
	}

	/**
	 * An open state's wait counts from the moment the breaker is open: a clock step
	 * between building the open state and publishing it must not shorten the wait. (This
	 * scenario failed while the open state took its start time before the transition's
	 * compare-and-set.)
	 */
	@Test
	void anOpenWaitCountsFromTheTransitionItself() {
		Class<?> c = FromOneFailure.class;
		LincheckRuns.modelChecking()
			.iterations(0)
			.invocationsPerIteration(2_000)
			.sequentialSpecification(ModelFromOneFailure.class)
			.addCustomScenario(scenario(List.of(),
					List.of(List.of(call(c, "acquire", 1), call(c, "fail", 1)),
							List.of(call(c, "advanceTime"), call(c, "state"), call(c, "acquire", 2), call(c, "state"))),
					List.of()))
			.check(c);
	}

	@Test
	void aBreakerUnderStressIsLinearizable() {
		LincheckRuns.stress().sequentialSpecification(ModelFromOpen.class).check(FromOpen.class);
	}

	/**
	 * The operations on the real breaker.
	 */
	@Param(name = "caller", gen = ThreadIdGen.class)
	public abstract static class Scenario {

		final FakeTicker ticker = new FakeTicker();

		final CircuitBreaker breaker = CircuitBreaker.of("lincheck", CONFIG, this.ticker, new UnusedScheduler());

		private final @Nullable Permit[] held = new Permit[LincheckRuns.SLOTS];

		// What the callers reported, per caller (a slot is only touched by its caller).
		private final long[] successes = new long[LincheckRuns.SLOTS];

		private final long[] failures = new long[LincheckRuns.SLOTS];

		private final long[] ignored = new long[LincheckRuns.SLOTS];

		private final long[] rejected = new long[LincheckRuns.SLOTS];

		@Operation
		public String acquire(@Param(name = "caller") int caller) {
			if (this.held[caller] != null) {
				return HOLDING;
			}
			try {
				this.held[caller] = this.breaker.acquirePermit();
				return PERMITTED;
			}
			catch (CallNotPermittedException ex) {
				this.rejected[caller]++;
				return "rejected in " + ex.state();
			}
		}

		@Operation
		public boolean succeed(@Param(name = "caller") int caller) {
			Permit permit = take(caller);
			if (permit == null) {
				return false;
			}
			permit.onSuccess(0, "ok");
			this.successes[caller]++;
			return true;
		}

		@Operation
		public boolean fail(@Param(name = "caller") int caller) {
			Permit permit = take(caller);
			if (permit == null) {
				return false;
			}
			permit.onFailure(0, new IOException("down"));
			this.failures[caller]++;
			return true;
		}

		@Operation
		public boolean ignore(@Param(name = "caller") int caller) {
			Permit permit = take(caller);
			if (permit == null) {
				return false;
			}
			permit.onFailure(0, new IllegalStateException("ignored"));
			this.ignored[caller]++;
			return true;
		}

		@Operation
		public boolean release(@Param(name = "caller") int caller) {
			Permit permit = take(caller);
			if (permit == null) {
				return false;
			}
			permit.release();
			return true;
		}

		@Operation
		public State state() {
			return this.breaker.state();
		}

		/** Not an operation: see the class comment. */
		public void advanceTime() {
			this.ticker.advance(WAIT_NANOS);
		}

		private @Nullable Permit take(int caller) {
			Permit permit = this.held[caller];
			this.held[caller] = null;
			return permit;
		}

		/**
		 * Once every call has completed: the totals are what the callers reported, and in
		 * half-open every trial slot not used by a completed trial can be taken (none was
		 * lost by a release or an ignored call).
		 */
		@Validate
		public void figuresAddUpOnceTheCallsHaveCompleted() {
			Metrics metrics = this.breaker.metrics();
			check(metrics.totalSuccessfulCalls() == sum(this.successes), "successful", metrics);
			check(metrics.totalFailedCalls() == sum(this.failures), "failed", metrics);
			check(metrics.totalIgnoredCalls() == sum(this.ignored), "ignored", metrics);
			check(metrics.totalNotPermittedCalls() == sum(this.rejected), "not permitted", metrics);
			check(metrics.failedCalls() <= metrics.bufferedCalls(), "failed within buffered", metrics);
			if (metrics.state() == State.CLOSED) {
				check(metrics.bufferedCalls() <= WINDOW, "window size", metrics);
			}
			for (int caller = 0; caller < LincheckRuns.SLOTS; caller++) {
				Permit permit = take(caller);
				if (permit != null) {
					permit.release();
				}
			}
			if (this.breaker.state() == State.HALF_OPEN) {
				int completedTrials = this.breaker.metrics().bufferedCalls();
				Deque<Permit> trials = new ArrayDeque<>();
				try {
					while (trials.size() <= TRIALS) {
						trials.add(this.breaker.acquirePermit());
					}
				}
				catch (CallNotPermittedException ex) {
					// All free trial slots taken.
				}
				check(trials.size() == TRIALS - completedTrials,
						"free trial slots " + trials.size() + " after " + completedTrials + " completed trials",
						metrics);
			}
		}

		private static long sum(long[] values) {
			long sum = 0;
			for (long value : values) {
				sum += value;
			}
			return sum;
		}

		private static void check(boolean holds, String what, Metrics metrics) {
			if (!holds) {
				throw new IllegalStateException("figures do not add up (" + what + "): " + metrics);
			}
		}

	}

	/**
	 * A new breaker.
	 */
	public static class FromClosed extends Scenario {

	}

	/**
	 * A breaker opened by two failures whose open wait has just passed: the next call
	 * moves it to half-open.
	 */
	public static class FromOpen extends Scenario {

		public FromOpen() {
			acquire(0);
			fail(0);
			acquire(0);
			fail(0);
			advanceTime();
		}

	}

	/**
	 * A breaker with one failure recorded: the next failure opens it.
	 */
	public static class FromOneFailure extends Scenario {

		public FromOneFailure() {
			acquire(0);
			fail(0);
		}

	}

	/**
	 * The sequential specification: what one breaker does, one call at a time.
	 */
	public static class Model {

		private long now;

		private State state = State.CLOSED;

		/** Incremented on every state entry; a permit of another entry is stale. */
		private int entry;

		private final Deque<Boolean> window = new ArrayDeque<>();

		private long openedAt;

		private int trialsTaken;

		private int trialsCompleted;

		private int trialFailures;

		private final int[] heldEntry = new int[LincheckRuns.SLOTS];

		private final boolean[] holding = new boolean[LincheckRuns.SLOTS];

		public String acquire(int caller) {
			if (this.holding[caller]) {
				return HOLDING;
			}
			if (this.state == State.OPEN && this.now - this.openedAt >= WAIT_NANOS) {
				enter(State.HALF_OPEN);
			}
			if (this.state == State.OPEN || (this.state == State.HALF_OPEN && this.trialsTaken == TRIALS)) {
				return "rejected in " + this.state;
			}
			if (this.state == State.HALF_OPEN) {
				this.trialsTaken++;
			}
			this.holding[caller] = true;
			this.heldEntry[caller] = this.entry;
			return PERMITTED;
		}

		public boolean succeed(int caller) {
			return complete(caller, false);
		}

		public boolean fail(int caller) {
			return complete(caller, true);
		}

		public boolean ignore(int caller) {
			return release(caller);
		}

		public boolean release(int caller) {
			if (!this.holding[caller]) {
				return false;
			}
			this.holding[caller] = false;
			if (this.heldEntry[caller] == this.entry && this.state == State.HALF_OPEN) {
				this.trialsTaken--;
			}
			return true;
		}

		public State state() {
			return this.state;
		}

		public void advanceTime() {
			this.now += WAIT_NANOS;
		}

		private boolean complete(int caller, boolean failed) {
			if (!this.holding[caller]) {
				return false;
			}
			this.holding[caller] = false;
			if (this.heldEntry[caller] != this.entry) {
				return true;
			}
			if (this.state == State.CLOSED) {
				this.window.addLast(failed);
				if (this.window.size() > WINDOW) {
					this.window.removeFirst();
				}
				long failures = this.window.stream().filter((f) -> f).count();
				if (this.window.size() == WINDOW && failures * 100 >= 50 * WINDOW) {
					enter(State.OPEN);
				}
			}
			else if (this.state == State.HALF_OPEN) {
				this.trialsCompleted++;
				this.trialFailures += failed ? 1 : 0;
				if (this.trialsCompleted == TRIALS) {
					enter((this.trialFailures * 100 >= 50 * TRIALS) ? State.OPEN : State.CLOSED);
				}
			}
			return true;
		}

		private void enter(State next) {
			this.state = next;
			this.entry++;
			this.window.clear();
			this.openedAt = this.now;
			this.trialsTaken = 0;
			this.trialsCompleted = 0;
			this.trialFailures = 0;
		}

	}

	/**
	 * The model prepared as {@link FromOneFailure} prepares the breaker.
	 */
	public static class ModelFromOneFailure extends Model {

		public ModelFromOneFailure() {
			acquire(0);
			fail(0);
		}

	}

	/**
	 * The model prepared as {@link FromOpen} prepares the breaker.
	 */
	public static class ModelFromOpen extends Model {

		public ModelFromOpen() {
			acquire(0);
			fail(0);
			acquire(0);
			fail(0);
			advanceTime();
		}

	}

}
