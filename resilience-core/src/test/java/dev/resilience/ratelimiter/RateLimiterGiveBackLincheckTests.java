package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.resilience.core.Scheduler;
import dev.resilience.lincheck.LincheckRuns;
import dev.resilience.testing.FakeTicker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.resilience.lincheck.LincheckRuns.call;
import static dev.resilience.lincheck.LincheckRuns.scenario;

/**
 * Lincheck: a synchronous caller that gives its reserved permits back (it was interrupted
 * while it waited) never lets the limiter grant more than its capacity plus its refill
 * over any window.
 * <p>
 * The limiter grants one permit per second from a bucket of 1 and lets a caller wait up
 * to 2 s; it starts drained, and time stands still, so every permit is reserved for a
 * later second. {@code reserve} records the instant its permit is for (now plus the wait
 * answered); {@code acquireAndGiveUp} is a synchronous caller interrupted as soon as it
 * waits, which gives its permit back. Once the scenario is over, no window {@code [a, b]}
 * may hold more than {@code 1 + (b - a) / 1 s} of the recorded instants.
 */
@Tag("concurrency")
class RateLimiterGiveBackLincheckTests {

	static final long PERIOD_NANOS = Duration.ofSeconds(1).toNanos();

	static final RateLimiterConfig CONFIG = RateLimiterConfig.builder()
		.limitForPeriod(1)
		.limitRefreshPeriod(Duration.ofNanos(PERIOD_NANOS))
		.timeoutDuration(Duration.ofSeconds(2))
		.build();

	/**
	 * A caller reserves the permit of second 1 and gives it back after another caller
	 * reserved second 2; a third reservation must not get second 2 again.
	 */
	@Test
	void aPermitGivenBackIsNeverGrantedTwice() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.addCustomScenario(scenario(List.of(),
					List.of(List.of(call(c, "acquireAndGiveUp", 1)),
							List.of(call(c, "reserve", 2), call(c, "reserve", 2))),
					List.of()))
			.check(c);
	}

	@Test
	void aPermitGivenBackIsNeverGrantedTwiceUnderStress() {
		LincheckRuns.stress().check(Scenario.class);
	}

	/**
	 * The operations on the real limiter.
	 */
	@Param(name = "caller", gen = ThreadIdGen.class)
	public static class Scenario {

		private final FakeTicker ticker = new FakeTicker();

		private final RateLimiter limiter = RateLimiter.of("lincheck", CONFIG, this.ticker,
				new InterruptingScheduler());

		// The instants the permits were granted for, per caller (a slot is only touched
		// by its caller).
		private final List<List<Long>> granted = new ArrayList<>();

		public Scenario() {
			for (int caller = 0; caller < LincheckRuns.SLOTS; caller++) {
				this.granted.add(new ArrayList<>());
			}
			// Drained: every later permit is for a later second.
			this.limiter.tryAcquirePermission(1);
		}

		@Operation
		public void reserve(@Param(name = "caller") int caller) {
			long wait = this.limiter.reservePermission(1);
			if (wait != RateLimiter.REJECTED) {
				this.granted.get(caller).add(this.ticker.read() + wait);
			}
		}

		@Operation
		public void acquireAndGiveUp(@Param(name = "caller") int caller) {
			try {
				this.limiter.acquirePermission(1);
				// No wait: granted now.
				this.granted.get(caller).add(this.ticker.read());
			}
			catch (RequestNotPermittedException ex) {
				// Rejected, or interrupted while waiting and gave the permit back; the
				// interrupt is ours, not the test thread's.
				Thread.interrupted();
			}
		}

		@Validate
		public void neverMoreThanTheCapacityPlusTheRefillOverAnyWindow() {
			List<Long> instants = new ArrayList<>();
			this.granted.forEach(instants::addAll);
			Collections.sort(instants);
			for (int from = 0; from < instants.size(); from++) {
				for (int to = from; to < instants.size(); to++) {
					long window = instants.get(to) - instants.get(from);
					long allowed = 1 + window / PERIOD_NANOS;
					if (to - from + 1 > allowed) {
						throw new IllegalStateException((to - from + 1) + " permits granted within " + window
								+ " ns, at most " + allowed + " allowed: " + instants);
					}
				}
			}
		}

	}

	/**
	 * Interrupts every caller that waits: the waiter gives its permits back.
	 */
	static final class InterruptingScheduler implements Scheduler {

		@Override
		public Cancellable schedule(Runnable task, long delayNanos) {
			throw new UnsupportedOperationException("a rate limiter schedules nothing");
		}

		@Override
		public void sleep(long nanos) throws InterruptedException {
			throw new InterruptedException();
		}

	}

}
