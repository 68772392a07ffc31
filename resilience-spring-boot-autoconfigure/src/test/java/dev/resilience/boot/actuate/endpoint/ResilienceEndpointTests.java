package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.resilience.boot.observation.CallOutcome;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot document on fake time: every instance by name, rates over the real
 * interval between samples, {@code since} and padding, removal, the time until half-open,
 * the latest events and the method latencies. The sampler is driven by hand (its thread
 * is never started here).
 */
class ResilienceEndpointTests {

	private static final long SECOND = 1_000_000_000L;

	private final FakeTicker ticker = new FakeTicker(7 * SECOND);

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.builder()
		.slidingWindowSize(2)
		.minimumNumberOfCalls(2)
		.waitDurationInOpenState(Duration.ofSeconds(10))
		.automaticTransitionFromOpenToHalfOpenEnabled(false)
		.build(), this.ticker, this.scheduler);

	private final RetryRegistry retries = RetryRegistry.of(RetryConfig.builder().maxAttempts(3).build(), this.ticker,
			this.scheduler);

	private final RateLimiterRegistry rateLimiters = RateLimiterRegistry.of(
			RateLimiterConfig.builder().limitForPeriod(5).timeoutDuration(Duration.ZERO).build(), this.ticker,
			this.scheduler);

	private final BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.builder().build(), this.ticker,
			this.scheduler);

	private final ThreadPoolBulkheadRegistry threadPoolBulkheads = ThreadPoolBulkheadRegistry
		.of(ThreadPoolBulkheadConfig.builder().build());

	private final TimeoutRegistry timeouts = TimeoutRegistry.of(TimeoutConfig.builder().build(), this.ticker,
			this.scheduler);

	private final RecentEvents recentEvents = new RecentEvents(10,
			Clock.fixed(Instant.parse("2026-12-01T16:40:00Z"), ZoneOffset.UTC));

	private final MethodLatencies latencies = new MethodLatencies();

	private final ResilienceEndpoint.Registries registries = new ResilienceEndpoint.Registries(this.circuitBreakers,
			this.retries, this.rateLimiters, this.bulkheads, this.threadPoolBulkheads, this.timeouts);

	private final DashboardSampler sampler = new DashboardSampler(this.ticker,
			ResilienceEndpoint.samplerSources(this.registries, this.recentEvents), this.latencies);

	private final ResilienceEndpoint endpoint = new ResilienceEndpoint(
			Clock.fixed(Instant.parse("2026-12-01T16:40:00.123Z"), ZoneOffset.UTC), "shop", this.registries,
			this.sampler, this.recentEvents, this.latencies, () -> null);

	ResilienceEndpointTests() {
		this.recentEvents.follow(this.circuitBreakers);
		this.recentEvents.follow(this.retries);
		this.recentEvents.follow(this.rateLimiters);
	}

	@AfterEach
	void close() {
		this.recentEvents.close();
		this.threadPoolBulkheads.all().forEach((bulkhead) -> this.threadPoolBulkheads.remove(bulkhead.name()));
	}

	private void sample() {
		this.sampler.sample(this.ticker.read());
	}

	@Test
	void listsEveryInstanceByNameAlsoThoseWithoutCalls() {
		this.circuitBreakers.instance("payments");
		this.circuitBreakers.instance("accounts");
		this.retries.instance("inventory");
		this.rateLimiters.instance("public-api");
		this.bulkheads.instance("recommendations");
		this.threadPoolBulkheads.instance("reports");
		this.timeouts.instance("slow-report");
		ResilienceEndpoint.Snapshot snapshot = this.endpoint.snapshot(null, null);
		assertThat(snapshot.application()).isEqualTo("shop");
		assertThat(snapshot.timestamp()).isEqualTo("2026-12-01T16:40:00.123Z");
		assertThat(snapshot.sampleIntervalMillis()).isEqualTo(1000);
		assertThat(snapshot.samples()).isEqualTo(new ResilienceEndpoint.Samples(1, 0));
		assertThat(snapshot.circuitBreakers()).extracting(ResilienceEndpoint.CircuitBreakerSnapshot::name)
			.containsExactly("accounts", "payments");
		ResilienceEndpoint.CircuitBreakerSnapshot breaker = snapshot.circuitBreakers().get(0);
		assertThat(breaker.state()).isEqualTo("CLOSED");
		assertThat(breaker.failureRate()).isEqualTo(-1f);
		assertThat(breaker.minimumNumberOfCalls()).isEqualTo(2);
		assertThat(breaker.slidingWindowType()).isEqualTo("COUNT_BASED");
		assertThat(breaker.slowCallDurationThreshold()).isNull();
		assertThat(breaker.halfOpenInMillis()).isNull();
		assertThat(breaker.history().successful()).isEmpty();
		assertThat(snapshot.retries()).extracting(ResilienceEndpoint.RetrySnapshot::name).containsExactly("inventory");
		assertThat(snapshot.retries().get(0).maxAttempts()).isEqualTo(3);
		assertThat(snapshot.retries().get(0).budget()).isNull();
		ResilienceEndpoint.RateLimiterSnapshot limiter = snapshot.rateLimiters().get(0);
		assertThat(limiter.name()).isEqualTo("public-api");
		assertThat(limiter.limitForPeriod()).isEqualTo(5);
		assertThat(limiter.burstCapacity()).isEqualTo(5);
		assertThat(limiter.timeoutDuration()).isEqualTo("PT0S");
		assertThat(limiter.backend()).isEqualTo("local");
		assertThat(limiter.backendAvailable()).isNull();
		assertThat(limiter.onBackendFailure()).isNull();
		assertThat(snapshot.bulkheads()).extracting(ResilienceEndpoint.BulkheadSnapshot::type)
			.containsExactly("semaphore");
		assertThat(snapshot.threadPoolBulkheads()).extracting(ResilienceEndpoint.ThreadPoolBulkheadSnapshot::type)
			.containsExactly("thread-pool");
		assertThat(snapshot.timeouts()).extracting(ResilienceEndpoint.TimeoutSnapshot::name)
			.containsExactly("slow-report");
		assertThat(snapshot.actions()).isEmpty();
	}

	@Test
	void ratesAreCountedOverTheRealIntervalBetweenSamples() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments",
				CircuitBreakerConfig.builder().slidingWindowSize(10).minimumNumberOfCalls(10).build());
		sample();
		succeed(breaker, 3);
		breaker.acquirePermit().onFailure(0, new IOException("boom"));
		// The sampler ran late: two seconds, not one.
		this.ticker.advance(Duration.ofSeconds(2));
		sample();
		succeed(breaker, 1);
		this.ticker.advance(Duration.ofMillis(500));
		sample();
		ResilienceEndpoint.CircuitBreakerSnapshot described = this.endpoint.snapshot(null, null)
			.circuitBreakers()
			.get(0);
		assertThat(described.rates()).isEqualTo(new ResilienceEndpoint.CircuitBreakerRates(2.0, 0.0, 0.0));
		assertThat(described.history().successful()).containsExactly(0.0, 1.5, 2.0);
		assertThat(described.history().failed()).containsExactly(0.0, 0.5, 0.0);
		assertThat(described.totalSuccessfulCalls()).isEqualTo(4);
	}

	@Test
	void sinceGivesOnlyNewerSamplesAndPadsInstancesCreatedLater() {
		RateLimiter early = this.rateLimiters.instance("early");
		for (int i = 0; i < 3; i++) {
			early.tryAcquirePermission(1);
			this.ticker.advance(Duration.ofSeconds(1));
			sample();
		}
		RateLimiter late = this.rateLimiters.instance("late");
		this.ticker.advance(Duration.ofSeconds(1));
		sample();
		late.tryAcquirePermission(1);
		late.tryAcquirePermission(1);
		this.ticker.advance(Duration.ofSeconds(1));
		sample();
		ResilienceEndpoint.Snapshot all = this.endpoint.snapshot(null, null);
		assertThat(all.samples()).isEqualTo(new ResilienceEndpoint.Samples(1, 5));
		assertThat(all.rateLimiters().get(0).history().permitted()).containsExactly(0.0, 1.0, 1.0, 0.0, 0.0);
		assertThat(all.rateLimiters().get(1).history().permitted()).containsExactly(0.0, 0.0, 0.0, 0.0, 2.0);
		ResilienceEndpoint.Snapshot newer = this.endpoint.snapshot(2L, null);
		assertThat(newer.samples()).isEqualTo(new ResilienceEndpoint.Samples(3, 5));
		assertThat(newer.rateLimiters().get(0).history().permitted()).containsExactly(1.0, 0.0, 0.0);
		assertThat(newer.rateLimiters().get(1).history().permitted()).containsExactly(0.0, 0.0, 2.0);
		assertThat(newer.rateLimiters().get(1).rates()).isEqualTo(new ResilienceEndpoint.PermitRates(2.0, 0.0));
		ResilienceEndpoint.Snapshot none = this.endpoint.snapshot(5L, null);
		assertThat(none.samples()).isEqualTo(new ResilienceEndpoint.Samples(6, 5));
		assertThat(none.rateLimiters().get(1).history().permitted()).isEmpty();
		// The rates are those of the latest sample whatever the caller already has.
		assertThat(none.rateLimiters().get(1).rates().permitted()).isEqualTo(2.0);
		assertThat(this.endpoint.snapshot(-40L, null).samples()).isEqualTo(new ResilienceEndpoint.Samples(1, 5));
	}

	@Test
	void keepsTheLast180SamplesOnly() {
		RateLimiter limiter = this.rateLimiters.instance("busy");
		for (int i = 1; i <= 200; i++) {
			limiter.tryAcquirePermission(1);
			this.ticker.advance(Duration.ofSeconds(1));
			sample();
		}
		ResilienceEndpoint.Snapshot snapshot = this.endpoint.snapshot(null, null);
		assertThat(snapshot.samples()).isEqualTo(new ResilienceEndpoint.Samples(21, 200));
		assertThat(snapshot.rateLimiters().get(0).history().permitted()).hasSize(180);
		// Older than the oldest kept: from the oldest kept.
		assertThat(this.endpoint.snapshot(5L, null).samples()).isEqualTo(new ResilienceEndpoint.Samples(21, 200));
		assertThat(this.endpoint.snapshot(190L, null).rateLimiters().get(0).history().permitted()).hasSize(10);
	}

	@Test
	void removedInstancesDisappearWithTheirHistory() {
		this.circuitBreakers.instance("gone");
		this.circuitBreakers.instance("kept");
		sample();
		assertThat(this.sampler.read(null).histories()).hasSize(2);
		this.circuitBreakers.remove("gone");
		sample();
		assertThat(this.endpoint.snapshot(null, null).circuitBreakers())
			.extracting(ResilienceEndpoint.CircuitBreakerSnapshot::name)
			.containsExactly("kept");
		assertThat(this.sampler.read(null).histories()).hasSize(1);
	}

	@Test
	void tellsTheTimeUntilHalfOpenOnlyWhileOpen() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		this.ticker.advance(Duration.ofMillis(5_800));
		assertThat(this.endpoint.snapshot(null, null).circuitBreakers().get(0).halfOpenInMillis()).isEqualTo(4_200);
		// Rounded up: 0 only once the wait has ended.
		this.ticker.advance(Duration.ofMillis(4_200).minusNanos(1));
		assertThat(this.endpoint.snapshot(null, null).circuitBreakers().get(0).halfOpenInMillis()).isEqualTo(1);
		this.ticker.advance(Duration.ofSeconds(1));
		ResilienceEndpoint.CircuitBreakerSnapshot ended = this.endpoint.snapshot(null, null).circuitBreakers().get(0);
		assertThat(ended.state()).isEqualTo("OPEN");
		assertThat(ended.halfOpenInMillis()).isZero();
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		assertThat(this.endpoint.snapshot(null, null).circuitBreakers().get(0).halfOpenInMillis()).isNull();
	}

	@Test
	void givesTheLatest100EventsOfAllInstancesOldestFirstAndOnlyNewerOnesSinceAnId() {
		RateLimiter limiter = this.rateLimiters.instance("limiter");
		CircuitBreaker breaker = this.circuitBreakers.instance("breaker");
		for (int i = 0; i < 150; i++) {
			limiter.tryAcquirePermission(1);
		}
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		ResilienceEndpoint.Snapshot snapshot = this.endpoint.snapshot(null, null);
		assertThat(snapshot.events()).hasSize(100);
		assertThat(snapshot.events()).extracting(ResilienceEndpoint.EventSnapshot::id)
			.isSorted()
			.doesNotHaveDuplicates();
		ResilienceEndpoint.EventSnapshot last = snapshot.events().get(99);
		assertThat(last.primitive()).isEqualTo("circuitbreaker");
		assertThat(last.name()).isEqualTo("breaker");
		assertThat(last.type()).isEqualTo("STATE_TRANSITION");
		assertThat(last.timestamp()).isEqualTo("2026-12-01T16:40:00Z");
		assertThat(last.details()).containsEntry("fromState", "CLOSED").containsEntry("toState", "FORCED_OPEN");
		assertThat(snapshot.events().get(0).id()).isEqualTo(last.id() - 99);
		assertThat(this.endpoint.snapshot(null, last.id() - 2).events())
			.extracting(ResilienceEndpoint.EventSnapshot::id)
			.containsExactly(last.id() - 1, last.id());
		assertThat(this.endpoint.snapshot(null, last.id()).events()).isEmpty();
	}

	@Test
	void countsRetryAttemptsPerSecondFromTheRetryEvents() {
		Retry retry = this.retries.instance("inventory");
		sample();
		for (int i = 0; i < 2; i++) {
			retry.onFailure(1, new IOException("once"));
			retry.onFailure(2, new IOException("twice"));
			retry.onResult(3, "ok");
		}
		this.ticker.advance(Duration.ofSeconds(1));
		sample();
		ResilienceEndpoint.RetrySnapshot described = this.endpoint.snapshot(null, null).retries().get(0);
		assertThat(described.successfulCallsWithRetry()).isEqualTo(2);
		assertThat(described.rates()).isEqualTo(new ResilienceEndpoint.RetryRates(0.0, 2.0, 0.0, 0.0, 4.0));
		assertThat(described.history().retries()).containsExactly(0.0, 4.0);
	}

	@Test
	void describesTheMethodsLatenciesWhenObserved() {
		for (int i = 1; i <= 100; i++) {
			this.latencies.record("PaymentClient.charge", (i <= 90) ? CallOutcome.SUCCESS : CallOutcome.FAILURE,
					i * 1_000_000L);
		}
		ResilienceEndpoint.Snapshot snapshot = this.endpoint.snapshot(null, null);
		assertThat(snapshot.observations()).isTrue();
		ResilienceEndpoint.MethodSnapshot method = snapshot.methods().get(0);
		assertThat(method.method()).isEqualTo("PaymentClient.charge");
		assertThat(method.windowSeconds()).isEqualTo(60);
		assertThat(method.count()).isEqualTo(100);
		assertThat(method.outcomes()).isEqualTo(new ResilienceEndpoint.Outcomes(90, 10, 0, 0));
		assertThat(method.p50()).isCloseTo(50.0, org.assertj.core.data.Percentage.withPercentage(6.25));
		assertThat(method.p95()).isCloseTo(95.0, org.assertj.core.data.Percentage.withPercentage(6.25));
		assertThat(method.p99()).isCloseTo(99.0, org.assertj.core.data.Percentage.withPercentage(6.25))
			.isLessThanOrEqualTo(100.0);
		assertThat(method.max()).isEqualTo(100.0);
		ResilienceEndpoint unobserved = new ResilienceEndpoint(Clock.systemUTC(), null, this.registries, this.sampler,
				this.recentEvents, null, () -> null);
		assertThat(unobserved.snapshot(null, null).observations()).isFalse();
		assertThat(unobserved.snapshot(null, null).methods()).isEmpty();
	}

	private static void succeed(CircuitBreaker breaker, int calls) {
		for (int i = 0; i < calls; i++) {
			breaker.acquirePermit().onSuccess(0, "ok");
		}
	}

}
