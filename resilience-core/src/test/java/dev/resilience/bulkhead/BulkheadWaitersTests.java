package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waiting callers under contention, on a fake clock that never moves: no waiter can time
 * out, so every call completes only if no wake-up is ever lost, and the limit holds
 * throughout.
 */
@Tag("concurrency")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkheadWaitersTests {

	private final ExecutorService executor = Executors.newFixedThreadPool(6);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	@Test
	void noWakeUpIsLostAndTheLimitHolds() throws Exception {
		for (int limit = 1; limit <= 2; limit++) {
			FakeTicker ticker = new FakeTicker();
			Bulkhead bulkhead = Bulkhead.of("waiters",
					BulkheadConfig.builder().maxConcurrentCalls(limit).maxWaitDuration(Duration.ofHours(1)).build(),
					ticker, new ManualScheduler(ticker));
			int threads = 6;
			int calls = 2_000;
			AtomicInteger inFlight = new AtomicInteger();
			AtomicInteger most = new AtomicInteger();
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				callers.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < calls; i++) {
						bulkhead.acquirePermission();
						try {
							most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
							Thread.onSpinWait();
						}
						finally {
							inFlight.decrementAndGet();
							bulkhead.releasePermission();
						}
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(30, TimeUnit.SECONDS);
			}
			assertThat(most.get()).as("calls in flight at once, limit %d", limit).isLessThanOrEqualTo(limit);
			Bulkhead.Metrics metrics = bulkhead.metrics();
			assertThat(metrics.totalPermittedCalls()).isEqualTo((long) threads * calls);
			assertThat(metrics.totalRejectedCalls()).isZero();
			assertThat(metrics.availableConcurrentCalls()).isEqualTo(limit);
		}
	}

}
