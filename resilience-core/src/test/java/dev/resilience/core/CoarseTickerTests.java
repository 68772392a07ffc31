package dev.resilience.core;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The coarse ticker's guarantee on fake time (never ahead of the clock, monotonic, at
 * most one publication behind, the clock itself while asleep), what it means for a rate
 * limiter (it can only under-grant), and its thread's lifecycle.
 */
class CoarseTickerTests {

	private static final long MS = 1_000_000;

	private final FakeTicker clock = new FakeTicker();

	private final CoarseTicker ticker = new CoarseTicker(this.clock, MS, 3, false);

	@Test
	void aReadReturnsTheLastPublicationNotTheClock() {
		long start = this.clock.read();
		this.clock.advance(Duration.ofMillis(5));
		assertThat(this.ticker.read()).isEqualTo(start);
		this.ticker.refresh();
		assertThat(this.ticker.read()).isEqualTo(start + 5 * MS);
	}

	@Test
	void readsAreNeverAheadOfTheClockNeverDecreaseAndLagByOnePublicationAtMost() {
		Random random = new Random(42);
		long previous = Long.MIN_VALUE;
		long publishedAt = this.clock.read();
		for (int step = 0; step < 10_000; step++) {
			switch (random.nextInt(3)) {
				case 0 -> this.clock.advance(random.nextInt(3 * (int) MS));
				case 1 -> {
					this.ticker.refresh();
					publishedAt = this.clock.read();
				}
				default -> {
					long read = this.ticker.read();
					assertThat(read - this.clock.read()).as("ahead of the clock").isLessThanOrEqualTo(0);
					if (previous != Long.MIN_VALUE) {
						assertThat(read - previous).as("decreased").isGreaterThanOrEqualTo(0);
					}
					if (!this.ticker.isAsleep()) {
						assertThat(read).as("older than the last publication").isEqualTo(publishedAt);
					}
					previous = read;
				}
			}
		}
	}

