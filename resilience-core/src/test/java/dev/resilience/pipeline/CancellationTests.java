package dev.resilience.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling the future of an asynchronous execution reaches every stage inside it: a
 * call waiting for its rate-limit permits never starts and gives them back, places and
 * trial slots are released, later attempts are not made, and the call's own stage is
 * cancelled unless a timeout is told not to cancel running futures.
 */
class CancellationTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final List<CompletableFuture<Object>> stages = new ArrayList<>();

	private final AtomicInteger calls = new AtomicInteger();

	/** A call whose stage completes only when the test says so. */
	private CompletableFuture<Object> call(Object context) {
		this.calls.incrementAndGet();
		CompletableFuture<Object> stage = new CompletableFuture<>();
		this.stages.add(stage);
		return stage;
	}

	private RateLimiter limiter() {
		return RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(10))
					.build(),
				this.ticker, this.scheduler);
	}

	@Test
	void aCallCancelledWhileWaitingForItsPermitsNeverStartsAndGivesThemBack() {
		RateLimiter limiter = limiter();
		Pipeline pipeline = Pipeline.builder().rateLimiter(limiter).build();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		CompletableFuture<Object> waiting = pipeline.executeAsync("ctx", this::call);
		assertThat(this.calls).hasValue(0);
		assertThat(limiter.metrics().availablePermissions()).as("one permit reserved ahead").isEqualTo(-1);
		waiting.cancel(true);
		// The permit it reserved for 1 s is back, and its start is no longer scheduled.
		assertThat(limiter.metrics().availablePermissions()).isZero();
		assertThat(this.scheduler.pendingTasks()).isZero();
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(this.calls).as("calls started after the cancel").hasValue(0);
	}

	@Test
	void cancellingCancelsTheCallsStageAndReleasesTheBulkheadPlace() {
		Bulkhead bulkhead = Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		Pipeline pipeline = Pipeline.builder().bulkhead(bulkhead).build();
		CompletableFuture<Object> running = pipeline.executeAsync("ctx", this::call);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero();
		running.cancel(true);
		assertThat(this.stages).singleElement().satisfies((stage) -> assertThat(stage).isCancelled());
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isOne();
	}

	@Test
	void cancellingReleasesTheHalfOpenTrialAndCountsNothing() {
		CircuitBreaker breaker = CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(1).build(), this.ticker,
				this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).build();
		pipeline.executeAsync("ctx", this::call).cancel(true);
		assertThat(breaker.metrics().totalSuccessfulCalls() + breaker.metrics().totalFailedCalls()).isZero();
		// The trial slot is free: another call is admitted.
		CompletableFuture<Object> trial = pipeline.executeAsync("ctx", this::call);
		this.stages.get(1).complete("ok");
		assertThat(trial).isCompletedWithValue("ok");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void cancellingDuringARetryBackoffMakesNoFurtherAttempt() {
		Retry retry = Retry.of("retry",
				RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofSeconds(1)).build(), this.ticker,
				this.scheduler);
		Pipeline pipeline = Pipeline.builder().retry(retry).build();
		CompletableFuture<Object> execution = pipeline.executeAsync("ctx", this::call);
		this.stages.get(0).completeExceptionally(new IllegalStateException("flaky"));
		execution.cancel(true);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(this.calls).hasValue(1);
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void aTimeoutThatMustNotCancelRunningFuturesKeepsTheCallRunning() {
		Timeout timeout = Timeout.of("timeout",
				TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).cancelRunningFuture(false).build(),
				this.ticker, this.scheduler);
		Pipeline pipeline = Pipeline.builder().timeout(timeout).build();
		pipeline.executeAsync("ctx", this::call).cancel(true);
		assertThat(this.stages).singleElement().satisfies((stage) -> assertThat(stage).isNotDone());
		// The deadline is disarmed with the execution.
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void aTimeoutThatCancelsRunningFuturesPassesTheCancelOn() {
		Timeout timeout = Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).build(),
				this.ticker, this.scheduler);
		Pipeline pipeline = Pipeline.builder().timeout(timeout).build();
		pipeline.executeAsync("ctx", this::call).cancel(true);
		assertThat(this.stages).singleElement().satisfies((stage) -> assertThat(stage).isCancelled());
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

}
