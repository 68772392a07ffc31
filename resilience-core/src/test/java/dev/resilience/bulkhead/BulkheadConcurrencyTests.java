package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
@Tag("concurrency")
class BulkheadConcurrencyTests {

	private static final int THREADS = 8;

	private static final int ITERATIONS = 5_000;

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);

	@AfterEach
	void shutdown() throws InterruptedException {
		this.executor.shutdownNow();
		assertThat(this.executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void neverAdmitsMoreCallsThanTheLimitAndCountsEveryAttempt() throws Exception {
		Bulkhead bulkhead = Bulkhead.of("hammered", BulkheadConfig.builder().maxConcurrentCalls(3).build());
		Result result = hammer(bulkhead, false, () -> {
		});
		assertThat(result.maxInFlight).isBetween(1, 3);
		Bulkhead.Metrics metrics = bulkhead.metrics();
		assertThat(metrics.totalPermittedCalls()).isEqualTo(result.permitted);
		assertThat(metrics.totalPermittedCalls() + metrics.totalRejectedCalls()).isEqualTo(THREADS * ITERATIONS);
		assertThat(metrics.availableConcurrentCalls()).isEqualTo(3);
	}

	@Test
	void waitingCallersAllGetAPlaceInTheEnd() throws Exception {
		Bulkhead bulkhead = Bulkhead.of("hammered",
				BulkheadConfig.builder().maxConcurrentCalls(3).maxWaitDuration(Duration.ofSeconds(10)).build());
		Result result = hammer(bulkhead, true, () -> {
		});
		assertThat(result.maxInFlight).isBetween(1, 3);
		assertThat(result.permitted).isEqualTo(THREADS * ITERATIONS);
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(3, 3, THREADS * ITERATIONS, 0, 0));
	}

	@Test
	void neverAdmitsMoreThanTheLargerLimitWhileTheLimitChanges() throws Exception {
		BulkheadConfig narrow = BulkheadConfig.builder().maxConcurrentCalls(2).build();
		BulkheadConfig wide = BulkheadConfig.builder().maxConcurrentCalls(5).build();
		Bulkhead bulkhead = Bulkhead.of("hammered", narrow);
		AtomicBoolean flip = new AtomicBoolean();
		Result result = hammer(bulkhead, false,
				() -> bulkhead.reconfigure(flip.getAndSet(!flip.get()) ? narrow : wide));
		assertThat(result.maxInFlight).isBetween(1, 5);
		assertThat(result.reconfigurations).isPositive();
		// After quiescence the free places equal the limit in force.
		Bulkhead.Metrics metrics = bulkhead.metrics();
		assertThat(metrics.availableConcurrentCalls()).isEqualTo(bulkhead.config().maxConcurrentCalls());
		assertThat(metrics.activeCalls()).isZero();
		assertThat(metrics.totalPermittedCalls() + metrics.totalRejectedCalls()).isEqualTo(THREADS * ITERATIONS);
		bulkhead.reconfigure(narrow);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(2);
	}

	private Result hammer(Bulkhead bulkhead, boolean wait, Runnable sideTask) throws Exception {
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger maxInFlight = new AtomicInteger();
		LongAdder permitted = new LongAdder();
		AtomicBoolean done = new AtomicBoolean();
		CountDownLatch start = new CountDownLatch(1);
		// Workers start only once the side task has run at least once, so that it always
		// overlaps them (on a loaded machine it might otherwise start after they
		// finished).
		CountDownLatch sideRan = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			workers.add(this.executor.submit(() -> {
				start.await();
				sideRan.await();
				for (int i = 0; i < ITERATIONS; i++) {
					boolean admitted;
					if (wait) {
						bulkhead.acquirePermission();
						admitted = true;
					}
					else {
						admitted = bulkhead.tryAcquirePermission();
					}
					if (admitted) {
						int now = inFlight.incrementAndGet();
						maxInFlight.accumulateAndGet(now, Math::max);
						permitted.increment();
						// Hold the place a little, so that calls overlap.
						for (int spin = 0; spin < 20; spin++) {
							Thread.onSpinWait();
						}
						inFlight.decrementAndGet();
						bulkhead.releasePermission();
					}
				}
				return null;
			}));
		}
		LongAdder reconfigurations = new LongAdder();
		Future<?> side = this.executor.submit(() -> {
			start.await();
			do {
				sideTask.run();
				reconfigurations.increment();
				sideRan.countDown();
				Thread.yield();
			}
			while (!done.get());
			return null;
		});
		start.countDown();
		try {
			for (Future<?> worker : workers) {
				worker.get(15, TimeUnit.SECONDS);
			}
		}
		finally {
			done.set(true);
		}
		side.get(5, TimeUnit.SECONDS);
		return new Result(maxInFlight.get(), permitted.sum(), reconfigurations.sum());
	}

	private record Result(int maxInFlight, long permitted, long reconfigurations) {
	}

}
