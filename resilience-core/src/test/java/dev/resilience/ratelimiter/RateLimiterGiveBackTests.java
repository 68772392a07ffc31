package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.resilience.core.Scheduler;
import dev.resilience.testing.FakeTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A caller that gives up waiting for reserved permits (interrupted while it waits) must
 * never let the limiter grant more than its capacity plus the refill over any window,
 * whoever reserved after it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterGiveBackTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private final FakeTicker ticker = new FakeTicker();

	/** Blocks sleepers until they are interrupted, so a waiter can be caught mid-wait. */
	private final BlockingScheduler scheduler = new BlockingScheduler();

	private RateLimiter limiter() {
		return RateLimiter.of("api",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(10))
					.build(),
				this.ticker, this.scheduler);
	}

	@Test
	void aWaiterThatGivesUpBehindLaterReservationsDoesNotFreeTheirSlot() throws Exception {
		RateLimiter limiter = limiter();
		List<Long> grants = new ArrayList<>();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		grants.add(0L);
		// A waiter reserves the slot at 1 s and waits for it...
		Thread waiter = new Thread(() -> {
			assertThatExceptionOfType(RequestNotPermittedException.class)
				.isThrownBy(() -> limiter.acquirePermission(1));
		});
		waiter.start();
		this.scheduler.awaitSleeper();
		// ...someone reserves the slot at 2 s behind it...
		grants.add(limiter.reservePermission(1));
		// ...and the waiter gives up.
		waiter.interrupt();
		waiter.join(10_000);
		assertThat(waiter.isAlive()).isFalse();
		grants.add(limiter.reservePermission(1));
		grants.add(limiter.reservePermission(1));
		assertWithinCapacityAndRefill(grants, 1, SECOND);
	}

	@Test
	void aWaiterThatGivesUpLastGivesItsSlotBack() throws Exception {
		RateLimiter limiter = limiter();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		Thread waiter = new Thread(() -> {
			assertThatExceptionOfType(RequestNotPermittedException.class)
				.isThrownBy(() -> limiter.acquirePermission(1));
		});
		waiter.start();
		this.scheduler.awaitSleeper();
		waiter.interrupt();
		waiter.join(10_000);
		// Nobody reserved after it: its slot at 1 s is free again.
		assertThat(limiter.reservePermission(1)).isEqualTo(SECOND);
	}

	/**
	 * Checks that for every pair of grants the grants between them (both included) are at
	 * most the capacity plus the whole intervals elapsed.
	 */
	static void assertWithinCapacityAndRefill(List<Long> grantTimes, int capacity, long intervalNanos) {
		List<Long> sorted = new ArrayList<>(grantTimes);
		sorted.sort(null);
		for (int i = 0; i < sorted.size(); i++) {
			for (int j = i; j < sorted.size(); j++) {
				long window = sorted.get(j) - sorted.get(i);
				long allowed = capacity + window / intervalNanos;
				assertThat((long) (j - i + 1)).as("grants in [%d, %d] ns of %s", sorted.get(i), sorted.get(j), sorted)
					.isLessThanOrEqualTo(allowed);
			}
		}
	}

	private static final class BlockingScheduler implements Scheduler {

		private final CountDownLatch sleeping = new CountDownLatch(1);

		@Override
		public Cancellable schedule(Runnable task, long delayNanos) {
			throw new UnsupportedOperationException();
		}

		@Override
		public void sleep(long nanos) throws InterruptedException {
			this.sleeping.countDown();
			new CountDownLatch(1).await();
		}

		void awaitSleeper() throws InterruptedException {
			assertThat(this.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
		}

	}

}
