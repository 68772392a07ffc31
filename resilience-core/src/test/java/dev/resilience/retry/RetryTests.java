package dev.resilience.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.core.CheckedSupplier;
import dev.resilience.core.ResilienceException;
import dev.resilience.core.Scheduler;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

class RetryTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private Retry retry(RetryConfig.Builder config) {
		return Retry.of("test", config.build(), this.ticker, this.scheduler);
	}

	/** The waits a retry asks for after consecutive failures of one execution. */
	private static List<Long> waitsUntilGiveUp(Retry retry) {
		List<Long> waits = new ArrayList<>();
		for (int attempt = 1;; attempt++) {
			long wait = retry.onFailure(attempt, new IOException());
			if (wait == Retry.NO_RETRY) {
				return waits;
			}
			waits.add(wait);
		}
	}

	private static long millis(long millis) {
		return TimeUnit.MILLISECONDS.toNanos(millis);
	}

	@Test
	void fixedBackoffWaitsTheSameBeforeEveryRetry() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(4).waitDuration(Duration.ofMillis(100)));
		assertThat(waitsUntilGiveUp(retry)).containsExactly(millis(100), millis(100), millis(100));
	}

	@Test
	void exponentialBackoffMultipliesTheWaitWithEveryRetry() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(6)
			.waitDuration(Duration.ofMillis(100))
			.exponentialBackoffMultiplier(2));
		assertThat(waitsUntilGiveUp(retry)).containsExactly(millis(100), millis(200), millis(400), millis(800),
				millis(1600));
	}

	@Test
	void exponentialBackoffWithFractionalMultiplier() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(5)
			.waitDuration(Duration.ofMillis(100))
			.exponentialBackoffMultiplier(1.5));
		assertThat(waitsUntilGiveUp(retry)).containsExactly(millis(100), millis(150), millis(225), 337_500_000L);
	}

	@Test
	void exponentialBackoffIsCappedAtMaxWait() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(6)
			.waitDuration(Duration.ofMillis(100))
			.exponentialBackoffMultiplier(2)
			.exponentialMaxWaitDuration(Duration.ofMillis(500)));
		assertThat(waitsUntilGiveUp(retry)).containsExactly(millis(100), millis(200), millis(400), millis(500),
				millis(500));
	}

	@Test
	void exponentialBackoffSaturatesInsteadOfOverflowing() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(200)
			.waitDuration(Duration.ofSeconds(1))
			.exponentialBackoffMultiplier(10));
		List<Long> waits = waitsUntilGiveUp(retry);
		assertThat(waits).hasSize(199).isSorted();
		assertThat(waits.get(198)).isEqualTo(RetryConfig.MAX_WAIT_DURATION.toNanos());
	}

	@Test
	void zeroWaitRetriesAtOnce() {
		Retry retry = retry(RetryConfig.builder().waitDuration(Duration.ZERO));
		assertThat(waitsUntilGiveUp(retry)).containsExactly(0L, 0L);
	}

	@Test
	void jitteredWaitsStayWithinTheFactorAndVary() {
		Retry retry = retry(
				RetryConfig.builder().maxAttempts(2).waitDuration(Duration.ofSeconds(1)).randomizedWaitFactor(0.5));
		Set<Long> distinct = new HashSet<>();
		for (int i = 0; i < 2000; i++) {
			long wait = retry.onFailure(1, new IOException());
			assertThat(wait).isBetween(millis(500), millis(1500));
			distinct.add(wait);
		}
		assertThat(distinct).hasSizeGreaterThan(100);
	}

	@Test
	void jitterIsAppliedAfterTheCap() {
		// Retry 4 computes 800 ms, capped to 400 ms, then jittered in [200, 600] ms.
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(5)
			.waitDuration(Duration.ofMillis(100))
			.exponentialBackoffMultiplier(2)
			.exponentialMaxWaitDuration(Duration.ofMillis(400))
			.randomizedWaitFactor(0.5));
		long longest = 0;
		long shortest = Long.MAX_VALUE;
		for (int i = 0; i < 2000; i++) {
			long wait = retry.onFailure(4, new IOException());
			assertThat(wait).isBetween(millis(200), millis(600));
			longest = Math.max(longest, wait);
			shortest = Math.min(shortest, wait);
		}
		assertThat(longest).isGreaterThan(millis(400));
		assertThat(shortest).isLessThan(millis(400));
	}

	@Test
	void givesUpAfterMaxAttempts() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(3));
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(2, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(3, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().failedCallsWithRetry()).isEqualTo(1);
	}

	@Test
	void oneAttemptNeverRetries() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(1));
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
	}

	@Test
	void retriesOnlyTheRetryExceptions() {
		Retry retry = retry(RetryConfig.builder().retryExceptions(IOException.class));
		assertThat(retry.onFailure(1, new java.io.FileNotFoundException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IllegalStateException())).isEqualTo(Retry.NO_RETRY);
	}

	@Test
	void ignoreExceptionsWinOverRetryExceptions() {
		Retry retry = retry(RetryConfig.builder()
			.retryExceptions(IOException.class)
			.ignoreExceptions(java.io.FileNotFoundException.class));
		assertThat(retry.onFailure(1, new java.io.FileNotFoundException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
	}

	@Test
	void matchesTheCauseChainOnlyWhenTold() {
		RuntimeException wrapped = new RuntimeException(new IOException());
		assertThat(retry(RetryConfig.builder().retryExceptions(IOException.class)).onFailure(1, wrapped))
			.isEqualTo(Retry.NO_RETRY);
		assertThat(retry(RetryConfig.builder().retryExceptions(IOException.class).matchCauseChain(true)).onFailure(1,
				wrapped))
			.isNotEqualTo(Retry.NO_RETRY);
	}

	@Test
	void retriesWhatThePredicateAccepts() {
		Retry retry = retry(RetryConfig.builder()
			.retryOnExceptionPredicate((ex) -> ex.getMessage() != null && ex.getMessage().startsWith("transient")));
		assertThat(retry.onFailure(1, new IllegalStateException("transient glitch"))).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IllegalStateException("permanent"))).isEqualTo(Retry.NO_RETRY);
	}

	@Test
	void retriesResultsThePredicateAcceptsThenReturnsTheLastOne() {
		Retry retry = retry(
				RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(10)).retryOnResult("busy"::equals));
		assertThat(retry.onResult(1, "busy")).isEqualTo(millis(10));
		assertThat(retry.onResult(2, "busy")).isEqualTo(millis(10));
		assertThat(retry.onResult(3, "busy")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onResult(1, "done")).isEqualTo(Retry.NO_RETRY);
		Retry.Metrics metrics = retry.metrics();
		assertThat(metrics.failedCallsWithRetry()).isEqualTo(1);
		assertThat(metrics.successfulCallsWithoutRetry()).isEqualTo(1);
	}

	@Test
	void resultRetriedWithOneAttemptCountsAsFailedWithoutRetry() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(1).retryOnResult((result) -> result == null));
		assertThat(retry.onResult(1, null)).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
	}

	@Test
	void rejectionsAreNotRetriedByDefaultWhateverRetryExceptionsSays() {
		Retry retry = retry(RetryConfig.builder().retryExceptions(Rejected.class, RuntimeException.class));
		assertThat(retry.onFailure(1, new Rejected())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
	}

	@Test
	void resilienceExceptionsThatAreNotRejectionsAreRetried() {
		Retry retry = retry(RetryConfig.builder());
		assertThat(retry.onFailure(1, new TimeoutExceededException("t", Duration.ofSeconds(1), null)))
			.isNotEqualTo(Retry.NO_RETRY);
	}

	@Test
	void rejectionsAreRetriedWithRetryOnRejection() {
		Retry retry = retry(RetryConfig.builder().retryOnRejection(true).retryExceptions(IOException.class));
		assertThat(retry.onFailure(1, new Rejected())).isEqualTo(millis(500));
	}

	@Test
	void ignoreExceptionsStillApplyToRejectionsWithRetryOnRejection() {
		Retry retry = retry(RetryConfig.builder().retryOnRejection(true).ignoreExceptions(Rejected.class));
		assertThat(retry.onFailure(1, new Rejected())).isEqualTo(Retry.NO_RETRY);
	}

	@Test
	void budgetRefusesRetriesOnceHalfTheTokensAreGone() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(2).budgetMaxTokens(10).budgetTokenRatio(1));
		assertThat(retry.metrics().budgetTokens()).isEqualTo(10.0);
		// Tokens after each failure: 9, 8, 7, 6 (more than 5: retry allowed), then 5.
		for (int i = 0; i < 4; i++) {
			assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		}
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().budgetTokens()).isEqualTo(5.0);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
		// Every further failure takes a token, down to zero.
		for (int i = 0; i < 10; i++) {
			assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		}
		assertThat(retry.metrics().budgetTokens()).isZero();
	}

	@Test
	void budgetExhaustedCountsTheExecutionsWhoseRetryTheBudgetRefused() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(3)
			.retryExceptions(IOException.class)
			.budgetMaxTokens(10)
			.budgetTokenRatio(1));
		// Tokens 9, 8, 7, 6: four retries allowed, none refused.
		for (int i = 0; i < 4; i++) {
			assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		}
		assertThat(retry.metrics().budgetExhaustedCalls()).isZero();
		// 5 left: refused at the first attempt, then at the second.
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(2, new IOException())).isEqualTo(Retry.NO_RETRY);
		// Not the budget's doing: a failure that is not retried anyway, and the last
		// attempt.
		assertThat(retry.onFailure(1, new IllegalStateException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(3, new IOException())).isEqualTo(Retry.NO_RETRY);
		Retry.Metrics metrics = retry.metrics();
		assertThat(metrics.budgetExhaustedCalls()).isEqualTo(2);
		assertThat(metrics.failedCallsWithoutRetry()).isEqualTo(2);
		assertThat(metrics.failedCallsWithRetry()).isEqualTo(2);
		retry.reset();
		assertThat(retry.metrics().budgetExhaustedCalls()).isZero();
	}

	@Test
	void withoutABudgetNothingIsCountedAsBudgetExhausted() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(2));
		retry.onFailure(1, new IOException());
		retry.onFailure(2, new IOException());
		assertThat(retry.metrics().budgetExhaustedCalls()).isZero();
		assertThat(retry.metrics().failedCallsWithRetry()).isEqualTo(1);
	}

	@Test
	void budgetRefillsWithSuccessesUpToItsMaximum() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(2).budgetMaxTokens(10).budgetTokenRatio(0.5));
		for (int i = 0; i < 10; i++) {
			retry.onFailure(1, new IOException());
		}
		assertThat(retry.metrics().budgetTokens()).isZero();
		for (int i = 0; i < 13; i++) {
			retry.onResult(1, "ok");
		}
		assertThat(retry.metrics().budgetTokens()).isEqualTo(6.5);
		// 6.5 - 1 = 5.5 > 5: allowed; 5.5 - 1 = 4.5: refused.
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		for (int i = 0; i < 100; i++) {
			retry.onResult(1, "ok");
		}
		assertThat(retry.metrics().budgetTokens()).isEqualTo(10.0);
	}

	@Test
	void nonRetryableFailuresAndRetriedResultsTakeBudgetTokensToo() {
		Retry retry = retry(RetryConfig.builder()
			.budgetMaxTokens(10)
			.retryExceptions(IOException.class)
			.retryOnResult("busy"::equals));
		retry.onFailure(1, new IllegalStateException());
		retry.onResult(1, "busy");
		assertThat(retry.metrics().budgetTokens()).isEqualTo(8.0);
	}

	@Test
	void metricsReportNoBudgetAsMinusOne() {
		assertThat(retry(RetryConfig.builder()).metrics().budgetTokens()).isEqualTo(-1.0);
	}

	@Test
	@Timeout(10)
	void budgetGrantsExactlyTheRetriesAboveHalfUnderConcurrentFailures() throws Exception {
		// 100 tokens: the failures that leave 99..51 tokens get a retry (49), every other
		// failure is refused, whatever the interleaving.
		Retry retry = retry(RetryConfig.builder().maxAttempts(2).budgetMaxTokens(100));
		int threads = 8;
		int perThread = 250;
		AtomicInteger granted = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				futures.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						if (retry.onFailure(1, new IOException()) != Retry.NO_RETRY) {
							granted.incrementAndGet();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(5, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(granted).hasValue(49);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(threads * perThread - 49);
		assertThat(retry.metrics().budgetTokens()).isZero();
	}

	@Test
	void metricsCountEachOutcome() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(2).retryExceptions(IOException.class));
		retry.onResult(1, "ok");
		retry.onFailure(1, new IOException());
		retry.onResult(2, "ok");
		retry.onFailure(1, new IllegalStateException());
		retry.onFailure(1, new IOException());
		retry.onFailure(2, new IOException());
		retry.onFailure(1, new IOException());
		retry.onFailure(2, new IllegalStateException());
		Retry.Metrics metrics = retry.metrics();
		assertThat(metrics.successfulCallsWithoutRetry()).isEqualTo(1);
		assertThat(metrics.successfulCallsWithRetry()).isEqualTo(1);
		assertThat(metrics.failedCallsWithoutRetry()).isEqualTo(1);
		assertThat(metrics.failedCallsWithRetry()).isEqualTo(2);
	}

	@Test
	void publishesEventsForRetriesAndOutcomesButNotForFirstAttemptSuccesses() {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(2)
			.waitDuration(Duration.ofMillis(10))
			.retryExceptions(IOException.class)
			.budgetMaxTokens(4)
			.budgetTokenRatio(0.001));
		List<RetryEvent> events = new ArrayList<>();
		retry.events().onEvent(events::add);
		IOException first = new IOException("first");
		IllegalStateException notRetryable = new IllegalStateException();
		retry.onResult(1, "ok");
		retry.onFailure(1, first);
		retry.onResult(2, "ok");
		retry.onFailure(1, notRetryable);
		retry.onFailure(2, first);
		retry.onFailure(1, first);
		assertThat(events).extracting(RetryEvent::type, RetryEvent::attempt, RetryEvent::waitNanos, RetryEvent::failure)
			.containsExactly(tuple(RetryEvent.Type.RETRY, 1, millis(10), first),
					tuple(RetryEvent.Type.SUCCESS, 2, Retry.NO_RETRY, null),
					tuple(RetryEvent.Type.IGNORED_ERROR, 1, Retry.NO_RETRY, notRetryable),
					tuple(RetryEvent.Type.ERROR, 2, Retry.NO_RETRY, first),
					tuple(RetryEvent.Type.BUDGET_EXHAUSTED, 1, Retry.NO_RETRY, first));
		assertThat(events).allSatisfy((event) -> {
			assertThat(event.primitive()).isEqualTo("retry");
			assertThat(event.instanceName()).isEqualTo("test");
		});
	}

	@Test
	void reconfigureKeepsCountersAndClampsBudgetTokens() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(2).budgetMaxTokens(10));
		retry.onResult(1, "ok");
		retry.onFailure(1, new IOException());
		RetryConfig smaller = RetryConfig.builder().maxAttempts(5).budgetMaxTokens(4).build();
		retry.reconfigure(smaller);
		assertThat(retry.config()).isSameAs(smaller);
		Retry.Metrics metrics = retry.metrics();
		assertThat(metrics.successfulCallsWithoutRetry()).isEqualTo(1);
		assertThat(metrics.budgetTokens()).isEqualTo(4.0);
		assertThat(retry.onFailure(4, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().budgetTokens()).isEqualTo(3.0);
	}

	@Test
	void budgetSwitchedOnByReconfigureStartsFull() {
		Retry retry = retry(RetryConfig.builder());
		retry.reconfigure(RetryConfig.builder().budgetMaxTokens(6).build());
		assertThat(retry.metrics().budgetTokens()).isEqualTo(6.0);
		retry.reconfigure(RetryConfig.ofDefaults());
		assertThat(retry.metrics().budgetTokens()).isEqualTo(-1.0);
	}

	@Test
	void schedulerIsTheInjectedOne() {
		assertThat(retry(RetryConfig.builder()).scheduler()).isSameAs(this.scheduler);
		assertThat(Retry.of("system", RetryConfig.ofDefaults()).scheduler()).isSameAs(Scheduler.system());
	}

	@Test
	void synchronousLoopSleepsTheComputedBackoff() throws Throwable {
		Retry retry = retry(RetryConfig.builder()
			.maxAttempts(5)
			.waitDuration(Duration.ofMillis(100))
			.exponentialBackoffMultiplier(2));
		AtomicInteger calls = new AtomicInteger();
		String result = callWithRetry(retry, () -> {
			if (calls.incrementAndGet() < 4) {
				throw new IOException("attempt " + calls.get());
			}
			return "done";
		});
		assertThat(result).isEqualTo("done");
		assertThat(this.scheduler.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
				Duration.ofMillis(400));
		assertThat(this.ticker.read()).isEqualTo(millis(700));
		assertThat(retry.metrics().successfulCallsWithRetry()).isEqualTo(1);
	}

	@Test
	void synchronousLoopRethrowsTheLastFailureWhenAttemptsRunOut() {
		Retry retry = retry(RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(50)));
		AtomicInteger calls = new AtomicInteger();
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> callWithRetry(retry, () -> {
			throw new IOException("attempt " + calls.incrementAndGet());
		})).withMessage("attempt 3");
		assertThat(this.scheduler.sleeps()).containsExactly(Duration.ofMillis(50), Duration.ofMillis(50));
	}

	@Test
	void registrySharesInstancesByNameAndReconfiguresInPlace() {
		RetryRegistry registry = RetryRegistry.of(RetryConfig.builder().maxAttempts(4).build(), this.ticker,
				this.scheduler);
		Retry first = registry.instance("backend");
		assertThat(registry.instance("backend")).isSameAs(first);
		assertThat(first.config().maxAttempts()).isEqualTo(4);
		assertThat(first.scheduler()).isSameAs(this.scheduler);
		RetryConfig other = RetryConfig.builder().maxAttempts(2).build();
		registry.replaceConfig("backend", other);
		assertThat(first.config()).isSameAs(other);
		assertThat(RetryRegistry.ofDefaults().defaultConfig()).isSameAs(RetryConfig.ofDefaults());
	}

	/** The loop a synchronous caller runs (as the pipeline does). */
	private static <T> T callWithRetry(Retry retry, CheckedSupplier<T> call) throws Throwable {
		for (int attempt = 1;; attempt++) {
			long wait;
			try {
				T result = call.get();
				wait = retry.onResult(attempt, result);
				if (wait == Retry.NO_RETRY) {
					return result;
				}
			}
			catch (Throwable ex) {
				wait = retry.onFailure(attempt, ex);
				if (wait == Retry.NO_RETRY) {
					throw ex;
				}
			}
			retry.scheduler().sleep(wait);
		}
	}

	/** A rejection, as a circuit breaker, rate limiter or bulkhead throws. */
	@SuppressWarnings("serial")
	static final class Rejected extends ResilienceException {

		Rejected() {
			super("rejected", "test", false, null);
		}

		@Override
		public boolean isRejection() {
			return true;
		}

	}

}
