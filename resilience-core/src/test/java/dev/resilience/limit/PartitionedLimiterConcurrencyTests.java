package dev.resilience.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PartitionedLimiter} under contention, blocking and asynchronous callers of two
 * partitions mixed, on a fake clock that never moves: no wait can expire, so every call
 * returns only if no hand-off is ever lost. Invariants: never more requests in flight
 * than the limit at admission, every waiter completes exactly once (granted or rejected),
 * the rejections counted are the callers', and once everything is given back no place is
 * lost (nothing in flight, no waiter, the whole limit free again).
 */
@Tag("concurrency")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionedLimiterConcurrencyTests {

	private final ExecutorService executor = Executors.newFixedThreadPool(6);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	@Test
	void theLimitHoldsNoHandOffIsLostAndNoPlaceIsLost() throws Exception {
		for (int limitValue = 2; limitValue <= 5; limitValue += 3) {
			FakeTicker ticker = new FakeTicker();
			TestLimit limit = new TestLimit(limitValue);
			PartitionedLimiter limiter = PartitionedLimiter.builder(limit)
				.partition("critical", 0.5)
				.maxWait(Duration.ofHours(1))
				.ticker(ticker)
				.scheduler(new ManualScheduler(ticker))
				.build();
			int threads = 6;
			int calls = 3_000;
			AtomicInteger inFlight = new AtomicInteger();
			AtomicInteger most = new AtomicInteger();
			AtomicLongArray admitted = new AtomicLongArray(2);
			AtomicLongArray rejected = new AtomicLongArray(2);
			AtomicInteger completedTwice = new AtomicInteger();
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int caller = t;
				callers.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < calls; i++) {
						int partition = (i + caller) % 2;
						long sampleStart = limiter.sampleStart();
						boolean ok;
						if (caller % 2 == 0) {
							ok = limiter.acquire(partition);
						}
						else if (caller == 5) {
							// As a reactive chain: the request runs and ends in a stage
							// of
							// its admission, in whichever thread granted it.
							CompletableFuture<Boolean> decision = limiter.acquireAsync(partition);
							decision.thenAccept((granted) -> {
								if (granted) {
									admitted.incrementAndGet(partition);
									most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
									inFlight.decrementAndGet();
									limiter.release(partition, sampleStart, false);
								}
								else {
									rejected.incrementAndGet(partition);
								}
							}).get(30, TimeUnit.SECONDS);
							continue;
						}
						else {
							CompletableFuture<Boolean> decision = limiter.acquireAsync(partition);
							AtomicInteger completions = new AtomicInteger();
							CompletableFuture<?> observed = decision
								.whenComplete((r, e) -> completions.incrementAndGet());
							ok = decision.get(30, TimeUnit.SECONDS);
							observed.get(30, TimeUnit.SECONDS);
							if (completions.get() != 1 || decision.complete(!ok)) {
								completedTwice.incrementAndGet();
							}
						}
						if (ok) {
							admitted.incrementAndGet(partition);
							most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
							Thread.onSpinWait();
							inFlight.decrementAndGet();
							limiter.release(partition, sampleStart, false);
						}
						else {
							rejected.incrementAndGet(partition);
						}
					}
					return null;
				}));
			}
			for (Future<?> future : callers) {
				future.get(50, TimeUnit.SECONDS);
			}
			assertThat(most.get()).isLessThanOrEqualTo(limitValue);
			assertThat(completedTwice.get()).isZero();
			assertThat(limiter.inFlight()).isZero();
			assertThat(limiter.inFlight(0)).isZero();
			assertThat(limiter.inFlight(1)).isZero();
			assertThat(limiter.waiting()).isZero();
			assertThat(limiter.rejected(0)).isEqualTo(rejected.get(0));
			assertThat(limiter.rejected(1)).isEqualTo(rejected.get(1));
			assertThat(admitted.get(0) + admitted.get(1) + rejected.get(0) + rejected.get(1))
				.isEqualTo((long) threads * calls);
			assertThat(limit.samples()).hasSize((int) (admitted.get(0) + admitted.get(1)));
			// No place lost: the whole limit can be taken again, and no more.
			for (int i = 0; i < limitValue; i++) {
				assertThat(limiter.tryAcquire(0)).isTrue();
			}
			assertThat(limiter.tryAcquire(0)).isFalse();
		}
	}

	@Test
	void waitsThatEndWhileReleasesHandOffPlacesLoseNoPlace() throws Exception {
		FakeTicker ticker = new FakeTicker();
		ManualScheduler scheduler = new ManualScheduler(ticker);
		TestLimit limit = new TestLimit(3);
		PartitionedLimiter limiter = PartitionedLimiter.builder(limit)
			.partition("critical", 0.6)
			.maxWait(Duration.ofMillis(1))
			.ticker(ticker)
			.scheduler(scheduler)
			.build();
		int threads = 4;
		int calls = 3_000;
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		CyclicBarrier start = new CyclicBarrier(threads + 1);
		List<Future<?>> callers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int caller = t;
			callers.add(this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < calls; i++) {
					int partition = (i + caller) % 2;
					CompletableFuture<Boolean> decision = limiter.acquireAsync(partition);
					if (i % 7 == 0) {
						decision.cancel(false);
					}
					Boolean ok = decision.handle((r, e) -> r != null && r).get(30, TimeUnit.SECONDS);
					// A cancellation that lost to the grant: admitted all the same.
					if (ok || (decision.isDone() && !decision.isCancelled() && decision.join())) {
						most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
						inFlight.decrementAndGet();
						limiter.release(partition, 0, false);
					}
				}
				return null;
			}));
		}
		// The clock moves while the callers run: waits expire at random points.
		Future<?> clock = this.executor.submit(() -> {
			start.await();
			while (!callers.stream().allMatch(Future::isDone)) {
				scheduler.advance(Duration.ofMillis(1));
				Thread.onSpinWait();
			}
			return null;
		});
		for (Future<?> future : callers) {
			future.get(50, TimeUnit.SECONDS);
		}
		clock.get(10, TimeUnit.SECONDS);
		scheduler.advance(Duration.ofSeconds(1));
		assertThat(most.get()).isLessThanOrEqualTo(3);
		assertThat(limiter.inFlight()).isZero();
		assertThat(limiter.waiting()).isZero();
		for (int i = 0; i < 3; i++) {
			assertThat(limiter.tryAcquire(0)).isTrue();
		}
		assertThat(limiter.tryAcquire(0)).isFalse();
	}

}
