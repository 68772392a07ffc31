package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.circuitbreaker.CircuitBreaker.Metrics;
import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races on one breaker, bounded in threads, iterations and time, with exact invariants
 * checked once the threads have finished.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@Tag("concurrency")
class CircuitBreakerConcurrencyTests {

	private static final int THREADS = 8;

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS);

	@AfterEach
	void stopThreads() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(5, TimeUnit.SECONDS);
	}

	/** Runs {@code body} on every thread at once (start gate) and waits for all. */
	private void race(ThreadBody body) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			int thread = i;
			futures.add(this.executor.submit(() -> {
				start.await();
				body.run(thread);
				return null;
			}));
		}
		start.countDown();
		for (Future<?> future : futures) {
			future.get(15, TimeUnit.SECONDS);
		}
	}

	@Test
	void halfOpenAdmitsExactlyThePermittedTrialCallsToRacingThreads() throws Exception {
		int permitted = 5;
		int attempts = 20;
		CircuitBreaker breaker = CircuitBreaker.of("race",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(permitted).build(), this.ticker,
				this.scheduler);
		for (int round = 0; round < 200; round++) {
			breaker.transitionTo(State.HALF_OPEN);
			List<Permit> permits = Collections.synchronizedList(new ArrayList<>());
			LongAdder rejections = new LongAdder();
			race((thread) -> {
				for (int i = 0; i < attempts; i++) {
					try {
						permits.add(breaker.acquirePermit());
					}
					catch (CallNotPermittedException ex) {
						rejections.increment();
					}
				}
			});
			assertThat(permits).hasSize(permitted);
			assertThat(rejections.sum()).isEqualTo(THREADS * attempts - permitted);
			assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(rejections.sum());
			for (Permit permit : permits) {
				assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
				permit.onSuccess(0, null);
			}
			assertThat(breaker.state()).isEqualTo(State.CLOSED);
		}
	}

	@Test
	void halfOpenNeverHasMoreTrialCallsInFlightThanPermitted() throws Exception {
		int permitted = 3;
		CircuitBreaker breaker = CircuitBreaker.of("race",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(permitted).build(), this.ticker,
				this.scheduler);
		breaker.transitionTo(State.HALF_OPEN);
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger maxInFlight = new AtomicInteger();
		LongAdder admitted = new LongAdder();
		race((thread) -> {
			for (int i = 0; i < 20_000; i++) {
				Permit permit;
				try {
					permit = breaker.acquirePermit();
				}
				catch (CallNotPermittedException ex) {
					continue;
				}
				int current = inFlight.incrementAndGet();
				maxInFlight.accumulateAndGet(current, Math::max);
				admitted.increment();
				inFlight.decrementAndGet();
				// Released, never completed: the breaker stays half-open.
				permit.release();
			}
		});
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(maxInFlight.get()).isBetween(1, permitted);
		assertThat(admitted.sum()).isPositive();
		// Every slot came back: exactly the permitted number can be taken again.
		for (int i = 0; i < permitted; i++) {
			breaker.acquirePermit();
		}
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(breaker.metrics().totalNotPermittedCalls());
		long before = breaker.metrics().notPermittedCalls();
		try {
			breaker.acquirePermit();
		}
		catch (CallNotPermittedException ex) {
			// expected
		}
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(before + 1);
	}

	@Test
	void totalsAddUpExactlyWhileTheBreakerOpensAndCloses() throws Exception {
		CircuitBreaker breaker = CircuitBreaker.of("race",
				CircuitBreakerConfig.builder()
					.slidingWindowSize(20)
					.minimumNumberOfCalls(10)
					.failureRateThreshold(50)
					.waitDurationInOpenState(Duration.ofMillis(1))
					.permittedNumberOfCallsInHalfOpenState(3)
					.ignoreExceptions(IllegalStateException.class)
					.build(),
				this.ticker, this.scheduler);
		AtomicLong transitions = new AtomicLong();
		breaker.events().onEvent((event) -> {
			if (event.type() == CircuitBreakerEvent.Type.STATE_TRANSITION) {
				transitions.incrementAndGet();
			}
		});
		LongAdder successes = new LongAdder();
		LongAdder failures = new LongAdder();
		LongAdder ignored = new LongAdder();
		LongAdder released = new LongAdder();
		LongAdder rejections = new LongAdder();
		int calls = 20_000;
		race((thread) -> {
			SplittableRandom random = new SplittableRandom(thread);
			for (int i = 0; i < calls; i++) {
				if (i % 64 == 0) {
					this.ticker.advance(Duration.ofMillis(1));
				}
				Permit permit;
				try {
					permit = breaker.acquirePermit();
				}
				catch (CallNotPermittedException ex) {
					rejections.increment();
					continue;
				}
				int roll = random.nextInt(10);
				if (roll < 4) {
					permit.onSuccess(0, null);
					successes.increment();
				}
				else if (roll < 8) {
					permit.onFailure(0, new IOException());
					failures.increment();
				}
				else if (roll < 9) {
					permit.onFailure(0, new IllegalStateException());
					ignored.increment();
				}
				else {
					permit.release();
					released.increment();
				}
			}
		});
		Metrics metrics = breaker.metrics();
		assertThat(metrics.totalSuccessfulCalls()).isEqualTo(successes.sum());
		assertThat(metrics.totalFailedCalls()).isEqualTo(failures.sum());
		assertThat(metrics.totalIgnoredCalls()).isEqualTo(ignored.sum());
		assertThat(metrics.totalNotPermittedCalls()).isEqualTo(rejections.sum());
		assertThat(successes.sum() + failures.sum() + ignored.sum() + released.sum() + rejections.sum())
			.isEqualTo((long) THREADS * calls);
		assertThat(rejections.sum()).isPositive();
		assertThat(transitions.get()).isGreaterThan(2);
		// No trial slot leaked: once the wait is over, successes close the breaker.
		this.ticker.advance(Duration.ofSeconds(1));
		for (int i = 0; i < 20 && breaker.state() != State.CLOSED; i++) {
			breaker.acquirePermit().onSuccess(0, null);
		}
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void countWindowCountsAreExactWhenAllCallsFit() throws Exception {
		int calls = 20_000;
		int size = THREADS * calls;
		CircuitBreaker breaker = countWindowBreaker(size);
		long[][] counted = new long[THREADS][2];
		race((thread) -> {
			SplittableRandom random = new SplittableRandom(thread);
			for (int i = 0; i < calls; i++) {
				boolean failed = random.nextInt(3) == 0;
				boolean slow = random.nextInt(4) == 0;
				call(breaker, failed, slow);
				counted[thread][0] += failed ? 1 : 0;
				counted[thread][1] += slow ? 1 : 0;
			}
		});
		Metrics metrics = breaker.metrics();
		assertThat(metrics.state()).isEqualTo(State.CLOSED);
		assertThat(metrics.bufferedCalls()).isEqualTo(size);
		assertThat((long) metrics.failedCalls()).isEqualTo(sum(counted, 0));
		assertThat((long) metrics.slowCalls()).isEqualTo(sum(counted, 1));
	}

	@Test
	void countWindowCountsAreExactAfterRacingOverwrites() throws Exception {
		int size = 64;
		CircuitBreaker breaker = countWindowBreaker(size);
		race((thread) -> {
			SplittableRandom random = new SplittableRandom(thread);
			for (int i = 0; i < 50_000; i++) {
				call(breaker, random.nextInt(5) < 2, random.nextInt(5) < 2);
			}
		});
		Metrics raced = breaker.metrics();
		assertThat(raced.bufferedCalls()).isEqualTo(size);
		assertThat(raced.failedCalls()).isBetween(1, size - 1);
		// Whatever the race left, a known pattern of 'size' calls must read exactly.
		int failures = 0;
		int slowCalls = 0;
		for (int i = 0; i < size; i++) {
			boolean failed = i % 3 == 0;
			boolean slow = i % 5 == 0;
			call(breaker, failed, slow);
			failures += failed ? 1 : 0;
			slowCalls += slow ? 1 : 0;
		}
		Metrics metrics = breaker.metrics();
		assertThat(metrics.bufferedCalls()).isEqualTo(size);
		assertThat(metrics.failedCalls()).isEqualTo(failures);
		assertThat(metrics.slowCalls()).isEqualTo(slowCalls);
	}

	@Test
	void timeWindowCountsAreExactWithinOneSecondAndDoNotDriftAcrossRolls() throws Exception {
		CircuitBreaker breaker = CircuitBreaker.of("race",
				CircuitBreakerConfig.builder()
					.slidingWindowType(SlidingWindowType.TIME_BASED)
					.slidingWindowSize(3)
					.minimumNumberOfCalls(Integer.MAX_VALUE)
					.slowCallDurationThreshold(Duration.ofNanos(1))
					.build(),
				this.ticker, this.scheduler);
		int calls = 20_000;
		long[][] counted = new long[THREADS][2];
		race((thread) -> {
			SplittableRandom random = new SplittableRandom(thread);
			for (int i = 0; i < calls; i++) {
				boolean failed = random.nextInt(3) == 0;
				boolean slow = random.nextInt(4) == 0;
				call(breaker, failed, slow);
				counted[thread][0] += failed ? 1 : 0;
				counted[thread][1] += slow ? 1 : 0;
			}
		});
		Metrics sameSecond = breaker.metrics();
		assertThat(sameSecond.bufferedCalls()).isEqualTo(THREADS * calls);
		assertThat((long) sameSecond.failedCalls()).isEqualTo(sum(counted, 0));
		assertThat((long) sameSecond.slowCalls()).isEqualTo(sum(counted, 1));
		race((thread) -> {
			SplittableRandom random = new SplittableRandom(thread);
			for (int i = 0; i < calls; i++) {
				if (i % 500 == 0) {
					this.ticker.advance(Duration.ofMillis(90));
				}
				call(breaker, random.nextBoolean(), random.nextBoolean());
			}
		});
		this.ticker.advance(Duration.ofSeconds(3));
		Metrics evicted = breaker.metrics();
		assertThat(evicted.bufferedCalls()).isZero();
		assertThat(evicted.failedCalls()).isZero();
		assertThat(evicted.slowCalls()).isZero();
		for (int i = 0; i < 5; i++) {
			call(breaker, true, i < 2);
		}
		Metrics after = breaker.metrics();
		assertThat(after.bufferedCalls()).isEqualTo(5);
		assertThat(after.failedCalls()).isEqualTo(5);
		assertThat(after.slowCalls()).isEqualTo(2);
	}

	/** A count window that never opens: the minimum is the whole window, 100 % needed. */
	private CircuitBreaker countWindowBreaker(int size) {
		return CircuitBreaker.of("race",
				CircuitBreakerConfig.builder()
					.slidingWindowSize(size)
					.minimumNumberOfCalls(size)
					.failureRateThreshold(100)
					.slowCallRateThreshold(100)
					.slowCallDurationThreshold(Duration.ofNanos(1))
					.build(),
				this.ticker, this.scheduler);
	}

	/** One call; slow calls claim to have started 2 ns ago (the threshold is 1 ns). */
	private void call(CircuitBreaker breaker, boolean failed, boolean slow) {
		Permit permit = breaker.acquirePermit();
		long start = this.ticker.read() - (slow ? 2 : 0);
		if (failed) {
			permit.onFailure(start, new IOException());
		}
		else {
			permit.onSuccess(start, null);
		}
	}

	private static long sum(long[][] counted, int column) {
		long result = 0;
		for (long[] row : counted) {
			result += row[column];
		}
		return result;
	}

	@FunctionalInterface
	private interface ThreadBody {

		void run(int thread) throws Exception;

	}

}
