package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutExceededException;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Flux} streams through every stage: elements go downstream as they come, the
 * permits are held while the stream runs and released when it ends or is cancelled, a
 * retry resubscribes only before the first element, and the timeout applies to the first
 * element and to every gap between elements. On Reactor's virtual time, which also drives
 * the stages ({@link VirtualTime}).
 */
class StreamingTests {

	private static final Duration SECOND = Duration.ofSeconds(1);

	// A real-time bound, so that a stream that never emits fails the test instead of
	// hanging the build; the scenarios themselves run on virtual time.
	private static final Duration BOUND = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withBean(VirtualTime.class)
		.withBean(Streams.class)
		.withPropertyValues("resilience.circuitbreaker.instances.stream.sliding-window-size=10",
				"resilience.circuitbreaker.instances.stream.minimum-number-of-calls=10",
				"resilience.timeout.instances.stream.timeout-duration=5s",
				"resilience.retry.instances.stream.max-attempts=3",
				"resilience.retry.instances.stream.wait-duration=1s",
				"resilience.bulkhead.instances.stream.max-concurrent-calls=1",
				"resilience.ratelimiter.instances.stream.limit-for-period=1",
				"resilience.ratelimiter.instances.stream.limit-refresh-period=10s",
				"resilience.ratelimiter.instances.stream.timeout-duration=1m");

