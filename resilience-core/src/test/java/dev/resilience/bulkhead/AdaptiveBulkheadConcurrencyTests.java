package dev.resilience.bulkhead;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.limit.LimitAlgorithm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded stress of an AIMD bulkhead whose limit moves with every failure and success:
 * callers count themselves in after admission and out before the release, so the count is
 * never above the calls the bulkhead holds; it never exceeds {@code maxLimit}, the limit
 * never leaves its bounds, and once all is done every place came back.
 */
@Tag("concurrency")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdaptiveBulkheadConcurrencyTests {

	private static final int THREADS = 6;

	private static final int ITERATIONS = 20_000;

	private static final int MAX = 6;

	@Test
	void inFlightNeverExceedsTheLimitsBoundsAndEveryPlaceComesBack() throws Exception {
		BulkheadConfig config = BulkheadConfig.builder()
			.limitAlgorithm(LimitAlgorithm.AIMD)
			.initialLimit(4)
			.minLimit(2)
			.maxLimit(MAX)
			.build();
		Bulkhead bulkhead = Bulkhead.of("stressed", config, Ticker.system(), Scheduler.system());
		AtomicInteger inFlight = new AtomicInteger();
		AtomicReference<String> violation = new AtomicReference<>();
		AtomicInteger permitted = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			int seed = t;
			threads.add(new Thread(() -> {
				SplittableRandom random = new SplittableRandom(seed);
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					return;
				}
				for (int i = 0; i < ITERATIONS; i++) {
					if (!bulkhead.tryAcquirePermission()) {
						continue;
					}
					permitted.incrementAndGet();
					long sample = bulkhead.sampleStart();
					int now = inFlight.incrementAndGet();
					int limit = bulkhead.metrics().maxConcurrentCalls();
					if (now > MAX) {
						violation.compareAndSet(null, now + " in flight");
					}
					if (limit < 2 || limit > MAX) {
						violation.compareAndSet(null, "limit " + limit);
					}
					inFlight.decrementAndGet();
					bulkhead.releasePermission(sample, random.nextInt(5) == 0);
				}
			}));
		}
		threads.forEach(Thread::start);
		start.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		assertThat(violation.get()).isNull();
		Bulkhead.Metrics metrics = bulkhead.metrics();
		assertThat(metrics.activeCalls()).isZero();
		assertThat(metrics.availableConcurrentCalls()).isEqualTo(metrics.maxConcurrentCalls());
		assertThat(metrics.maxConcurrentCalls()).isBetween(2, MAX);
		assertThat(metrics.totalPermittedCalls()).isEqualTo(permitted.get());
	}

}
