package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Eight threads take permits as fast as they can while the test thread moves a fake clock
 * in 1 ms steps, waiting after each step until the threads have tried a few times, so the
 * bucket is never left to overflow and the number of grants is exact.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@Tag("concurrency")
class RateLimiterConcurrencyTests {

	private static final int THREADS = 8;

	private static final long STEP = 1_000_000L;

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);

	@AfterEach
	void shutdown() throws InterruptedException {
		this.executor.shutdownNow();
		assertThat(this.executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void neverGrantsMoreThanTheBucketPlusTheRefill() throws Exception {
		// One permit per 10 ms, a bucket of 20: over 200 ms, 20 + 20 permits.
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(100)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.burstCapacity(20)
			.timeoutDuration(Duration.ZERO)
			.build();
		hammer(config, 200, false);
	}

	@Test
	void neverGrantsMoreThanTheBucketPlusTheRefillWhenTheIntervalIsFractional() throws Exception {
		// One permit per 3.33 ms, a bucket of 5: over 200 ms, 5 + 60 permits.
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofMillis(10))
			.burstCapacity(5)
			.timeoutDuration(Duration.ZERO)
			.build();
		hammer(config, 200, false);
	}

	@Test
	void reconfiguringWhileThreadsTakePermitsNeitherLosesNorCreatesPermits() throws Exception {
		// Another thread flips the timeout back and forth; the rate and bucket stay, so
		// the
		// count must stay exact.
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofMillis(10))
			.burstCapacity(5)
			.timeoutDuration(Duration.ZERO)
			.build();
		hammer(config, 200, true);
	}

	/**
	 * Spins until the threads have made {@code target} attempts; the timeout interrupts.
	 */
	private static void awaitAttempts(LongAdder attempts, long target) throws InterruptedException {
		while (attempts.sum() < target) {
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			Thread.onSpinWait();
		}
	}

	private void hammer(RateLimiterConfig config, int steps, boolean reconfigure) throws Exception {
		FakeTicker ticker = new FakeTicker();
		RateLimiter limiter = RateLimiter.of("hammered", config, ticker, new ManualScheduler(ticker));
		int capacity = config.effectiveBurstCapacity();
		long period = config.limitRefreshPeriod().toNanos();
		int limit = config.limitForPeriod();
		LongAdder attempts = new LongAdder();
		LongAdder granted = new LongAdder();
		AtomicBoolean done = new AtomicBoolean();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			workers.add(this.executor.submit(() -> {
				start.await();
				while (!done.get()) {
					attempts.increment();
					if (limiter.tryAcquirePermission(1)) {
						granted.increment();
					}
					else {
						// Leave the test thread (which moves time) some processor.
						Thread.yield();
					}
				}
				return null;
			}));
		}
		Future<?> reconfigurer = null;
		if (reconfigure) {
			RateLimiterConfig patient = RateLimiterConfig.from(config).timeoutDuration(Duration.ofSeconds(1)).build();
			reconfigurer = this.executor.submit(() -> {
				start.await();
				boolean flip = false;
				while (!done.get()) {
					limiter.reconfigure(flip ? config : patient);
					flip = !flip;
					// Let the workers in between, or they would mostly spin on the
					// switch.
					long before = attempts.sum();
					while (attempts.sum() < before + THREADS && !done.get()) {
						Thread.onSpinWait();
					}
				}
				return null;
			});
		}
		start.countDown();
		try {
			for (int step = 0; step <= steps; step++) {
				long elapsed = ticker.read();
				long before = attempts.sum();
				awaitAttempts(attempts, before + 2 * THREADS);
				// Every grant so far was decided at or before this time.
				long bound = capacity + elapsed * limit / period;
				assertThat(granted.sum()).as("granted by %d ns", elapsed).isLessThanOrEqualTo(bound);
				if (step < steps) {
					ticker.advance(STEP);
				}
			}
		}
		finally {
			done.set(true);
		}
		for (Future<?> worker : workers) {
			worker.get(5, TimeUnit.SECONDS);
		}
		if (reconfigurer != null) {
			reconfigurer.get(5, TimeUnit.SECONDS);
		}
		long drained = 0;
		while (limiter.tryAcquirePermission(1)) {
			drained++;
		}
		long elapsed = ticker.read();
		long total = granted.sum() + drained;
		assertThat(total).isEqualTo(capacity + elapsed * limit / period);
		RateLimiter.Metrics metrics = limiter.metrics();
		assertThat(metrics.totalPermittedCalls()).isEqualTo(total);
		assertThat(metrics.totalPermittedCalls() + metrics.totalRejectedCalls())
			.isEqualTo(attempts.sum() + drained + 1);
		assertThat(metrics.availablePermissions()).isZero();
	}

}