	@Test
	void anEndlessFluxEmitsAsItGoesAndTakingThreeReleasesEveryPermitAsNeitherSuccessNorFailure() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> Flux.interval(SECOND));
			dev.resilience.bulkhead.Bulkhead bulkhead = context.getBean(BulkheadRegistry.class).instance("stream");
			StepVerifier.withVirtualTime(() -> streams.ticks().take(3), context.getBean(VirtualTime.class)::next, 1)
				.expectSubscription()
				.then(() -> assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero())
				.thenAwait(SECOND)
				.expectNext(0L)
				.thenRequest(2)
				.thenAwait(SECOND)
				.expectNext(1L)
				.thenAwait(SECOND)
				.expectNext(2L)
				.expectComplete()
				.verify(BOUND);
			assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
			dev.resilience.circuitbreaker.CircuitBreaker.Metrics breaker = breaker(context).metrics();
			assertThat(breaker.totalSuccessfulCalls() + breaker.totalFailedCalls() + breaker.totalIgnoredCalls())
				.isZero();
			assertThat(breaker.bufferedCalls()).isZero();
			assertThat(timeout(context).metrics()).isEqualTo(new dev.resilience.timeout.Timeout.Metrics(0, 0, 0));
			// For the retry, a stream that delivered its first element has succeeded.
			assertThat(retry(context).metrics().successfulCallsWithoutRetry()).isEqualTo(1);
			assertThat(streams.subscriptions()).hasValue(1);
		});
	}

	@Test
	void aCancelledTrialCallGivesItsHalfOpenSlotBack() {
		this.contextRunner
			.withPropertyValues(
					"resilience.circuitbreaker.instances.stream.permitted-number-of-calls-in-half-open-state=1")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				streams.source((subscription) -> Flux.interval(SECOND));
				dev.resilience.circuitbreaker.CircuitBreaker breaker = breaker(context);
				breaker.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
				StepVerifier
					.withVirtualTime(() -> streams.ticks().take(2), context.getBean(VirtualTime.class)::next,
							Long.MAX_VALUE)
					.thenAwait(Duration.ofSeconds(2))
					.expectNext(0L, 1L)
					.expectComplete()
					.verify(BOUND);
				assertThat(breaker.state()).isEqualTo(dev.resilience.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
				// The one trial slot is free again.
				breaker.acquirePermit().release();
			});
	}

	@Test
	void aStreamThatCompletesIsASuccessAndOneThatFailsAfterElementsIsAFailureThatIsNotRetried() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> (subscription == 1) ? Flux.interval(SECOND).take(2)
					: Flux.interval(SECOND).take(2).concatWith(Flux.error(new IllegalStateException("broken"))));
			VirtualTime time = context.getBean(VirtualTime.class);
			StepVerifier.withVirtualTime(streams::ticks, time::next, Long.MAX_VALUE)
				.thenAwait(Duration.ofSeconds(2))
				.expectNext(0L, 1L)
				.expectComplete()
				.verify(BOUND);
			StepVerifier.withVirtualTime(streams::ticks, time::next, Long.MAX_VALUE)
				.thenAwait(Duration.ofSeconds(2))
				.expectNext(0L, 1L)
				.expectErrorMessage("broken")
				.verify(BOUND);
			assertThat(streams.subscriptions()).hasValue(2);
			assertThat(breaker(context).metrics().totalSuccessfulCalls()).isEqualTo(1);
			assertThat(breaker(context).metrics().totalFailedCalls()).isEqualTo(1);
			assertThat(timeout(context).metrics()).isEqualTo(new dev.resilience.timeout.Timeout.Metrics(1, 1, 0));
			assertThat(bulkhead(context).metrics().availableConcurrentCalls()).isEqualTo(1);
		});
	}

	@Test
	void aFailureBeforeAnyElementIsRetriedAfterTheRetrysWait() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> (subscription == 1)
					? Flux.<Long>error(new IllegalStateException("not yet")).delaySubscription(SECOND)
					: Flux.interval(SECOND));
			StepVerifier
				.withVirtualTime(() -> streams.ticks().take(2), context.getBean(VirtualTime.class)::next,
						Long.MAX_VALUE)
				.thenAwait(SECOND)
				.then(() -> assertThat(streams.subscriptions()).hasValue(1))
				// The retry's wait is 1 s, then the second attempt's first tick 1 s
				// later.
				.thenAwait(SECOND)
				.then(() -> assertThat(streams.subscriptions()).hasValue(2))
				.thenAwait(SECOND)
				.expectNext(0L)
				.thenAwait(SECOND)
				.expectNext(1L)
				.expectComplete()
				.verify(BOUND);
			assertThat(retry(context).metrics().successfulCallsWithRetry()).isEqualTo(1);
			// The first attempt failed; the second was cancelled by take(2): not counted.
			assertThat(breaker(context).metrics().totalFailedCalls()).isEqualTo(1);
			assertThat(breaker(context).metrics().totalSuccessfulCalls()).isZero();
		});
	}

	@Test
	void theTimeoutFiresOnAGapBetweenElementsAndThatFailureIsFinal() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> Flux.interval(SECOND)
				.take(2)
				.concatWith(Flux.interval(Duration.ofSeconds(10)).map((tick) -> 100 + tick)));
			StepVerifier.withVirtualTime(streams::ticks, context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.thenAwait(Duration.ofSeconds(2))
				.expectNext(0L, 1L)
				.expectNoEvent(Duration.ofMillis(4999))
				.thenAwait(Duration.ofMillis(1))
				.expectError(TimeoutExceededException.class)
				.verify(BOUND);
			assertThat(streams.subscriptions()).hasValue(1);
			assertThat(timeout(context).metrics().totalTimedOutCalls()).isEqualTo(1);
			assertThat(breaker(context).metrics().totalFailedCalls()).isEqualTo(1);
			assertThat(bulkhead(context).metrics().availableConcurrentCalls()).isEqualTo(1);
		});
	}

	@Test
	void aStreamSilentBeforeItsFirstElementTimesOutAndIsRetried() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> Flux.never());
			StepVerifier.withVirtualTime(streams::ticks, context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				// Three attempts of 5 s with 1 s between them.
				.expectSubscription()
				.expectNoEvent(Duration.ofSeconds(16))
				.thenAwait(Duration.ofSeconds(1))
				.expectError(TimeoutExceededException.class)
				.verify(BOUND);
			assertThat(streams.subscriptions()).hasValue(3);
			assertThat(timeout(context).metrics().totalTimedOutCalls()).isEqualTo(3);
		});
	}

	@Test
	void aRateLimitWaitDelaysTheSubscriptionOnTheLimitersTime() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			StepVerifier
				.withVirtualTime(() -> streams.limited().concatWith(streams.limited()),
						context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.expectNext("permitted")
				// The second call waits for the next permit, 10 s later.
				.expectNoEvent(Duration.ofMillis(9999))
				.thenAwait(Duration.ofMillis(1))
				.expectNext("permitted")
				.expectComplete()
				.verify(BOUND);
			assertThat(streams.limitedCalls()).hasValue(2);
			assertThat(context.getBean(RateLimiterRegistry.class).instance("stream").metrics().totalRejectedCalls())
				.isZero();
		});
	}

	@Test
	void aSubscriberThatCancelsDuringARateLimitWaitNeverCallsAndGivesThePermitBack() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			RateLimiter limiter = context.getBean(RateLimiterRegistry.class).instance("stream");
			StepVerifier.withVirtualTime(streams::limited, context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.expectNext("permitted")
				.verifyComplete();
			StepVerifier.withVirtualTime(streams::limited, context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.expectSubscription()
				.expectNoEvent(Duration.ofSeconds(1))
				.thenCancel()
				.verify(BOUND);
			// The permit it had reserved 9 s ahead is back: one permit refills in 10 s.
			assertThat(limiter.metrics().availablePermissions()).isZero();
			assertThat(streams.limitedCalls()).hasValue(1);
		});
	}

	@Test
	void theSubscribersContextReachesTheMethodsPublisherThroughEveryStage() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			StepVerifier
				.withVirtualTime(() -> streams.whoAmI().contextWrite(Context.of("user", "alice")),
						context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.expectNext("alice")
				.expectComplete()
				.verify(BOUND);
			StepVerifier
				.withVirtualTime(() -> streams.whoAreWe().contextWrite(Context.of("user", "bob")),
						context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				.expectNext("bob", "bob")
				.expectComplete()
				.verify(BOUND);
			// And the fallback's publisher too.
			StepVerifier
				.withVirtualTime(() -> streams.failingWhoAmI().contextWrite(Context.of("user", "carol")),
						context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
				// After the retry's three attempts, 1 s apart.
				.thenAwait(Duration.ofSeconds(2))
				.expectNext("fallback for carol")
				.expectComplete()
				.verify(BOUND);
		});
	}

	@Test
	void aThreadPoolBulkheadSubscribesOnItsPoolAndKeepsTheContext() {
		this.contextRunner.run((context) -> {
			String answer = context.getBean(Streams.class)
				.pooled()
				.contextWrite(Context.of("user", "dave"))
				.toFuture()
				.get(10, TimeUnit.SECONDS);
			assertThat(answer).startsWith("dave on resilience-bulkhead-stream-pool-");
		});
	}

	@Test
	void aFullThreadPoolRejectsASubscriptionAtOnce() throws Exception {
		this.contextRunner
			.withPropertyValues("resilience.thread-pool-bulkhead.instances.stream-pool.core-thread-pool-size=1",
					"resilience.thread-pool-bulkhead.instances.stream-pool.max-thread-pool-size=1",
					"resilience.thread-pool-bulkhead.instances.stream-pool.queue-capacity=0")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
				// The only thread is busy subscribing the first call until released.
				java.util.concurrent.CompletableFuture<String> first = streams.blocking(release).toFuture();
				assertThat(streams.blocking(release).toFuture()).failsWithin(Duration.ofSeconds(10))
					.withThrowableThat()
					.havingCause()
					.isInstanceOf(dev.resilience.bulkhead.BulkheadFullException.class);
				release.countDown();
				assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("released");
			});
	}

	@Test
	void aMonoWhoseSubscriberCancelsRightAfterTheValueStillCountsASuccess() {
		this.contextRunner.run((context) -> {
			// next() cancels the subscription as soon as the value arrives, before the
			// completion.
			assertThat(Flux.from(context.getBean(Streams.class).value()).next().block(Duration.ofSeconds(5)))
				.isEqualTo("value");
			assertThat(breaker(context).metrics().totalSuccessfulCalls()).isEqualTo(1);
			assertThat(timeout(context).metrics().totalSuccessfulCalls()).isEqualTo(1);
			assertThat(bulkhead(context).metrics().availableConcurrentCalls()).isEqualTo(1);
		});
	}

	@Test
	void eachSubscriptionOfTheSamePublisherRunsTheStagesAndTheMethodAgain() {
		this.contextRunner.run((context) -> {
			Streams streams = context.getBean(Streams.class);
			streams.source((subscription) -> Flux.just((long) subscription));
			Flux<Long> ticks = streams.ticks();
			assertThat(ticks.concatWith(ticks).collectList().block(Duration.ofSeconds(5))).containsExactly(1L, 2L);
			assertThat(breaker(context).metrics().totalSuccessfulCalls()).isEqualTo(2);
		});
	}

	@Test
	void aKeyedBulkheadHoldsOnePlacePerKeyWhileItsStreamRuns() {
		this.contextRunner.withPropertyValues("resilience.bulkhead.instances.keyed.max-concurrent-calls=1")
			.run((context) -> {
				Streams streams = context.getBean(Streams.class);
				dev.resilience.bulkhead.Bulkhead keyed = context.getBean(BulkheadRegistry.class).instance("keyed");
				StepVerifier
					.withVirtualTime(
							() -> Flux.merge(streams.perUser("ann").take(2), streams.perUser("ben").take(2),
									streams.perUser("ann")
										.onErrorResume((ex) -> Flux.just(ex.getClass().getSimpleName()))),
							context.getBean(VirtualTime.class)::next, Long.MAX_VALUE)
					.expectNext("BulkheadFullException")
					.thenAwait(SECOND)
					.expectNextCount(2)
					.thenAwait(SECOND)
					.expectNextCount(2)
					.expectComplete()
					.verify(BOUND);
				assertThat(keyed.forKey("ann").metrics().availableConcurrentCalls()).isEqualTo(1);
				assertThat(keyed.metrics().totalRejectedCalls()).isEqualTo(1);
			});
	}

	private static dev.resilience.circuitbreaker.CircuitBreaker breaker(ApplicationContext context) {
		return context.getBean(CircuitBreakerRegistry.class).instance("stream");
	}

	private static dev.resilience.timeout.Timeout timeout(ApplicationContext context) {
		return context.getBean(TimeoutRegistry.class).instance("stream");
	}

	private static dev.resilience.retry.Retry retry(ApplicationContext context) {
		return context.getBean(RetryRegistry.class).instance("stream");
	}

	private static dev.resilience.bulkhead.Bulkhead bulkhead(ApplicationContext context) {
		return context.getBean(BulkheadRegistry.class).instance("stream");
	}

	static class Streams {

		final AtomicInteger subscriptions = new AtomicInteger();

		final AtomicInteger limitedCalls = new AtomicInteger();

		volatile IntFunction<Flux<Long>> source = (subscription) -> Flux.empty();

		// Package-private, so that the proxy passes them to the target (its own fields
		// are not the target's).
		void source(IntFunction<Flux<Long>> source) {
			this.source = source;
		}

		AtomicInteger subscriptions() {
			return this.subscriptions;
		}

		AtomicInteger limitedCalls() {
			return this.limitedCalls;
		}

		@Retry(name = "stream")
		@CircuitBreaker(name = "stream")
		@Timeout(name = "stream")
		@Bulkhead(name = "stream")
		public Flux<Long> ticks() {
			return Flux.defer(() -> this.source.apply(this.subscriptions.incrementAndGet()));
		}

		@RateLimited(name = "stream")
		public Mono<String> limited() {
			return Mono.fromSupplier(() -> {
				this.limitedCalls.incrementAndGet();
				return "permitted";
			});
		}

		@Retry(name = "stream")
		@CircuitBreaker(name = "stream")
		@Timeout(name = "stream")
		@Bulkhead(name = "stream")
		@RateLimited(name = "context")
		public Mono<String> whoAmI() {
			return Mono.deferContextual((context) -> Mono.just(context.get("user")));
		}

		@Retry(name = "stream")
		@CircuitBreaker(name = "stream")
		@Timeout(name = "stream")
		@Bulkhead(name = "stream")
		public Flux<String> whoAreWe() {
			return Flux.deferContextual((context) -> Flux.just(context.<String>get("user"), context.get("user")));
		}

		@Retry(name = "stream")
		@Fallback(method = "fallbackWhoAmI")
		public Mono<String> failingWhoAmI() {
			return Mono.error(new IllegalStateException("down"));
		}

		Mono<String> fallbackWhoAmI(IllegalStateException failure) {
			return Mono.deferContextual((context) -> Mono.just("fallback for " + context.get("user")));
		}

		@CircuitBreaker(name = "stream")
		@Timeout(name = "stream")
		@Bulkhead(name = "stream")
		public Mono<String> value() {
			return Mono.just("value");
		}

		@Bulkhead(name = "stream-pool", type = Bulkhead.Type.THREAD_POOL)
		public Mono<String> blocking(java.util.concurrent.CountDownLatch release) {
			return Mono.fromCallable(() -> release.await(10, TimeUnit.SECONDS) ? "released" : "timed out");
		}

		@Bulkhead(name = "keyed", key = "#user")
		public Flux<String> perUser(String user) {
			return Flux.interval(SECOND).map((tick) -> user + tick);
		}

		@Bulkhead(name = "stream-pool", type = Bulkhead.Type.THREAD_POOL)
		public Mono<String> pooled() {
			return Mono.deferContextual(
					(context) -> Mono.just(context.get("user") + " on " + Thread.currentThread().getName()));
		}

	}

}
