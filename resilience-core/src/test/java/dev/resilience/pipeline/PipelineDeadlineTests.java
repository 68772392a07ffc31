package dev.resilience.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.CheckedSupplier;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.fallback.Fallback;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryEvent;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Every stage respects the current deadline, on the caller's thread and asynchronously:
 * under ENFORCE what does not fit is cut before it reaches the dependency (or, for a
 * running call, when the deadline comes); under OBSERVE nothing changes but the listener
 * hears of every call that would have been cut. Time is the fake ticker's, shared by the
 * deadline and the primitives.
 */
class PipelineDeadlineTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final List<Heard> heard = new CopyOnWriteArrayList<>();

	private final DeadlineListener listener = (stage, name, mode, remaining) -> this.heard
		.add(new Heard(stage, name, mode, remaining));

	@AfterEach
	void noDeadlineIsLeftOnTheThread() {
		assertThat(Deadline.current()).isNull();
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aCallWhoseBudgetIsGoneDoesNotStartAndIsNotCountedByTheBreaker(PipelineTests.Mode mode) throws Exception {
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).deadlines(enforce()).build();
		AtomicInteger calls = new AtomicInteger();
		DeadlineExceededException refused = underBudget(Duration.ofMillis(100), () -> {
			this.ticker.advance(Duration.ofMillis(100));
			return catchDeadline(() -> mode.run(pipeline, () -> calls.incrementAndGet(), this.scheduler));
		});
		assertThat(refused.stage()).isEqualTo(DeadlineStage.CALL);
		assertThat(refused.isRejection()).isTrue();
		assertThat(refused.instanceName()).isEqualTo("breaker");
		assertThat(calls).hasValue(0);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(this.heard).containsExactly(new Heard(DeadlineStage.CALL, "breaker", DeadlineMode.ENFORCE, 0));
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void theFallbackAnswersACallRefusedForItsDeadline(PipelineTests.Mode mode) throws Exception {
		Pipeline pipeline = Pipeline.builder()
			.circuitBreaker(breaker())
			.fallback(Fallback.of(DeadlineExceededException.class, (context, failure) -> "late answer"))
			.deadlines(enforce())
			.build();
		Object answer = underBudget(Duration.ZERO, () -> mode.run(pipeline, () -> "never", this.scheduler));
		assertThat(answer).isEqualTo("late answer");
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void observedAnExpiredCallStillRunsAndIsReported(PipelineTests.Mode mode) throws Exception {
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker()).deadlines(observe()).build();
		Object answer = underBudget(Duration.ZERO, () -> mode.run(pipeline, () -> "ran", this.scheduler));
		assertThat(answer).isEqualTo("ran");
		assertThat(this.heard).containsExactly(new Heard(DeadlineStage.CALL, "breaker", DeadlineMode.OBSERVE, 0));
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aTimeoutIsShortenedToTheBudgetLeftAndTheCutIsADeadlineExceeded(PipelineTests.Mode mode) throws Exception {
		CircuitBreaker breaker = breaker();
		Timeout timeout = timeout(Duration.ofSeconds(5));
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).timeout(timeout).deadlines(enforce()).build();
		DeadlineExceededException cut = underBudget(Duration.ofMillis(300), () -> {
			this.ticker.advance(Duration.ofMillis(100));
			return catchDeadline(() -> mode.run(pipeline, () -> {
				// The call takes 400 ms of the fake time: past the 200 ms left.
				this.scheduler.advance(Duration.ofMillis(400));
				return "late";
			}, this.scheduler));
		});
		assertThat(cut.stage()).isEqualTo(DeadlineStage.TIMEOUT);
		assertThat(cut.isRejection()).as("the call ran: a cut, not a refusal").isFalse();
		assertThat(cut.getCause()).isInstanceOf(TimeoutExceededException.class)
			.hasMessageContaining(Duration.ofMillis(200).toString());
		assertThat(timeout.metrics().totalTimedOutCalls()).isOne();
		assertThat(breaker.metrics().totalFailedCalls()).as("counted as a timeout is").isOne();
		assertThat(this.heard).containsExactly(new Heard(DeadlineStage.TIMEOUT, "timeout", DeadlineMode.ENFORCE, 0));
		assertThat(Thread.interrupted()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void observedTheTimeoutIsItsOwnAndACallThatOutlivedTheDeadlineIsReported(PipelineTests.Mode mode) throws Exception {
		Pipeline pipeline = Pipeline.builder().timeout(timeout(Duration.ofSeconds(5))).deadlines(observe()).build();
		Object answer = underBudget(Duration.ofMillis(300), () -> mode.run(pipeline, () -> {
			this.scheduler.advance(Duration.ofMillis(400));
			return "late but whole";
		}, this.scheduler));
		assertThat(answer).isEqualTo("late but whole");
		assertThat(this.heard).containsExactly(new Heard(DeadlineStage.TIMEOUT, "timeout", DeadlineMode.OBSERVE, 0));
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aDeadlineLaterThanTheTimeoutLeavesTheTimeoutAlone(PipelineTests.Mode mode) throws Exception {
		Pipeline pipeline = Pipeline.builder().timeout(timeout(Duration.ofMillis(100))).deadlines(enforce()).build();
		assertThatExceptionOfType(TimeoutExceededException.class)
			.isThrownBy(() -> underBudget(Duration.ofSeconds(10), () -> mode.run(pipeline, () -> {
				this.scheduler.advance(Duration.ofMillis(150));
				return "late";
			}, this.scheduler)));
		assertThat(this.heard).isEmpty();
		assertThat(Thread.interrupted()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aRetryDoesNotStartAWaitThatLeavesNoTimeForTheNextAttempt(PipelineTests.Mode mode) throws Exception {
		Retry retry = retry();
		List<RetryEvent.Type> events = new ArrayList<>();
		retry.events().onEvent((event) -> events.add(event.type()));
		Pipeline pipeline = Pipeline.builder().retry(retry).deadlines(enforce()).build();
		AtomicInteger attempts = new AtomicInteger();
		IOException thrown = new IOException("down");
		Throwable failure = underBudget(Duration.ofMillis(300), () -> {
			try {
				mode.run(pipeline, () -> {
					attempts.incrementAndGet();
					throw thrown;
				}, this.scheduler);
				return null;
			}
			catch (Throwable ex) {
				return ex;
			}
		});
		// Attempt 1 at 0 ms, a 200 ms wait fits in 300; attempt 2 at 200 ms, another
		// 200 ms does not fit in the 100 left.
		assertThat(attempts).hasValue(2);
		assertThat(failure).isSameAs(thrown);
		assertThat(failure.getSuppressed()).singleElement()
			.isInstanceOfSatisfying(DeadlineExceededException.class,
					(why) -> assertThat(why.stage()).isEqualTo(DeadlineStage.RETRY));
		assertThat(events).containsExactly(RetryEvent.Type.RETRY, RetryEvent.Type.DEADLINE_EXCEEDED);
		assertThat(retry.metrics().failedCallsWithRetry()).isOne();
		assertThat(this.heard).extracting(Heard::stage, Heard::name, Heard::mode)
			.containsExactly(tuple(DeadlineStage.RETRY, "retry", DeadlineMode.ENFORCE));
		assertThat(this.heard.get(0).remaining()).isEqualTo(Duration.ofMillis(100).toNanos());
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void observedTheRetryGoesOnAndEveryWaitPastTheDeadlineIsReported(PipelineTests.Mode mode) throws Exception {
		Pipeline pipeline = Pipeline.builder().retry(retry()).deadlines(observe()).build();
		AtomicInteger attempts = new AtomicInteger();
		underBudget(Duration.ofMillis(300), () -> {
			try {
				return mode.run(pipeline, () -> {
					attempts.incrementAndGet();
					throw new IOException("down");
				}, this.scheduler);
			}
			catch (Throwable ex) {
				return ex;
			}
		});
		assertThat(attempts).hasValue(3);
		assertThat(this.heard).extracting(Heard::stage).containsExactly(DeadlineStage.RETRY);
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aRetriedResultIsReturnedWhenTheDeadlineLeavesNoTimeForAnotherAttempt(PipelineTests.Mode mode)
			throws Exception {
		Retry retry = Retry.of("retry",
				RetryConfig.builder()
					.maxAttempts(5)
					.waitDuration(Duration.ofMillis(200))
					.retryOnResult("again"::equals)
					.build(),
				this.ticker, this.scheduler);
		Pipeline pipeline = Pipeline.builder().retry(retry).deadlines(enforce()).build();
		AtomicInteger attempts = new AtomicInteger();
		Object answer = underBudget(Duration.ofMillis(300),
				() -> mode.run(pipeline, () -> (attempts.incrementAndGet() < 5) ? "again" : "done", this.scheduler));
		assertThat(answer).isEqualTo("again");
		assertThat(attempts).hasValue(2);
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void aRateLimiterWaitThatEndsAfterTheDeadlineTakesNothing(PipelineTests.Mode mode) throws Throwable {
		RateLimiter limiter = onePerSecond();
		Pipeline pipeline = Pipeline.builder().rateLimiter(limiter).deadlines(enforce()).build();
		assertThat(mode.run(pipeline, () -> "first", this.scheduler)).isEqualTo("first");
		DeadlineExceededException refused = underBudget(Duration.ofMillis(300),
				() -> catchDeadline(() -> mode.run(pipeline, () -> "never", this.scheduler)));
		assertThat(refused.stage()).isEqualTo(DeadlineStage.RATE_LIMITER);
		assertThat(refused.isRejection()).isTrue();
		assertThat(refused.remaining()).isEqualTo(Duration.ofMillis(300));
		assertThat(limiter.metrics().totalRejectedCalls()).as("the deadline refused, not the limit").isZero();
		// Nothing was taken: the next permit is still the one due a second after the
		// first.
		assertThat(limiter.reservePermission(1)).isEqualTo(Duration.ofSeconds(1).toNanos());
	}

	@ParameterizedTest
	@EnumSource(PipelineTests.Mode.class)
	void observedARateLimiterWaitPastTheDeadlineIsReportedAndWaited(PipelineTests.Mode mode) throws Throwable {
		RateLimiter limiter = onePerSecond();
		Pipeline pipeline = Pipeline.builder().rateLimiter(limiter).deadlines(observe()).build();
		mode.run(pipeline, () -> "first", this.scheduler);
		long start = this.ticker.read();
		Object answer = underBudget(Duration.ofMillis(300), () -> mode.run(pipeline, () -> "waited", this.scheduler));
		assertThat(answer).isEqualTo("waited");
		assertThat(this.ticker.read() - start).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
		assertThat(this.heard).extracting(Heard::stage, Heard::mode)
			.containsExactly(tuple(DeadlineStage.RATE_LIMITER, DeadlineMode.OBSERVE));
	}

	@Test
	void aBulkheadWaitEndsWhenTheDeadlineComesAndTakesNoPlace() throws Exception {
		Bulkhead bulkhead = Bulkhead.of("bulkhead",
				BulkheadConfig.builder().maxConcurrentCalls(1).maxWaitDuration(Duration.ofSeconds(5)).build(),
				this.ticker, this.scheduler);
		Pipeline pipeline = Pipeline.builder().bulkhead(bulkhead).deadlines(enforce()).build();
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Thread holder = new Thread(() -> {
			try {
				pipeline.execute("holder", (context) -> {
					holding.countDown();
					release.await();
					return context;
				});
			}
			catch (Throwable ex) {
				throw new AssertionError(ex);
			}
		});
		holder.start();
		assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Throwable> waiter = new CompletableFuture<>();
		// The deadline is on the fake ticker the bulkhead's alarm is scheduled on.
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		Thread bounded = new Thread(() -> {
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				pipeline.execute("late", (context) -> context);
				waiter.complete(null);
			}
			catch (Throwable ex) {
				waiter.complete(ex);
			}
		});
		bounded.start();
		// Bounded wait for the waiter to arm its alarm (real threads meet here).
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.scheduler.pendingTasks() == 0 && System.nanoTime() < until) {
			Thread.onSpinWait();
		}
		assertThat(this.scheduler.pendingTasks()).as("the waiter's alarm").isOne();
		this.scheduler.advance(Duration.ofMillis(300));
		Throwable failure = waiter.get(10, TimeUnit.SECONDS);
		assertThat(failure).isInstanceOfSatisfying(DeadlineExceededException.class,
				(refused) -> assertThat(refused.stage()).isEqualTo(DeadlineStage.BULKHEAD));
		assertThat(bulkhead.metrics().totalRejectedCalls()).as("the deadline gave up, not the bulkhead").isZero();
		release.countDown();
		holder.join(10_000);
		bounded.join(10_000);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isOne();
	}

	@Test
	void laterAsynchronousAttemptsRunWithTheCallersDeadlineCurrent() throws Exception {
		Pipeline pipeline = Pipeline.builder().retry(retry()).deadlines(enforce()).build();
		Deadline deadline = Deadline.after(Duration.ofSeconds(10), this.ticker);
		List<Deadline> seen = new CopyOnWriteArrayList<>();
		CompletableFuture<Object> result;
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			result = pipeline.executeAsync("call", (context) -> {
				seen.add(Deadline.current());
				return CompletableFuture.failedFuture(new IOException("down"));
			});
		}
		// The waits run on this thread, outside the scope: only the stage can make the
		// deadline current for the attempts it starts.
		for (int i = 0; i < 100 && !result.isDone(); i++) {
			this.scheduler.advance(Duration.ofMillis(100));
		}
		assertThat(result).isCompletedExceptionally();
		assertThat(seen).hasSize(3).containsOnly(deadline);
	}

	@Test
	void aThreadPoolBulkheadRunsTheCallWithTheDeadlineCurrentAndRefusesOneThatWaitedPastIt() throws Exception {
		try (ThreadPoolBulkhead pool = ThreadPoolBulkhead.of("pool",
				ThreadPoolBulkheadConfig.builder()
					.maxThreadPoolSize(1)
					.coreThreadPoolSize(1)
					.queueCapacity(2)
					.build())) {
			Pipeline pipeline = Pipeline.builder().threadPoolBulkhead(pool).deadlines(enforce()).build();
			Deadline deadline = Deadline.after(Duration.ofSeconds(10), this.ticker);
			CompletableFuture<Object> seen;
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				seen = pipeline.executeAsync("call",
						(context) -> CompletableFuture.completedFuture(Deadline.current()));
			}
			assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(deadline);
			// One that waits in the queue past its deadline never starts.
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<Object> busy = pipeline.executeAsync("busy", (context) -> {
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return CompletableFuture.completedFuture("done");
			});
			AtomicInteger started = new AtomicInteger();
			Deadline shortOne = Deadline.after(Duration.ofMillis(100), this.ticker);
			CompletableFuture<Object> queued;
			try (Deadline.Scope scope = Deadline.enter(shortOne)) {
				queued = pipeline.executeAsync("queued", (context) -> {
					started.incrementAndGet();
					return CompletableFuture.completedFuture("ran");
				});
			}
			this.ticker.advance(Duration.ofMillis(150));
			release.countDown();
			assertThat(busy.get(10, TimeUnit.SECONDS)).isEqualTo("done");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> queued.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOfSatisfying(DeadlineExceededException.class,
						(refused) -> assertThat(refused.stage()).isEqualTo(DeadlineStage.BULKHEAD));
			assertThat(started).hasValue(0);
		}
	}

	@Test
	void aListenerThatThrowsDoesNotChangeTheOutcome() throws Exception {
		Pipeline pipeline = Pipeline.builder()
			.circuitBreaker(breaker())
			.deadlines(DeadlineConfig.builder().mode(DeadlineMode.ENFORCE).listener((stage, name, mode, left) -> {
				throw new IllegalStateException("broken listener");
			}).build())
			.build();
		DeadlineExceededException refused = underBudget(Duration.ZERO,
				() -> catchDeadline(() -> pipeline.execute("call", (context) -> context)));
		assertThat(refused.stage()).isEqualTo(DeadlineStage.CALL);
	}

	@Test
	void withoutADeadlineConfigurationAPipelineEnforcesAndTellsNobody() throws Exception {
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker()).build();
		assertThat(pipeline.deadlines()).isSameAs(DeadlineConfig.ofDefaults());
		assertThat(pipeline.deadlines().mode()).isEqualTo(DeadlineMode.ENFORCE);
		assertThat(underBudget(Duration.ZERO, () -> catchDeadline(() -> pipeline.execute("call", (c) -> c))).stage())
			.isEqualTo(DeadlineStage.CALL);
	}

	@Test
	void aNamedPipelineReportsItsNameForACallRefusedAtTheStart() throws Exception {
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker()).name("payments").deadlines(enforce()).build();
		assertThat(pipeline.name()).isEqualTo("payments");
		assertThat(underBudget(Duration.ZERO, () -> catchDeadline(() -> pipeline.execute("call", (c) -> c))))
			.satisfies((refused) -> assertThat(refused.instanceName()).isEqualTo("payments"));
	}

	private <T> T underBudget(Duration budget, CheckedSupplier<T> call) throws Exception {
		try (Deadline.Scope scope = Deadline.enter(Deadline.after(budget, this.ticker))) {
			return call.get();
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new AssertionError(ex);
		}
	}

	private static DeadlineExceededException catchDeadline(CheckedSupplier<?> call) {
		try {
			call.get();
		}
		catch (DeadlineExceededException ex) {
			return ex;
		}
		catch (Throwable ex) {
			throw new AssertionError("expected a DeadlineExceededException but got " + ex, ex);
		}
		throw new AssertionError("expected a DeadlineExceededException but the call returned");
	}

	private DeadlineConfig enforce() {
		return DeadlineConfig.builder().mode(DeadlineMode.ENFORCE).listener(this.listener).build();
	}

	private DeadlineConfig observe() {
		return DeadlineConfig.builder().mode(DeadlineMode.OBSERVE).listener(this.listener).build();
	}

	/** One permit a second, callers waiting up to 5 s for one. */
	private RateLimiter onePerSecond() {
		return RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(5))
					.build(),
				this.ticker, this.scheduler);
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults(), this.ticker, this.scheduler);
	}

	private Retry retry() {
		return Retry.of("retry", RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(200)).build(),
				this.ticker, this.scheduler);
	}

	private Timeout timeout(Duration duration) {
		return Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(duration).build(), this.ticker,
				this.scheduler);
	}

	record Heard(DeadlineStage stage, String name, DeadlineMode mode, long remaining) {
	}

}
