package dev.resilience.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.CheckedSupplier;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import dev.resilience.fallback.Fallback;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every scenario runs synchronously and asynchronously with the same assertions: the two
 * modes must have the same semantics.
 */
class PipelineTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@ParameterizedTest
	@EnumSource(Mode.class)
	void returnsTheCallsResultThroughEveryStage(Mode mode) throws Throwable {
		Pipeline pipeline = Pipeline.builder()
			.retry(retry(3))
			.circuitBreaker(breaker())
			.rateLimiter(limiter(10))
			.timeout(timeout(Duration.ofSeconds(1)))
			.bulkhead(bulkhead(1))
			.build();
		assertThat(mode.run(pipeline, () -> "ok", this.scheduler)).isEqualTo("ok");
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void retriesFailuresWithTheConfiguredWaitsThenSucceeds(Mode mode) throws Throwable {
		Retry retry = retry(3);
		Pipeline pipeline = Pipeline.builder().retry(retry).build();
		AtomicInteger calls = new AtomicInteger();
		long start = this.ticker.read();
		Object result = mode.run(pipeline, () -> {
			if (calls.incrementAndGet() < 3) {
				throw new IOException("flaky");
			}
			return "third time";
		}, this.scheduler);
		assertThat(result).isEqualTo("third time");
		assertThat(calls).hasValue(3);
		// Two waits of 100 ms elapsed on the fake clock, by sleeping or by scheduling.
		assertThat(this.ticker.read() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(retry.metrics().successfulCallsWithRetry()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void retryDoesNotRetryTheCircuitBreakersRejection(Mode mode) {
		Retry retry = retry(3);
		CircuitBreaker breaker = breaker();
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		Pipeline pipeline = Pipeline.builder().retry(retry).circuitBreaker(breaker).build();
		AtomicInteger calls = new AtomicInteger();
		assertThatExceptionOfType(CallNotPermittedException.class)
			.isThrownBy(() -> mode.run(pipeline, calls::incrementAndGet, this.scheduler));
		assertThat(calls).hasValue(0);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void fallbackSeesRejectionsOfInnerStages(Mode mode) throws Throwable {
		CircuitBreaker breaker = breaker();
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		List<Throwable> seen = new ArrayList<>();
		Pipeline pipeline = Pipeline.builder()
			.retry(retry(3))
			.circuitBreaker(breaker)
			.fallback(Fallback.of(CallNotPermittedException.class, (context, failure) -> {
				seen.add(failure);
				return "fallback";
			}))
			.build();
		assertThat(mode.run(pipeline, () -> "never", this.scheduler)).isEqualTo("fallback");
		assertThat(seen).singleElement().isInstanceOf(CallNotPermittedException.class);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void fallbackThatDoesNotMatchRethrowsTheOriginalFailure(Mode mode) {
		Pipeline pipeline = Pipeline.builder()
			.fallback(Fallback.of(IllegalStateException.class, (context, failure) -> "fallback"))
			.build();
		IOException failure = new IOException("boom");
		assertThatThrownBy(() -> mode.run(pipeline, () -> {
			throw failure;
		}, this.scheduler)).isSameAs(failure);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void circuitBreakerCountsFailuresOfTheCallAndOpens(Mode mode) {
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).build();
		for (int i = 0; i < 4; i++) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> mode.run(pipeline, () -> {
				throw new IOException("down");
			}, this.scheduler));
		}
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThatExceptionOfType(CallNotPermittedException.class)
			.isThrownBy(() -> mode.run(pipeline, () -> "never", this.scheduler));
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void circuitBreakerDoesNotCountRejectionsOfInnerStages(Mode mode) throws Throwable {
		CircuitBreaker breaker = breaker();
		RateLimiter limiter = limiter(1);
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).rateLimiter(limiter).build();
		assertThat(mode.run(pipeline, () -> "first", this.scheduler)).isEqualTo("first");
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(RequestNotPermittedException.class)
				.isThrownBy(() -> mode.run(pipeline, () -> "limited", this.scheduler));
		}
		CircuitBreaker.Metrics metrics = breaker.metrics();
		assertThat(metrics.totalFailedCalls()).isZero();
		assertThat(metrics.totalSuccessfulCalls()).isEqualTo(1);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void bulkheadGivesItsPlaceBackAfterSuccessAndFailure(Mode mode) throws Throwable {
		Bulkhead bulkhead = bulkhead(1);
		Pipeline pipeline = Pipeline.builder().bulkhead(bulkhead).build();
		assertThat(mode.run(pipeline, () -> "ok", this.scheduler)).isEqualTo("ok");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> mode.run(pipeline, () -> {
			throw new IOException("boom");
		}, this.scheduler));
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		assertThat(bulkhead.metrics().totalPermittedCalls()).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void fullBulkheadRejectsAndTheRejectionReachesTheFallback(Mode mode) throws Throwable {
		Bulkhead bulkhead = bulkhead(1);
		bulkhead.acquirePermission();
		Pipeline pipeline = Pipeline.builder()
			.bulkhead(bulkhead)
			.fallback(Fallback.of(BulkheadFullException.class, (context, failure) -> "busy"))
			.build();
		assertThat(mode.run(pipeline, () -> "never", this.scheduler)).isEqualTo("busy");
		assertThat(bulkhead.metrics().totalRejectedCalls()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void timeoutIsCountedAsAFailureByTheCircuitBreaker(Mode mode) {
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).timeout(timeout(Duration.ofMillis(100))).build();
		// The call itself lets the fake time pass its deadline, then returns.
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> mode.run(pipeline, () -> {
			this.scheduler.advance(Duration.ofMillis(150));
			return "late";
		}, this.scheduler));
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(1);
		assertThat(Thread.interrupted()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void rateLimiterAndBulkheadApplyPerKeyOfTheContext(Mode mode) throws Throwable {
		RateLimiter limiter = limiter(1);
		Bulkhead bulkhead = bulkhead(1);
		// The context is the call itself here; its key is its result, "ann" or "bob".
		KeySelector byResult = (context) -> {
			try {
				return ((CheckedSupplier<?>) context).get();
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		};
		Pipeline pipeline = Pipeline.builder().rateLimiter(limiter, 1, byResult).bulkhead(bulkhead, byResult).build();
		assertThat(mode.run(pipeline, () -> "ann", this.scheduler)).isEqualTo("ann");
		assertThat(mode.run(pipeline, () -> "bob", this.scheduler)).as("another key has its own bucket")
			.isEqualTo("bob");
		assertThatExceptionOfType(RequestNotPermittedException.class)
			.isThrownBy(() -> mode.run(pipeline, () -> "ann", this.scheduler));
		assertThat(limiter.metrics().liveKeys()).isEqualTo(2);
		assertThat(bulkhead.metrics().totalPermittedCalls()).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aKeySelectorThatThrowsFailsTheCallAtOnceAndNoStageCountsRetriesOrFallsBackFromIt(Mode mode) throws Throwable {
		Retry retry = retry(3);
		CircuitBreaker breaker = breaker();
		RateLimiter limiter = limiter(10);
		Bulkhead bulkhead = bulkhead(1);
		AtomicInteger fallbacks = new AtomicInteger();
		IllegalStateException keyFailure = new IllegalStateException("no user");
		// The rate limiter's key is fine; the bulkhead's, innermost, fails.
		Pipeline pipeline = Pipeline.builder()
			.retry(retry)
			.circuitBreaker(breaker)
			.rateLimiter(limiter, 1, (context) -> "ann")
			.bulkhead(bulkhead, (context) -> {
				throw keyFailure;
			})
			.fallback(Fallback.of(Throwable.class, (context, failure) -> {
				fallbacks.incrementAndGet();
				return "fallback";
			}))
			.build();
		AtomicInteger calls = new AtomicInteger();
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(KeyEvaluationException.class)
				.isThrownBy(() -> mode.run(pipeline, calls::incrementAndGet, this.scheduler))
				.withCause(keyFailure)
				.withMessageContaining("bulkhead 'bulkhead'");
		}
		assertThat(calls).hasValue(0);
		assertThat(fallbacks).hasValue(0);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker.metrics().totalFailedCalls()).isZero();
		assertThat(breaker.metrics().totalIgnoredCalls()).isZero();
		assertThat(breaker.metrics().totalSuccessfulCalls()).isZero();
		assertThat(retry.metrics().failedCallsWithoutRetry()).isZero();
		assertThat(retry.metrics().failedCallsWithRetry()).isZero();
		assertThat(limiter.forKey("ann").metrics().availablePermissions()).as("no permit taken for a failed key")
			.isEqualTo(10);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aKeyIsComputedOncePerCallAndEveryRetryAttemptUsesIt(Mode mode) throws Throwable {
		// Refills slower than the test runs, so the permits taken can be counted.
		RateLimiter limiter = RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(10)
					.limitRefreshPeriod(Duration.ofHours(1))
					.timeoutDuration(Duration.ZERO)
					.build(),
				this.ticker, this.scheduler);
		AtomicInteger selections = new AtomicInteger();
		Pipeline pipeline = Pipeline.builder().retry(retry(3)).rateLimiter(limiter, 1, (context) -> {
			selections.incrementAndGet();
			return "ann";
		}).build();
		AtomicInteger calls = new AtomicInteger();
		assertThat(mode.run(pipeline, () -> {
			if (calls.incrementAndGet() < 3) {
				throw new IOException("flaky");
			}
			return "ok";
		}, this.scheduler)).isEqualTo("ok");
		assertThat(selections).hasValue(1);
		assertThat(limiter.forKey("ann").metrics().availablePermissions()).isEqualTo(7);
	}

	@Test
	void asynchronousRetryWaitsOnTheSchedulerAndBlocksNoThread() {
		Pipeline pipeline = Pipeline.builder().retry(retry(2)).build();
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<Object> result = pipeline.executeAsync("context", (context) -> {
			if (calls.incrementAndGet() == 1) {
				return CompletableFuture.failedFuture(new IOException("first"));
			}
			return CompletableFuture.completedFuture("second");
		});
		assertThat(result).isNotDone();
		assertThat(this.scheduler.sleeps()).isEmpty();
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		this.scheduler.advance(Duration.ofMillis(100));
		assertThat(result).isCompletedWithValue("second");
		assertThat(calls).hasValue(2);
	}

	@Test
	void asynchronousInvokerThatThrowsIsTreatedAsAFailedStage() {
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker()).build();
		CompletableFuture<Object> result = pipeline.executeAsync("context", (context) -> {
			throw new IOException("before the stage");
		});
		assertThat(result).isCompletedExceptionally();
		assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
	}

	@Test
	void asynchronousFallbackThatReturnsAStageIsFlattened() {
		Pipeline pipeline = Pipeline.builder()
			.fallback(Fallback.of(IOException.class,
					(context, failure) -> CompletableFuture.completedFuture("from the fallback's stage")))
			.build();
		CompletableFuture<Object> result = pipeline.executeAsync("context",
				(context) -> CompletableFuture.failedFuture(new IOException("down")));
		assertThat(result).isCompletedWithValue("from the fallback's stage");
	}

	@Test
	void cancellingAnAsynchronousExecutionStopsFurtherAttempts() {
		Pipeline pipeline = Pipeline.builder().retry(retry(3)).build();
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<Object> result = pipeline.executeAsync("context", (context) -> {
			calls.incrementAndGet();
			return CompletableFuture.failedFuture(new IOException("down"));
		});
		result.cancel(true);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(calls).hasValue(1);
	}

	@Test
	void stagesFollowTheDefaultOrderAndCanBeReordered() {
		Pipeline.Builder builder = Pipeline.builder()
			.bulkhead(bulkhead(1))
			.timeout(timeout(Duration.ofSeconds(1)))
			.retry(retry(2))
			.circuitBreaker(breaker())
			.rateLimiter(limiter(5));
		assertThat(builder.build().stages()).isEqualTo(Pipeline.Stage.DEFAULT_ORDER);
		List<Pipeline.Stage> custom = List.of(Pipeline.Stage.CIRCUIT_BREAKER, Pipeline.Stage.RETRY,
				Pipeline.Stage.BULKHEAD, Pipeline.Stage.TIMEOUT, Pipeline.Stage.RATE_LIMITER);
		assertThat(builder.order(custom).build().stages()).isEqualTo(custom);
	}

	@Test
	void thePipelineTellsWhatItWasBuiltFromAndOnlyThePresentStages() {
		RateLimiter limiter = limiter(5);
		Bulkhead bulkhead = bulkhead(1);
		Retry retry = retry(2);
		KeySelector keys = (context) -> "key";
		Fallback fallback = Fallback.of(IOException.class, (context, failure) -> "fallback");
		Pipeline pipeline = Pipeline.builder()
			.rateLimiter(limiter, 3, keys)
			.bulkhead(bulkhead, keys)
			.retry(retry)
			.fallback(fallback)
			.build();
		assertThat(pipeline.stages()).containsExactly(Pipeline.Stage.RETRY, Pipeline.Stage.RATE_LIMITER,
				Pipeline.Stage.BULKHEAD);
		assertThat(pipeline.retry()).isSameAs(retry);
		assertThat(pipeline.rateLimiter()).isSameAs(limiter);
		assertThat(pipeline.rateLimiterPermits()).isEqualTo(3);
		assertThat(pipeline.rateLimiterKeys()).isSameAs(keys);
		assertThat(pipeline.bulkhead()).isSameAs(bulkhead);
		assertThat(pipeline.bulkheadKeys()).isSameAs(keys);
		assertThat(pipeline.fallback()).isSameAs(fallback);
		assertThat(pipeline.circuitBreaker()).isNull();
		assertThat(pipeline.timeout()).isNull();
		assertThat(pipeline.threadPoolBulkhead()).isNull();
		Pipeline plain = Pipeline.builder().rateLimiter(limiter).build();
		assertThat(plain.rateLimiterPermits()).isEqualTo(1);
		assertThat(plain.rateLimiterKeys()).isNull();
		assertThat(plain.fallback()).isNull();
	}

	@Test
	void orderMustNameEveryStageOnce() {
		assertThatThrownBy(() -> Pipeline.builder().order(Pipeline.Stage.RETRY, Pipeline.Stage.RETRY))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("RETRY twice");
		assertThatThrownBy(() -> Pipeline.builder().order(Pipeline.Stage.RETRY))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("every stage");
	}

	@Test
	void callAndCallAsyncAreConveniencesForCodeWithoutContext() throws Exception {
		Pipeline pipeline = Pipeline.builder().retry(retry(2)).build();
		assertThat(pipeline.call(() -> "called")).isEqualTo("called");
		assertThat(pipeline.callAsync(() -> CompletableFuture.completedFuture("async"))).isCompletedWithValue("async");
	}

	private Retry retry(int maxAttempts) {
		return Retry.of("retry",
				RetryConfig.builder().maxAttempts(maxAttempts).waitDuration(Duration.ofMillis(100)).build(),
				this.ticker, this.scheduler);
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4).build(), this.ticker,
				this.scheduler);
	}

	private RateLimiter limiter(int limitForPeriod) {
		return RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(limitForPeriod)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ZERO)
					.build(),
				this.ticker, this.scheduler);
	}

	private Timeout timeout(Duration duration) {
		return Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(duration).build(), this.ticker,
				this.scheduler);
	}

	private Bulkhead bulkhead(int max) {
		return Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(max).build());
	}

	/**
	 * How a scenario's call runs: on the caller's thread, or as a stage whose waits the
	 * fake scheduler drives.
	 */
	enum Mode {

		SYNC {
			@Override
			Object run(Pipeline pipeline, CheckedSupplier<Object> call, ManualScheduler scheduler) throws Throwable {
				return pipeline.execute(call, CheckedSupplier::get);
			}
		},

		ASYNC {
			@Override
			Object run(Pipeline pipeline, CheckedSupplier<Object> call, ManualScheduler scheduler) throws Throwable {
				CompletableFuture<Object> result = pipeline.executeAsync(call, (context) -> {
					try {
						return CompletableFuture.completedFuture(context.get());
					}
					catch (Throwable ex) {
						return CompletableFuture.failedFuture(ex);
					}
				});
				// Drive scheduled waits (retry backoff, rate-limit waits) on the fake
				// clock; bounded.
				for (int i = 0; i < 1_000 && !result.isDone(); i++) {
					scheduler.advance(Duration.ofMillis(10));
				}
				assertThat(result).isDone();
				try {
					return result.join();
				}
				catch (CompletionException ex) {
					throw ex.getCause();
				}
			}
		};

		abstract Object run(Pipeline pipeline, CheckedSupplier<Object> call, ManualScheduler scheduler)
				throws Throwable;

	}

}
