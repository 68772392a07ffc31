package dev.resilience.reactor;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import dev.resilience.fallback.Fallback;
import dev.resilience.pipeline.Pipeline;
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
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ResilienceOperator} on code-built pipelines, on fake time: every wait is a task
 * on the {@link ManualScheduler}, run by advancing it.
 */
class ResilienceOperatorTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@Test
	void aMonoStaysAMonoAndAFluxAFlux() {
		ResilienceOperator<String> operator = ResilienceOperator.of(Pipeline.builder().bulkhead(bulkhead(1)).build());
		assertThat(operator.apply(Mono.just("one"))).isInstanceOf(Mono.class);
		assertThat(operator.apply(Flux.just("one", "two"))).isInstanceOf(Flux.class);
		assertThat(Mono.just("one").transformDeferred(operator).block()).isEqualTo("one");
		assertThat(Flux.just("one", "two").transformDeferred(operator).collectList().block()).containsExactly("one",
				"two");
	}

	@Test
	void theBreakerOpensOnFailuresAndLetsATrialCallThroughAfterItsWaitOnFakeTime() {
		CircuitBreaker breaker = CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder()
					.slidingWindowSize(2)
					.minimumNumberOfCalls(2)
					.waitDurationInOpenState(Duration.ofSeconds(10))
					.permittedNumberOfCallsInHalfOpenState(1)
					.build(),
				this.ticker, this.scheduler);
		ResilienceOperator<String> operator = ResilienceOperator.of(Pipeline.builder().circuitBreaker(breaker).build());
		AtomicInteger calls = new AtomicInteger();
		Mono<String> failing = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.<String>error(new IOException("down"));
		}).transformDeferred(operator);
		assertThat(failure(failing)).isInstanceOf(IOException.class);
		assertThat(failure(failing)).isInstanceOf(IOException.class);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(failure(failing)).as("rejected without subscribing the source")
			.isInstanceOf(CallNotPermittedException.class);
		assertThat(calls).hasValue(2);
		this.ticker.advance(Duration.ofSeconds(10));
		assertThat(Mono.just("up").transformDeferred(operator).block()).isEqualTo("up");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void theRetryResubscribesTheSourceAfterItsWaitOnTheScheduler() {
		Retry retry = Retry.of("retry",
				RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(100)).build(), this.ticker,
				this.scheduler);
		AtomicInteger attempts = new AtomicInteger();
		Mono<String> flaky = Mono.defer(() -> (attempts.incrementAndGet() < 3) ? Mono.error(new IOException("flaky"))
				: Mono.just("attempt " + attempts.get()));
		AtomicReference<String> result = new AtomicReference<>();
		flaky.transformDeferred(ResilienceOperator.of(Pipeline.builder().retry(retry).build())).subscribe(result::set);
		assertThat(attempts).as("the second attempt waits on the scheduler").hasValue(1);
		this.scheduler.advance(Duration.ofMillis(100));
		assertThat(attempts).hasValue(2);
		this.scheduler.advance(Duration.ofMillis(100));
		assertThat(attempts).hasValue(3);
		assertThat(result).hasValue("attempt 3");
	}

	@Test
	void theRetryDoesNotResubscribeAFluxThatAlreadyEmitted() {
		Retry retry = Retry.of("retry", RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ZERO).build(),
				this.ticker, this.scheduler);
		AtomicInteger subscriptions = new AtomicInteger();
		Flux<String> source = Flux.concat(Flux.just("a"), Flux.<String>error(new IOException("midway")))
			.doOnSubscribe((subscription) -> subscriptions.incrementAndGet());
		List<String> seen = new CopyOnWriteArrayList<>();
		AtomicReference<Throwable> error = new AtomicReference<>();
		source.transformDeferred(ResilienceOperator.of(Pipeline.builder().retry(retry).build()))
			.subscribe(seen::add, error::set);
		assertThat(seen).containsExactly("a");
		assertThat(error.get()).isInstanceOf(IOException.class).hasMessage("midway");
		assertThat(subscriptions).hasValue(1);
	}

	@Test
	void theRateLimiterDelaysTheSubscriptionUntilItsPermitsFallDueOnTheScheduler() {
		RateLimiter limiter = RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(5))
					.build(),
				this.ticker, this.scheduler);
		ResilienceOperator<String> operator = ResilienceOperator.of(Pipeline.builder().rateLimiter(limiter).build());
		AtomicInteger subscribed = new AtomicInteger();
		Mono<String> call = Mono.fromCallable(() -> "call " + subscribed.incrementAndGet()).transformDeferred(operator);
		AtomicReference<String> first = new AtomicReference<>();
		AtomicReference<String> second = new AtomicReference<>();
		call.subscribe(first::set);
		call.subscribe(second::set);
		assertThat(first).hasValue("call 1");
		assertThat(second).as("waits for the next period, blocking no thread").hasValue(null);
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(second).hasValue("call 2");
	}

	@Test
	void aCancelledSubscriptionGivesBackTheBulkheadsPlaceTheBreakersPermitAndReservedPermits() {
		Bulkhead bulkhead = bulkhead(1);
		CircuitBreaker breaker = CircuitBreaker.of("breaker", CircuitBreakerConfig.builder().build(), this.ticker,
				this.scheduler);
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).bulkhead(bulkhead).build();
		Disposable running = Mono.never().transformDeferred(ResilienceOperator.of(pipeline)).subscribe();
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(1);
		running.dispose();
		assertThat(bulkhead.metrics().activeCalls()).isZero();
		assertThat(breaker.metrics().bufferedCalls()).as("a cancellation is not counted").isZero();

		RateLimiter limiter = RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ofSeconds(5))
					.build(),
				this.ticker, this.scheduler);
		Pipeline limited = Pipeline.builder().rateLimiter(limiter).build();
		Mono.just("now").transformDeferred(ResilienceOperator.of(limited)).block();
		AtomicInteger subscribed = new AtomicInteger();
		Disposable waiting = Mono.fromCallable(subscribed::incrementAndGet)
			.transformDeferred(ResilienceOperator.of(limited))
			.subscribe();
		assertThat(limiter.metrics().availablePermissions()).as("reserved ahead").isNegative();
		waiting.dispose();
		assertThat(this.scheduler.pendingTasks()).isZero();
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(subscribed).hasValue(0);
		assertThat(limiter.metrics().availablePermissions()).as("the reserved permit was given back").isEqualTo(1);
	}

	@Test
	void theSubscribersContextReachesTheSource() {
		Pipeline pipeline = Pipeline.builder()
			.retry(Retry.of("retry", RetryConfig.builder().maxAttempts(2).waitDuration(Duration.ZERO).build(),
					this.ticker, this.scheduler))
			.circuitBreaker(
					CircuitBreaker.of("breaker", CircuitBreakerConfig.builder().build(), this.ticker, this.scheduler))
			.timeout(timeout(Duration.ofSeconds(1)))
			.bulkhead(bulkhead(1))
			.build();
		String user = Mono.deferContextual((context) -> Mono.just(context.<String>get("user")))
			.transformDeferred(ResilienceOperator.of(pipeline))
			.contextWrite(Context.of("user", "ann"))
			.block();
		assertThat(user).isEqualTo("ann");
	}

	@Test
	void aFluxStreamsEachElementBeforeItCompletesAndHoldsItsPlaceUntilThen() {
		Bulkhead bulkhead = bulkhead(1);
		CircuitBreaker breaker = CircuitBreaker.of("breaker", CircuitBreakerConfig.builder().build(), this.ticker,
				this.scheduler);
		Pipeline pipeline = Pipeline.builder()
			.circuitBreaker(breaker)
			.timeout(timeout(Duration.ofSeconds(1)))
			.bulkhead(bulkhead)
			.build();
		Sinks.Many<String> source = Sinks.many().unicast().onBackpressureBuffer();
		List<String> seen = new CopyOnWriteArrayList<>();
		AtomicInteger completed = new AtomicInteger();
		source.asFlux()
			.transformDeferred(ResilienceOperator.of(pipeline))
			.subscribe(seen::add, null, completed::incrementAndGet);
		source.tryEmitNext("a");
		assertThat(seen).containsExactly("a");
		this.scheduler.advance(Duration.ofMillis(900));
		source.tryEmitNext("b");
		this.scheduler.advance(Duration.ofMillis(900));
		assertThat(seen).as("each element within the timeout of the one before").containsExactly("a", "b");
		assertThat(completed).hasValue(0);
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(1);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		source.tryEmitComplete();
		assertThat(completed).hasValue(1);
		assertThat(bulkhead.metrics().activeCalls()).isZero();
		assertThat(breaker.metrics().totalSuccessfulCalls()).as("one call, counted at its end").isEqualTo(1);
	}

	@Test
	void aFluxThatGoesSilentForLongerThanTheTimeoutFailsWithTheTimeout() {
		Sinks.Many<String> source = Sinks.many().unicast().onBackpressureBuffer();
		AtomicReference<Throwable> error = new AtomicReference<>();
		List<String> seen = new CopyOnWriteArrayList<>();
		source.asFlux()
			.transformDeferred(
					ResilienceOperator.of(Pipeline.builder().timeout(timeout(Duration.ofSeconds(1))).build()))
			.subscribe(seen::add, error::set);
		source.tryEmitNext("a");
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(seen).containsExactly("a");
		assertThat(error.get()).isInstanceOf(TimeoutExceededException.class);
	}

	@Test
	void perKeyStagesReadTheirKeyFromTheSubscribersContextByDefault() {
		RateLimiter limiter = RateLimiter.of("limiter",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofSeconds(1))
					.timeoutDuration(Duration.ZERO)
					.build(),
				this.ticker, this.scheduler);
		KeySelector tenant = (context) -> ((ContextView) context).get("tenant");
		ResilienceOperator<String> operator = ResilienceOperator
			.of(Pipeline.builder().rateLimiter(limiter, 1, tenant).build());
		assertThat(call(operator, "a")).isEqualTo("ok");
		assertThat(call(operator, "b")).as("another key has its own bucket").isEqualTo("ok");
		assertThat(failure(Mono.just("ok").transformDeferred(operator).contextWrite(Context.of("tenant", "a"))))
			.isInstanceOf(RequestNotPermittedException.class);
		assertThat(limiter.metrics().liveKeys()).isEqualTo(2);
	}

	@Test
	void theCallContextCanBeComputedFromTheSubscribersContextOrGiven() {
		Bulkhead bulkhead = bulkhead(1);
		List<Object> keys = new CopyOnWriteArrayList<>();
		KeySelector recording = (context) -> {
			keys.add(context);
			return context;
		};
		Pipeline pipeline = Pipeline.builder().bulkhead(bulkhead, recording).build();
		Mono.just("ok")
			.transformDeferred(ResilienceOperator.of(pipeline, (context) -> context.get("tenant")))
			.contextWrite(Context.of("tenant", "a"))
			.block();
		Mono.just("ok").transformDeferred(ResilienceOperator.of(pipeline, (context) -> "fixed")).block();
		assertThat(keys).containsExactly("a", "fixed");
	}

	@Test
	void aKeyThatCannotBeComputedFailsTheSubscriptionAndTheFallbackDoesNotAnswerIt() {
		AtomicInteger subscribed = new AtomicInteger();
		Pipeline pipeline = Pipeline.builder()
			.bulkhead(bulkhead(1), (context) -> ((ContextView) context).get("absent"))
			.fallback(Fallback.of(Exception.class, (context, failure) -> "fallback"))
			.build();
		Mono<Integer> call = Mono.fromCallable(subscribed::incrementAndGet)
			.transformDeferred(ResilienceOperator.of(pipeline));
		assertThat(failure(call)).isInstanceOf(KeyEvaluationException.class)
			.hasMessageContaining("bulkhead 'bulkhead'");
		assertThat(subscribed).hasValue(0);
	}

	@Test
	void theFallbackAnswersWithAValueOrAPublisherAndGetsTheCallContext() {
		Pipeline value = Pipeline.builder()
			.fallback(Fallback.of(IOException.class,
					(context, failure) -> "fallback for " + ((ContextView) context).get("user")))
			.build();
		assertThat(Mono.<String>error(new IOException("down"))
			.transformDeferred(ResilienceOperator.of(value))
			.contextWrite(Context.of("user", "ann"))
			.block()).isEqualTo("fallback for ann");
		Pipeline publisher = Pipeline.builder()
			.fallback(Fallback.of(IOException.class, (context, failure) -> Flux.just("x", "y")))
			.build();
		assertThat(Flux.<String>error(new IOException("down"))
			.transformDeferred(ResilienceOperator.of(publisher))
			.collectList()
			.block()).containsExactly("x", "y");
		assertThat(
				Mono.<String>error(new IOException("down")).transformDeferred(ResilienceOperator.of(publisher)).block())
			.as("a Mono's fallback gives its first element")
			.isEqualTo("x");
	}

	private static String call(ResilienceOperator<String> operator, String tenant) {
		return Mono.just("ok").transformDeferred(operator).contextWrite(Context.of("tenant", tenant)).block();
	}

	/**
	 * Subscribes and returns the failure the Mono signalled at once (shared by the tests
	 * here).
	 */
	static Throwable failure(Mono<?> mono) {
		AtomicReference<Throwable> failure = new AtomicReference<>();
		mono.subscribe((value) -> {
		}, failure::set);
		assertThat(failure.get()).as("the Mono failed at once").isNotNull();
		return failure.get();
	}

	private Bulkhead bulkhead(int max) {
		return Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(max).build(), this.ticker,
				this.scheduler);
	}

	private Timeout timeout(Duration duration) {
		return Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(duration).build(), this.ticker,
				this.scheduler);
	}

}
