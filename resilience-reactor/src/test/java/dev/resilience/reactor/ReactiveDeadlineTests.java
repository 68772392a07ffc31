package dev.resilience.reactor;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Reactor path respects the subscription's deadline as the pipeline does: taken from
 * the subscriber's Context (or the subscribing thread), carried to every stage whatever
 * thread it runs on, cut under ENFORCE, told under OBSERVE. Fake time throughout.
 */
class ReactiveDeadlineTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final List<DeadlineStage> heard = new CopyOnWriteArrayList<>();

	private final DeadlineListener listener = (stage, name, mode, remaining) -> this.heard.add(stage);

	@AfterEach
	void noDeadlineIsLeftOnTheThread() {
		assertThat(Deadline.current()).isNull();
	}

	@Test
	void aSubscriptionWhoseBudgetIsGoneInTheContextDoesNotSubscribeTheSource() {
		CircuitBreaker breaker = CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults(), this.ticker,
				this.scheduler);
		AtomicInteger subscribed = new AtomicInteger();
		Mono<String> call = Mono.fromCallable(() -> {
			subscribed.incrementAndGet();
			return "never";
		})
			.transformDeferred(
					ResilienceOperator.of(Pipeline.builder().circuitBreaker(breaker).deadlines(enforce()).build()))
			.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ZERO, this.ticker)));
		Throwable failure = ResilienceOperatorTests.failure(call);
		assertThat(failure).isInstanceOfSatisfying(DeadlineExceededException.class,
				(refused) -> assertThat(refused.stage()).isEqualTo(DeadlineStage.CALL));
		assertThat(subscribed).hasValue(0);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(this.heard).containsExactly(DeadlineStage.CALL);
	}

	@Test
	void theSubscribingThreadsDeadlineIsUsedWhenTheContextHasNone() {
		Pipeline pipeline = Pipeline.builder()
			.circuitBreaker(
					CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults(), this.ticker, this.scheduler))
			.deadlines(enforce())
			.build();
		Mono<Object> seen = Mono.deferContextual((context) -> Mono.just(context.get(Deadline.CONTEXT_KEY)))
			.transformDeferred(ResilienceOperator.of(pipeline));
		Deadline deadline = Deadline.after(Duration.ofSeconds(1), this.ticker);
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			assertThat(seen.block()).as("carried in the Context to the source").isSameAs(deadline);
		}
	}

	@Test
	void aTimeoutIsCutAtTheDeadlineWhenThatComesFirst() {
		Timeout timeout = Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(5)).build(),
				this.ticker, this.scheduler);
		Sinks.One<String> never = Sinks.one();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		never.asMono()
			.transformDeferred(ResilienceOperator.of(Pipeline.builder().timeout(timeout).deadlines(enforce()).build()))
			.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(300), this.ticker)))
			.subscribe((value) -> {
			}, failure::set);
		this.scheduler.advance(Duration.ofMillis(299));
		assertThat(failure.get()).isNull();
		this.scheduler.advance(Duration.ofMillis(1));
		assertThat(failure.get()).isInstanceOfSatisfying(DeadlineExceededException.class, (cut) -> {
			assertThat(cut.stage()).isEqualTo(DeadlineStage.TIMEOUT);
			assertThat(cut.isRejection()).isFalse();
			assertThat(cut.getCause()).isInstanceOf(TimeoutExceededException.class);
		});
		assertThat(timeout.metrics().totalTimedOutCalls()).isOne();
		assertThat(this.heard).containsExactly(DeadlineStage.TIMEOUT);
	}

	@Test
	void observedTheTimeoutIsItsOwnAndALateEndIsTold() {
		Timeout timeout = Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(5)).build(),
				this.ticker, this.scheduler);
		Sinks.One<String> later = Sinks.one();
		AtomicReference<Object> value = new AtomicReference<>();
		later.asMono()
			.transformDeferred(ResilienceOperator.of(Pipeline.builder().timeout(timeout).deadlines(observe()).build()))
			.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(300), this.ticker)))
			.subscribe(value::set);
		this.scheduler.advance(Duration.ofSeconds(1));
		later.tryEmitValue("late but whole");
		assertThat(value.get()).isEqualTo("late but whole");
		assertThat(this.heard).containsExactly(DeadlineStage.TIMEOUT);
	}

	@Test
	void aRetryStopsWhenTheNextWaitCannotEndInTimeAndLaterAttemptsSeeTheDeadline() {
		Retry retry = Retry.of("retry",
				RetryConfig.builder().maxAttempts(5).waitDuration(Duration.ofMillis(200)).build(), this.ticker,
				this.scheduler);
		Deadline deadline = Deadline.after(Duration.ofMillis(500), this.ticker);
		List<Object> seen = new CopyOnWriteArrayList<>();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Mono.deferContextual((context) -> {
			seen.add(context.get(Deadline.CONTEXT_KEY));
			return Mono.error(new IOException("down"));
		})
			.transformDeferred(ResilienceOperator.of(Pipeline.builder().retry(retry).deadlines(enforce()).build()))
			.contextWrite(Context.of(Deadline.CONTEXT_KEY, deadline))
			.subscribe((value) -> {
			}, failure::set);
		for (int i = 0; i < 20 && failure.get() == null; i++) {
			this.scheduler.advance(Duration.ofMillis(100));
		}
		// Attempts at 0, 200 and 400 ms; a fourth would need 200 ms of the 100 left.
		assertThat(seen).hasSize(3).containsOnly(deadline);
		assertThat(failure.get()).isInstanceOf(IOException.class);
		assertThat(failure.get().getSuppressed()).singleElement().isInstanceOf(DeadlineExceededException.class);
		assertThat(this.heard).containsExactly(DeadlineStage.RETRY);
	}

	@Test
	void aRateLimiterDoesNotReservePermitsThatFallDueAfterTheDeadline() {
		RateLimiter limiter = RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(5))
					.build(),
				this.ticker, this.scheduler);
		ResilienceOperator<String> operator = ResilienceOperator
			.of(Pipeline.builder().rateLimiter(limiter).deadlines(enforce()).build());
		assertThat(Mono.just("first").transformDeferred(operator).block()).isEqualTo("first");
		Throwable failure = ResilienceOperatorTests.failure(Mono.just("second")
			.transformDeferred(operator)
			.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(300), this.ticker))));
		assertThat(failure).isInstanceOfSatisfying(DeadlineExceededException.class,
				(refused) -> assertThat(refused.stage()).isEqualTo(DeadlineStage.RATE_LIMITER));
		assertThat(limiter.metrics().totalRejectedCalls()).isZero();
		assertThat(limiter.reservePermission(1)).as("nothing was taken").isEqualTo(Duration.ofSeconds(1).toNanos());
	}

	private DeadlineConfig enforce() {
		return DeadlineConfig.builder().mode(DeadlineMode.ENFORCE).listener(this.listener).build();
	}

	private DeadlineConfig observe() {
		return DeadlineConfig.builder().mode(DeadlineMode.OBSERVE).listener(this.listener).build();
	}

}
