package dev.resilience.boot.metrics;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
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
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ResilienceMeterBinderTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.builder()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.failureRateThreshold(50)
		.ignoreExceptions(List.of(IllegalStateException.class))
		.build(), this.ticker, this.scheduler);

	private final RetryRegistry retries = RetryRegistry.of(
			RetryConfig.builder().maxAttempts(2).ignoreExceptions(List.of(IllegalStateException.class)).build(),
			this.ticker, this.scheduler);

	private final RateLimiterRegistry rateLimiters = RateLimiterRegistry.of(RateLimiterConfig.builder()
		.limitForPeriod(2)
		.limitRefreshPeriod(Duration.ofSeconds(1))
		.timeoutDuration(Duration.ZERO)
		.build(), this.ticker, this.scheduler);

	private final BulkheadRegistry bulkheads = BulkheadRegistry.of(
			BulkheadConfig.builder().maxConcurrentCalls(2).maxWaitDuration(Duration.ZERO).build(), this.ticker,
			this.scheduler);

	private final ThreadPoolBulkheadRegistry threadPoolBulkheads = ThreadPoolBulkheadRegistry.of(
			ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(1).maxThreadPoolSize(1).queueCapacity(1).build(),
			this.ticker, this.scheduler);

	private final TimeoutRegistry timeouts = TimeoutRegistry
		.of(TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).build(), this.ticker, this.scheduler);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ResilienceMeterBinder binder = binder(Map.of());

	@AfterEach
	void closeThreadPools() {
		this.binder.close();
		this.threadPoolBulkheads.close();
	}

	@Test
	void circuitBreakerMetersReadTheBreakersOwnCounters() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		this.binder.bindTo(this.meters);
		succeed(breaker);
		succeed(breaker);
		fail(breaker, new IOException("down"));
		fail(breaker, new IllegalStateException("ignored"));
		assertThat(gauge("resilience.circuitbreaker.failure.rate", "payments")).isEqualTo(-1.0);
		fail(breaker, new IOException("down"));
		// 2 failures in a window of 4: 50 %, the threshold, so the breaker opened.
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
		assertThat(calls("resilience.circuitbreaker.calls", "payments", "success")).isEqualTo(2);
		assertThat(calls("resilience.circuitbreaker.calls", "payments", "failure")).isEqualTo(2);
		assertThat(calls("resilience.circuitbreaker.calls", "payments", "ignored")).isEqualTo(1);
		assertThat(calls("resilience.circuitbreaker.calls", "payments", "not_permitted")).isEqualTo(1);
		assertThat(gauge("resilience.circuitbreaker.failure.rate", "payments")).isEqualTo(50.0);
		assertThat(gauge("resilience.circuitbreaker.slow.call.rate", "payments")).isEqualTo(0.0);
		assertThat(state("payments", "open")).isEqualTo(1.0);
		for (String other : List.of("closed", "half_open", "forced_open", "disabled")) {
			assertThat(state("payments", other)).as(other).isEqualTo(0.0);
		}
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		assertThat(state("payments", "open")).isEqualTo(0.0);
		assertThat(state("payments", "forced_open")).isEqualTo(1.0);
	}

	@Test
	void retryMetersCountExecutionsByOutcome() {
		Retry retry = this.retries.instance("orders");
		this.binder.bindTo(this.meters);
		// success at once; success on the second attempt; ignored failure; failure after
		// the last attempt
		assertThat(retry.onResult(1, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onResult(2, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IllegalStateException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(2, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(calls("resilience.retry.calls", "orders", "success_without_retry")).isEqualTo(1);
		assertThat(calls("resilience.retry.calls", "orders", "success_with_retry")).isEqualTo(1);
		assertThat(calls("resilience.retry.calls", "orders", "failure_without_retry")).isEqualTo(1);
		assertThat(calls("resilience.retry.calls", "orders", "failure_with_retry")).isEqualTo(1);
	}

	@Test
	void retryBudgetMetersShowTheTokensAndCountTheRetriesTheBudgetRefused() {
		Retry retry = this.retries.instance("budgeted",
				RetryConfig.builder().maxAttempts(3).budgetMaxTokens(4).budgetTokenRatio(1).build());
		this.binder.bindTo(this.meters);
		assertThat(gauge("resilience.retry.budget.tokens", "budgeted")).isEqualTo(4.0);
		assertThat(gauge("resilience.retry.budget.max.tokens", "budgeted")).isEqualTo(4.0);
		// 3 tokens left (more than half of 4): retried; 2 left: refused, at attempt 2.
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(2, new IOException())).isEqualTo(Retry.NO_RETRY);
		// 1 left: refused at the first attempt.
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(exhausted("budgeted")).isEqualTo(2);
		assertThat(gauge("resilience.retry.budget.tokens", "budgeted")).isEqualTo(1.0);
		assertThat(calls("resilience.retry.calls", "budgeted", "failure_with_retry")).isEqualTo(1);
		assertThat(calls("resilience.retry.calls", "budgeted", "failure_without_retry")).isEqualTo(1);
		// Successes give tokens back, not exhaustion counts.
		retry.onResult(1, "ok");
		assertThat(gauge("resilience.retry.budget.tokens", "budgeted")).isEqualTo(2.0);
		assertThat(exhausted("budgeted")).isEqualTo(2);
	}

	@Test
	void aRetryWithoutABudgetReportsNoTokensAndNoExhaustion() {
		Retry retry = this.retries.instance("orders");
		this.binder.bindTo(this.meters);
		retry.onFailure(1, new IOException());
		retry.onFailure(2, new IOException());
		assertThat(gauge("resilience.retry.budget.tokens", "orders")).isEqualTo(-1.0);
		assertThat(gauge("resilience.retry.budget.max.tokens", "orders")).isZero();
		assertThat(exhausted("orders")).isZero();
		// A budget switched on at run time shows on the same meters.
		this.retries.replaceConfig("orders", RetryConfig.builder().budgetMaxTokens(6).build());
		assertThat(gauge("resilience.retry.budget.tokens", "orders")).isEqualTo(6.0);
		assertThat(gauge("resilience.retry.budget.max.tokens", "orders")).isEqualTo(6.0);
	}

	@Test
	void rateLimiterMetersCountPermittedAndRejectedCalls() {
		RateLimiter limiter = this.rateLimiters.instance("api");
		this.binder.bindTo(this.meters);
		assertThat(gauge("resilience.ratelimiter.available.permits", "api")).isEqualTo(2.0);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(calls("resilience.ratelimiter.calls", "api", "permitted")).isEqualTo(2);
		assertThat(calls("resilience.ratelimiter.calls", "api", "rejected")).isEqualTo(1);
		assertThat(gauge("resilience.ratelimiter.available.permits", "api")).isEqualTo(0.0);
		this.ticker.advance(Duration.ofMillis(500));
		assertThat(gauge("resilience.ratelimiter.available.permits", "api")).isEqualTo(1.0);
	}

	@Test
	void semaphoreBulkheadMetersCarryKindSemaphore() {
		Bulkhead bulkhead = this.bulkheads.instance("db");
		this.binder.bindTo(this.meters);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		assertThat(this.meters.get("resilience.bulkhead.active.calls")
			.tags("name", "db", "kind", "semaphore")
			.gauge()
			.value()).isEqualTo(2.0);
		bulkhead.releasePermission();
		assertThat(this.meters.get("resilience.bulkhead.active.calls")
			.tags("name", "db", "kind", "semaphore")
			.gauge()
			.value()).isEqualTo(1.0);
		assertThat(bulkheadCalls("db", "semaphore", "permitted")).isEqualTo(2);
		assertThat(bulkheadCalls("db", "semaphore", "rejected")).isEqualTo(1);
		assertThat(maxCalls("db", "semaphore")).isEqualTo(2.0);
		assertThat(limit("db")).isEqualTo(2.0);
		bulkhead.releasePermission();
		this.bulkheads.replaceConfig("db", BulkheadConfig.builder().maxConcurrentCalls(5).build());
		assertThat(maxCalls("db", "semaphore")).isEqualTo(5.0);
		assertThat(limit("db")).isEqualTo(5.0);
	}

	private double limit(String instance) {
		return this.meters.get("resilience.bulkhead.limit").tags("name", instance, "kind", "semaphore").gauge().value();
	}

	@Test
	void threadPoolBulkheadMetersShareTheBulkheadNamesWithKindThreadPool() throws Exception {
		ThreadPoolBulkhead bulkhead = this.threadPoolBulkheads.instance("reports");
		this.bulkheads.instance("reports");
		this.binder.bindTo(this.meters);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<String> running = bulkhead.submit(() -> {
			started.countDown();
			release.await(5, TimeUnit.SECONDS);
			return CompletableFuture.completedFuture("done");
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = bulkhead.submit(() -> CompletableFuture.completedFuture("queued"));
		CompletableFuture<String> rejected = bulkhead.submit(() -> CompletableFuture.completedFuture("rejected"));
		assertThat(rejected).isCompletedExceptionally();
		assertThat(this.meters.get("resilience.bulkhead.active.calls")
			.tags("name", "reports", "kind", "thread-pool")
			.gauge()
			.value()).isEqualTo(1.0);
		// Saturated: every thread busy.
		assertThat(maxCalls("reports", "thread-pool")).isEqualTo(1.0);
		release.countDown();
		assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("done");
		assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("queued");
		assertThat(bulkheadCalls("reports", "thread-pool", "permitted")).isEqualTo(2);
		assertThat(bulkheadCalls("reports", "thread-pool", "rejected")).isEqualTo(1);
		// The semaphore bulkhead of the same name has meters of its own.
		assertThat(bulkheadCalls("reports", "semaphore", "permitted")).isZero();
	}

	@Test
	void timeoutMetersCountSuccessesFailuresAndTimeouts() throws Throwable {
		Timeout timeout = this.timeouts.instance("search");
		this.binder.bindTo(this.meters);
		assertThat(timeout.<String>execute(() -> "hit")).isEqualTo("hit");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> timeout.execute(() -> {
			throw new IOException("miss");
		}));
		CompletableFuture<String> slow = timeout.executeAsync(CompletableFuture::new);
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(slow).isCompletedExceptionally();
		assertThat(calls("resilience.timeout.calls", "search", "success")).isEqualTo(1);
		assertThat(calls("resilience.timeout.calls", "search", "failure")).isEqualTo(1);
		assertThat(calls("resilience.timeout.calls", "search", "timeout")).isEqualTo(1);
	}

	@Test
	void instancesCreatedLaterGetMetersAndRemovedOnesLoseThem() {
		this.binder.bindTo(this.meters);
		assertThat(this.meters.find("resilience.circuitbreaker.calls").meters()).isEmpty();
		CircuitBreaker late = this.circuitBreakers.instance("late");
		succeed(late);
		assertThat(calls("resilience.circuitbreaker.calls", "late", "success")).isEqualTo(1);
		this.rateLimiters.instance("late");
		this.timeouts.instance("late");
		assertThat(this.meters.find("resilience.ratelimiter.calls").tag("name", "late").meters()).hasSize(2);
		this.circuitBreakers.remove("late");
		assertThat(this.meters.find("resilience.circuitbreaker.calls").meters()).isEmpty();
		assertThat(this.meters.find("resilience.circuitbreaker.state").meters()).isEmpty();
		assertThat(this.meters.find("resilience.ratelimiter.calls").tag("name", "late").meters()).hasSize(2);
		// A new instance under the same name gets meters that read it, not the old one.
		this.circuitBreakers.instance("late");
		assertThat(calls("resilience.circuitbreaker.calls", "late", "success")).isZero();
		this.timeouts.remove("late");
		assertThat(this.meters.find("resilience.timeout.calls").meters()).isEmpty();
	}

	@Test
	void reconfiguredInstancesKeepTheirMeters() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		this.binder.bindTo(this.meters);
		succeed(breaker);
		this.circuitBreakers.replaceConfig("payments", CircuitBreakerConfig.builder().slidingWindowSize(10).build());
		succeed(breaker);
		assertThat(calls("resilience.circuitbreaker.calls", "payments", "success")).isEqualTo(2);
		assertThat(this.meters.find("resilience.circuitbreaker.calls").meters()).hasSize(4);
	}

	@Test
	void extraTagsAreOnEveryMeter() {
		this.circuitBreakers.instance("payments");
		this.retries.instance("payments");
		this.rateLimiters.instance("payments");
		this.bulkheads.instance("payments");
		this.threadPoolBulkheads.instance("payments");
		this.timeouts.instance("payments");
		ResilienceMeterBinder tagged = binder(Map.of("region", "eu-west", "team", "checkout"));
		tagged.bindTo(this.meters);
		List<Meter> all = this.meters.getMeters();
		assertThat(all).hasSize(11 + 7 + 4 + 6 + 4 + 3);
		for (Meter meter : all) {
			assertThat(meter.getId().getName()).startsWith("resilience.");
			assertThat(meter.getId().getTags()).as(meter.getId().toString())
				.contains(Tag.of("region", "eu-west"), Tag.of("team", "checkout"), Tag.of("name", "payments"));
		}
		tagged.close();
	}

	@Test
	void reservedTagKeysAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> binder(Map.of("name", "x")))
			.withMessageContaining("'name'");
		assertThatIllegalArgumentException().isThrownBy(() -> binder(Map.of("outcome", "x")));
	}

	@Test
	void closedBinderNoLongerFollowsTheRegistries() {
		this.binder.bindTo(this.meters);
		this.binder.close();
		this.circuitBreakers.instance("after-close");
		assertThat(this.meters.find("resilience.circuitbreaker.calls").meters()).isEmpty();
	}

	@Test
	void bindsToEveryMeterRegistryItIsGiven() {
		this.circuitBreakers.instance("payments");
		MeterRegistry second = new SimpleMeterRegistry();
		this.binder.bindTo(this.meters);
		this.binder.bindTo(second);
		this.circuitBreakers.instance("late");
		this.circuitBreakers.remove("payments");
		assertThat(second.find("resilience.circuitbreaker.calls").tag("name", "late").meters()).hasSize(4);
		assertThat(second.find("resilience.circuitbreaker.calls").tag("name", "payments").meters()).isEmpty();
		assertThat(this.meters.find("resilience.circuitbreaker.calls").tag("name", "late").meters()).hasSize(4);
	}

	private ResilienceMeterBinder binder(Map<String, String> tags) {
		return new ResilienceMeterBinder(this.circuitBreakers, this.retries, this.rateLimiters, this.bulkheads,
				this.threadPoolBulkheads, this.timeouts, tags);
	}

	private static void succeed(CircuitBreaker breaker) {
		breaker.acquirePermit().onSuccess(breaker.startTime(), "ok");
	}

	private static void fail(CircuitBreaker breaker, Throwable failure) {
		breaker.acquirePermit().onFailure(breaker.startTime(), failure);
	}

	private double calls(String name, String instance, String outcome) {
		return this.meters.get(name).tags("name", instance, "outcome", outcome).functionCounter().count();
	}

	private double bulkheadCalls(String instance, String kind, String outcome) {
		return this.meters.get("resilience.bulkhead.calls")
			.tags("name", instance, "kind", kind, "outcome", outcome)
			.functionCounter()
			.count();
	}

	private double exhausted(String instance) {
		return this.meters.get("resilience.retry.budget.exhausted").tag("name", instance).functionCounter().count();
	}

	private double maxCalls(String instance, String kind) {
		return this.meters.get("resilience.bulkhead.max.calls").tags("name", instance, "kind", kind).gauge().value();
	}

	private double gauge(String name, String instance) {
		return this.meters.get(name).tag("name", instance).gauge().value();
	}

	private double state(String instance, String state) {
		return this.meters.get("resilience.circuitbreaker.state")
			.tags("name", instance, "state", state)
			.gauge()
			.value();
	}

}