	@Test
	void afterIdlePublicationsItSleepsAndReadsReadTheClockUntilWoken() {
		for (int i = 0; i < 3; i++) {
			this.ticker.refresh();
		}
		assertThat(this.ticker.isAsleep()).isTrue();
		this.clock.advance(Duration.ofMillis(7));
		// Asleep, a read is as precise as the clock, and raises the published time.
		assertThat(this.ticker.read()).isEqualTo(this.clock.read());
		this.ticker.wake();
		assertThat(this.ticker.isAsleep()).isFalse();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.ticker.read()).isEqualTo(this.clock.read() - MS);
	}

	@Test
	void aReadBetweenPublicationsKeepsItAwake() {
		for (int i = 0; i < 10; i++) {
			this.ticker.refresh();
			this.ticker.read();
		}
		assertThat(this.ticker.isAsleep()).isFalse();
	}

	@Test
	void aRateLimiterOnItCanOnlyUnderGrant() {
		// 1,000 permits per second, 1 ms per permit; the burst drained first.
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(1000)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.build();
		CoarseTicker coarse = new CoarseTicker(this.clock, MS, Integer.MAX_VALUE, false);
		RateLimiter onCoarse = RateLimiter.of("coarse", config, coarse, new ManualScheduler(this.clock));
		RateLimiter precise = RateLimiter.of("precise", config, this.clock, new ManualScheduler(this.clock));
		drain(onCoarse);
		drain(precise);
		Random random = new Random(7);
		long grantedCoarse = 0;
		long grantedPrecise = 0;
		for (int step = 0; step < 5_000; step++) {
			this.clock.advance(random.nextInt(2 * (int) MS));
			if (random.nextInt(4) == 0) {
				coarse.refresh();
			}
			int wanted = random.nextInt(4);
			for (int i = 0; i < wanted; i++) {
				grantedCoarse += onCoarse.tryAcquirePermission(1) ? 1 : 0;
				grantedPrecise += precise.tryAcquirePermission(1) ? 1 : 0;
			}
			assertThat(grantedCoarse).as("granted on the coarse ticker").isLessThanOrEqualTo(grantedPrecise);
			// What it did not grant is not lost: it is still in its bucket.
			assertThat(grantedCoarse + onCoarse.metrics().availablePermissions())
				.isLessThanOrEqualTo(grantedPrecise + precise.metrics().availablePermissions());
		}
		assertThat(grantedCoarse).isPositive();
		// Once published, the time left behind is refilled: the coarse bucket holds what
		// it
		// did not grant.
		coarse.refresh();
		assertThat(grantedCoarse + onCoarse.metrics().availablePermissions())
			.isEqualTo(grantedPrecise + precise.metrics().availablePermissions());
	}

	private static void drain(RateLimiter limiter) {
		while (limiter.tryAcquirePermission(1)) {
			// drain the initial burst
		}
	}

	@Test
	void theResolutionMustBeAboveZeroAndAtMostOneSecond() {
		assertThatIllegalArgumentException().isThrownBy(() -> Ticker.coarse(Duration.ZERO))
			.withMessageContaining("resolution must be above 0 and at most 1 s, was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> Ticker.coarse(Duration.ofSeconds(2)))
			.withMessageContaining("was PT2S");
	}

	@Test
	void itsThreadPublishesSleepsWhenIdleWakesOnAReadAndStopsOnClose() throws Exception {
		CoarseTicker real = new CoarseTicker(Ticker.system(), MS, 200, true);
		Thread thread = real.refresher();
		try {
			assertThat(thread).isNotNull();
			assertThat(thread.getName()).isEqualTo("resilience-coarse-ticker");
			assertThat(thread.isDaemon()).isTrue();
			long first = real.read();
			awaitTrue("a publication after the first read", () -> real.read() - first > 0);
			// Nobody reads: it parks (200 publications, ~200 ms).
			awaitTrue("asleep while idle", () -> real.isAsleep() && thread.getState() == Thread.State.WAITING);
			long before = System.nanoTime();
			long read = real.read();
			assertThat(read - before).as("a read while asleep reads the clock").isGreaterThanOrEqualTo(0);
			awaitTrue("awake after a read", () -> !real.isAsleep());
		}
		finally {
			real.close();
		}
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(thread.isAlive()).as("stopped by close").isFalse();
		long before = System.nanoTime();
		assertThat(real.read() - before).as("closed, reads read the clock").isGreaterThanOrEqualTo(0);
	}

	@Test
	@Tag("concurrency")
	void readsOnManyThreadsAreMonotonicAndNeverAheadOfTheClock() throws Exception {
		try (CoarseTicker real = new CoarseTicker(Ticker.system(), MS / 10, 5, true)) {
			int threads = 4;
			CountDownLatch done = new CountDownLatch(threads);
			AtomicReference<String> violation = new AtomicReference<>();
			long[] last = new long[threads];
			for (int t = 0; t < threads; t++) {
				int index = t;
				Thread reader = new Thread(() -> {
					long previous = Long.MIN_VALUE;
					for (int i = 0; i < 200_000; i++) {
						long read = real.read();
						long clock = System.nanoTime();
						if (read - clock > 0) {
							violation.compareAndSet(null, "ahead of the clock by " + (read - clock) + " ns");
						}
						if (previous != Long.MIN_VALUE && read - previous < 0) {
							violation.compareAndSet(null, "decreased by " + (previous - read) + " ns");
						}
						previous = read;
						if (i % 10_000 == 0) {
							Thread.yield();
						}
					}
					last[index] = previous;
					done.countDown();
				});
				reader.start();
			}
			assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
			assertThat(violation.get()).isNull();
			// Across threads too: a read after all of them is at least each one's last.
			long after = real.read();
			for (long each : last) {
				assertThat(after - each).isGreaterThanOrEqualTo(0);
			}
		}
	}

	/** Waits, up to 10 s of real time, for a condition on a real thread. */
	private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
			throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("not " + what + " within 10 s");
			}
			Thread.sleep(1);
		}
	}

}
