package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Following registries: present and later instances, removed ones dropped, events merged
 * by time, nothing left listening after close.
 */
class RecentEventsTests {

	private final SteppingClock clock = new SteppingClock();

	@Test
	void followsPresentAndLaterInstancesAndDropsRemovedOnes() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
		CircuitBreaker early = registry.instance("early");
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(registry);
			CircuitBreaker late = registry.instance("late");
			early.acquirePermit().onSuccess(0, null);
			late.acquirePermit().onSuccess(0, null);
			assertThat(recentEvents.events(null, null, null)).extracting((event) -> event.name)
				.containsExactly("early", "late");
			assertThat(recentEvents.followedInstances()).isEqualTo(2);
			registry.remove("early");
			assertThat(early.events().hasListeners()).isFalse();
			assertThat(recentEvents.events(null, null, null)).extracting((event) -> event.name).containsExactly("late");
			assertThat(recentEvents.followedInstances()).isEqualTo(1);
		}
	}

	@Test
	void mergesTheEventsOfEveryInstanceByTimeAndFilters() {
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
		RateLimiterRegistry limiters = RateLimiterRegistry.ofDefaults();
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(breakers);
			recentEvents.follow(limiters);
			CircuitBreaker breaker = breakers.instance("a");
			RateLimiter limiter = limiters.instance("a");
			breaker.acquirePermit().onSuccess(0, null);
			limiter.tryAcquirePermission(1);
			breaker.transitionTo(CircuitBreaker.State.DISABLED);
			limiter.tryAcquirePermission(1);
			List<RecordedEvent> all = recentEvents.events(null, null, null);
			assertThat(all).extracting((event) -> event.primitive + " " + event.type)
				.containsExactly("circuitbreaker SUCCESS", "ratelimiter PERMITTED", "circuitbreaker STATE_TRANSITION",
						"ratelimiter PERMITTED");
			assertThat(all).extracting((event) -> event.timestamp)
				.containsExactly(Instant.ofEpochSecond(1), Instant.ofEpochSecond(2), Instant.ofEpochSecond(3),
						Instant.ofEpochSecond(4));
			assertThat(recentEvents.events("ratelimiter", "a", null)).hasSize(2);
			assertThat(recentEvents.events(null, "a", "STATE_TRANSITION")).hasSize(1);
			assertThat(recentEvents.events(null, "b", null)).isEmpty();
		}
	}

	@Test
	void keepsEachInstancesOrderWhenTheClockStepsBack() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(registry);
			CircuitBreaker breaker = registry.instance("stepping");
			breaker.acquirePermit().onSuccess(0, null);
			this.clock.stepBack(100);
			breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
			assertThat(recentEvents.events(null, null, null)).extracting((event) -> event.type.name())
				.containsExactly("SUCCESS", "STATE_TRANSITION");
		}
	}

	@Test
	void tellsTheKindOfABulkhead() {
		ThreadPoolBulkheadRegistry registry = ThreadPoolBulkheadRegistry
			.of(ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(1).maxThreadPoolSize(1).build());
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(registry);
			ThreadPoolBulkhead bulkhead = registry.instance("pool");
			bulkhead.submit(() -> CompletableFuture.completedFuture("done")).join();
			assertThat(recentEvents.events(null, "pool", "PERMITTED")).singleElement()
				.satisfies((event) -> assertThat(event.details()).containsEntry("bulkheadType", "thread-pool"));
		}
		finally {
			registry.close();
		}
	}

	@Test
	void stopsListeningToRegistriesAndInstancesWhenClosed() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
		CircuitBreaker breaker = registry.instance("closing");
		RecentEvents recentEvents = new RecentEvents(10, this.clock);
		recentEvents.follow(registry);
		assertThat(breaker.events().hasListeners()).isTrue();
		assertThat(registry.events().hasListeners()).isTrue();
		recentEvents.close();
		assertThat(breaker.events().hasListeners()).isFalse();
		assertThat(registry.events().hasListeners()).isFalse();
		assertThat(registry.instance("after").events().hasListeners()).isFalse();
		assertThat(recentEvents.events(null, null, null)).isEmpty();
	}

	@Test
	void numbersTheEventsOfAllInstancesInOneSequenceAndKeepsTheLatest() {
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
		RateLimiterRegistry limiters = RateLimiterRegistry
			.of(RateLimiterConfig.builder().limitForPeriod(1).timeoutDuration(Duration.ZERO).build());
		try (RecentEvents recentEvents = new RecentEvents(2, this.clock)) {
			recentEvents.follow(breakers);
			recentEvents.follow(limiters);
			CircuitBreaker breaker = breakers.instance("a");
			RateLimiter limiter = limiters.instance("b");
			assertThat(limiter.tryAcquirePermission(1)).isTrue();
			breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
			for (int i = 0; i < RecentEvents.LATEST; i++) {
				assertThat(limiter.tryAcquirePermission(1)).isFalse();
				assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
			}
			List<RecordedEvent> latest = recentEvents.latest(-1);
			// Beyond each instance's own buffer of 2: the latest of all, alternating
			// (the transition and the first hundred rejections pushed out).
			assertThat(latest).hasSize(RecentEvents.LATEST);
			assertThat(latest).extracting((event) -> event.id).isSorted().doesNotHaveDuplicates();
			assertThat(latest.get(0).id).isEqualTo(RecentEvents.LATEST + 1);
			assertThat(latest.subList(96, 100)).extracting((event) -> event.name).containsExactly("b", "a", "b", "a");
			long lastId = latest.get(99).id;
			breaker.transitionTo(CircuitBreaker.State.OPEN);
			assertThat(recentEvents.latest(lastId)).extracting((event) -> event.type.name())
				.containsExactly("STATE_TRANSITION");
			// A removed instance's events stay until pushed out.
			breakers.remove("a");
			assertThat(recentEvents.latest(lastId)).hasSize(1);
		}
	}

	@Test
	void theLatestOfAllInstancesAreTheTransitionsRejectionsAndRetriesNotEveryCall() {
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
		RateLimiterRegistry limiters = RateLimiterRegistry
			.of(RateLimiterConfig.builder().limitForPeriod(1).timeoutDuration(Duration.ZERO).build());
		BulkheadRegistry bulkheads = BulkheadRegistry
			.of(BulkheadConfig.builder().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(breakers);
			recentEvents.follow(limiters);
			recentEvents.follow(bulkheads);
			CircuitBreaker breaker = breakers.instance("a");
			RateLimiter limiter = limiters.instance("b");
			Bulkhead bulkhead = bulkheads.instance("c");
			// The calls that go through, one after the other: under load, thousands a
			// second, which would push every transition out of the feed within moments.
			for (int i = 0; i < 2 * RecentEvents.LATEST; i++) {
				breaker.acquirePermit().onSuccess(0, null);
				assertThat(bulkhead.tryAcquirePermission()).isTrue();
				bulkhead.releasePermission();
			}
			breaker.acquirePermit().onFailure(0, new IllegalStateException("one failure"));
			assertThat(limiter.tryAcquirePermission(1)).isTrue();
			assertThat(recentEvents.latest(-1)).isEmpty();
			breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
			assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
			assertThat(limiter.tryAcquirePermission(1)).isFalse();
			assertThat(bulkhead.tryAcquirePermission()).isTrue();
			assertThat(bulkhead.tryAcquirePermission()).isFalse();
			breaker.reset();
			assertThat(recentEvents.latest(-1)).extracting((event) -> event.name + " " + event.type.name())
				.containsExactly("a STATE_TRANSITION", "a NOT_PERMITTED", "b REJECTED", "c REJECTED", "a RESET");
			// Each instance's own buffer, behind /actuator/resilienceevents, keeps every
			// event as before.
			assertThat(recentEvents.events("ratelimiter", "b", null)).extracting((event) -> event.type.name())
				.containsExactly("PERMITTED", "REJECTED");
		}
	}

	@Test
	void aRetryThatTheDeadlineEndedIsAmongTheLatest() {
		dev.resilience.retry.RetryRegistry retries = dev.resilience.retry.RetryRegistry.ofDefaults();
		try (RecentEvents recentEvents = new RecentEvents(10, this.clock)) {
			recentEvents.follow(retries);
			dev.resilience.retry.Retry retry = retries.instance("r");
			IllegalStateException failure = new IllegalStateException("down");
			assertThat(retry.onFailure(1, failure)).isNotNegative();
			// The next wait does not fit in what is left of the request's deadline.
			assertThat(retry.onFailure(2, failure, 0)).isEqualTo(dev.resilience.retry.Retry.NO_TIME);
			assertThat(recentEvents.latest(-1)).extracting((event) -> event.name + " " + event.type.name())
				.containsExactly("r RETRY", "r DEADLINE_EXCEEDED");
		}
	}

	/** A clock that moves one second forward each time it is read. */
	private static final class SteppingClock extends Clock {

		private long seconds;

		@Override
		public Instant instant() {
			return Instant.ofEpochSecond(++this.seconds);
		}

		void stepBack(long seconds) {
			this.seconds -= seconds;
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
