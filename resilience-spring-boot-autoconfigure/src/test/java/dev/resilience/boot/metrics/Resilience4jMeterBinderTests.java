package dev.resilience.boot.metrics;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
import dev.resilience.core.Scheduler;
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
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The meters under Resilience4j's names read the right figures after real calls through
 * the primitives.
 */
class Resilience4jMeterBinderTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.builder()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.failureRateThreshold(50)
		.slowCallDurationThreshold(Duration.ofSeconds(1))
		.slowCallRateThreshold(100)
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

	private final Resilience4jMeterBinder binder = binder(Map.of());

	@AfterEach
	void closeThreadPools() {
		this.binder.close();
		this.threadPoolBulkheads.close();
	}

	@Test
	void circuitBreakerMetersReadTheBreakersFiguresUnderResilience4jsNames() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		this.binder.bindTo(this.meters);
		succeed(breaker, Duration.ZERO);
		succeed(breaker, Duration.ofSeconds(2));
		fail(breaker, new IOException("slow and down"), Duration.ofSeconds(3));
		fail(breaker, new IllegalStateException("ignored"), Duration.ofMillis(500));
		assertThat(gauge("resilience4j.circuitbreaker.failure.rate", "payments")).isEqualTo(-1.0);
		assertThat(gauge("resilience4j.circuitbreaker.buffered.calls", "payments", "successful")).isEqualTo(2.0);
		assertThat(gauge("resilience4j.circuitbreaker.buffered.calls", "payments", "failed")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.circuitbreaker.slow.calls", "payments", "successful")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.circuitbreaker.slow.calls", "payments", "failed")).isEqualTo(1.0);
		fail(breaker, new IOException("down"), Duration.ZERO);
		// 2 failures in a window of 4: 50 %, the threshold, so the breaker opened.
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
		assertThat(timer("payments", "successful").count()).isEqualTo(2);
		assertThat(timer("payments", "successful").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
		assertThat(timer("payments", "failed").count()).isEqualTo(2);
		assertThat(timer("payments", "failed").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3000.0);
		assertThat(timer("payments", "ignored").count()).isEqualTo(1);
		assertThat(timer("payments", "ignored").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(500.0);
		assertThat(this.meters.get("resilience4j.circuitbreaker.not.permitted.calls")
			.tags("name", "payments", "kind", "not_permitted")
			.functionCounter()
			.count()).isEqualTo(1);
		assertThat(gauge("resilience4j.circuitbreaker.failure.rate", "payments")).isEqualTo(50.0);
		assertThat(gauge("resilience4j.circuitbreaker.slow.call.rate", "payments")).isEqualTo(50.0);
		assertThat(state("payments", "open")).isEqualTo(1.0);
		for (String other : List.of("closed", "half_open", "forced_open", "disabled")) {
			assertThat(state("payments", other)).as(other).isEqualTo(0.0);
		}
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		assertThat(state("payments", "open")).isEqualTo(0.0);
		assertThat(state("payments", "half_open")).isEqualTo(1.0);
	}

	@Test
	void retryMetersCountExecutionsByResilience4jsKinds() {
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
		assertThat(retry.onResult(1, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(counter("resilience4j.retry.calls", "orders", "successful_without_retry")).isEqualTo(2);
		assertThat(counter("resilience4j.retry.calls", "orders", "successful_with_retry")).isEqualTo(1);
		assertThat(counter("resilience4j.retry.calls", "orders", "failed_without_retry")).isEqualTo(1);
		assertThat(counter("resilience4j.retry.calls", "orders", "failed_with_retry")).isEqualTo(1);
	}

	@Test
	void rateLimiterMetersShowPermitsAndTheThreadsWaitingForThem() {
		RateLimiter limiter = this.rateLimiters.instance("api");
		this.binder.bindTo(this.meters);
		assertThat(gauge("resilience4j.ratelimiter.available.permissions", "api")).isEqualTo(2.0);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(gauge("resilience4j.ratelimiter.available.permissions", "api")).isEqualTo(0.0);
		assertThat(gauge("resilience4j.ratelimiter.waiting_threads", "api")).isEqualTo(0.0);
		this.ticker.advance(Duration.ofMillis(500));
		assertThat(gauge("resilience4j.ratelimiter.available.permissions", "api")).isEqualTo(1.0);
	}

	@Test
	void theWaitingThreadsGaugeCountsACallerWhileItWaits() {
		List<Double> seenWhileWaiting = new ArrayList<>();
		Scheduler watching = new Scheduler() {
			@Override
			public Cancellable schedule(Runnable task, long delayNanos) {
				return Resilience4jMeterBinderTests.this.scheduler.schedule(task, delayNanos);
			}

			@Override
			public void sleep(long nanos) throws InterruptedException {
				seenWhileWaiting.add(gauge("resilience4j.ratelimiter.waiting_threads", "patient"));
				Resilience4jMeterBinderTests.this.scheduler.sleep(nanos);
			}
		};
		RateLimiterRegistry waiting = RateLimiterRegistry.of(RateLimiterConfig.builder()
			.limitForPeriod(1)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ofSeconds(5))
			.build(), this.ticker, watching);
		RateLimiter limiter = waiting.instance("patient");
		new Resilience4jMeterBinder(null, null, waiting, null, null, null, Map.of()).bindTo(this.meters);
		limiter.acquirePermission(1);
		limiter.acquirePermission(1);
		assertThat(seenWhileWaiting).containsExactly(1.0);
		assertThat(gauge("resilience4j.ratelimiter.waiting_threads", "patient")).isEqualTo(0.0);
	}

	@Test
	void semaphoreBulkheadMetersShowFreePlacesAndTheLimit() {
		Bulkhead bulkhead = this.bulkheads.instance("db");
		this.binder.bindTo(this.meters);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(gauge("resilience4j.bulkhead.available.concurrent.calls", "db")).isEqualTo(1.0);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		assertThat(gauge("resilience4j.bulkhead.available.concurrent.calls", "db")).isEqualTo(0.0);
		assertThat(gauge("resilience4j.bulkhead.max.allowed.concurrent.calls", "db")).isEqualTo(2.0);
		bulkhead.releasePermission();
		bulkhead.releasePermission();
		assertThat(gauge("resilience4j.bulkhead.available.concurrent.calls", "db")).isEqualTo(2.0);
	}

	@Test
	void threadPoolBulkheadMetersShowThePoolAndTheQueue() throws Exception {
		ThreadPoolBulkhead bulkhead = this.threadPoolBulkheads.instance("reports");
		this.binder.bindTo(this.meters);
		assertThat(gauge("resilience4j.bulkhead.available.thread.count", "reports")).isEqualTo(1.0);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<String> running = bulkhead.submit(() -> {
			started.countDown();
			release.await(5, TimeUnit.SECONDS);
			return CompletableFuture.completedFuture("done");
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = bulkhead.submit(() -> CompletableFuture.completedFuture("queued"));
		assertThat(gauge("resilience4j.bulkhead.queue.depth", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.queue.capacity", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.thread.pool.size", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.core.thread.pool.size", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.max.thread.pool.size", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.active.thread.count", "reports")).isEqualTo(1.0);
		assertThat(gauge("resilience4j.bulkhead.available.thread.count", "reports")).isEqualTo(0.0);
		release.countDown();
		assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("done");
		assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("queued");
		assertThat(gauge("resilience4j.bulkhead.queue.depth", "reports")).isEqualTo(0.0);
	}

	@Test
	void timeoutMetersAreResilience4jsTimeLimiterMeters() throws Throwable {
		Timeout timeout = this.timeouts.instance("search");
		this.binder.bindTo(this.meters);
		assertThat(timeout.<String>execute(() -> "hit")).isEqualTo("hit");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> timeout.execute(() -> {
			throw new IOException("miss");
		}));
		CompletableFuture<String> slow = timeout.executeAsync(CompletableFuture::new);
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(slow).isCompletedExceptionally();
		assertThat(counter("resilience4j.timelimiter.calls", "search", "successful")).isEqualTo(1);
		assertThat(counter("resilience4j.timelimiter.calls", "search", "failed")).isEqualTo(1);
		assertThat(counter("resilience4j.timelimiter.calls", "search", "timeout")).isEqualTo(1);
	}

	@Test
	void everyInstanceGetsExactlyResilience4jsMetersWithTheirTypesAndTags() {
		this.circuitBreakers.instance("payments");
		this.retries.instance("payments");
		this.rateLimiters.instance("payments");
		this.bulkheads.instance("payments");
		this.threadPoolBulkheads.instance("payments");
		this.timeouts.instance("payments");
		Resilience4jMeterBinder tagged = binder(Map.of("region", "eu-west"));
		tagged.bindTo(this.meters);
		Set<String> ids = new TreeSet<>();
		for (Meter meter : this.meters.getMeters()) {
			assertThat(meter.getId().getTags()).as(meter.getId().toString())
				.contains(Tag.of("region", "eu-west"), Tag.of("name", "payments"));
			String kind = meter.getId().getTag("kind");
			String state = meter.getId().getTag("state");
			ids.add(meter.getId().getName() + " " + meter.getId().getType() + ((kind != null) ? " kind=" + kind : "")
					+ ((state != null) ? " state=" + state : ""));
		}
		assertThat(ids).containsExactlyInAnyOrder("resilience4j.circuitbreaker.calls TIMER kind=successful",
				"resilience4j.circuitbreaker.calls TIMER kind=failed",
				"resilience4j.circuitbreaker.calls TIMER kind=ignored",
				"resilience4j.circuitbreaker.not.permitted.calls COUNTER kind=not_permitted",
				"resilience4j.circuitbreaker.state GAUGE state=closed",
				"resilience4j.circuitbreaker.state GAUGE state=open",
				"resilience4j.circuitbreaker.state GAUGE state=half_open",
				"resilience4j.circuitbreaker.state GAUGE state=forced_open",
				"resilience4j.circuitbreaker.state GAUGE state=disabled",
				"resilience4j.circuitbreaker.buffered.calls GAUGE kind=successful",
				"resilience4j.circuitbreaker.buffered.calls GAUGE kind=failed",
				"resilience4j.circuitbreaker.slow.calls GAUGE kind=successful",
				"resilience4j.circuitbreaker.slow.calls GAUGE kind=failed",
				"resilience4j.circuitbreaker.failure.rate GAUGE", "resilience4j.circuitbreaker.slow.call.rate GAUGE",
				"resilience4j.retry.calls COUNTER kind=successful_without_retry",
				"resilience4j.retry.calls COUNTER kind=successful_with_retry",
				"resilience4j.retry.calls COUNTER kind=failed_without_retry",
				"resilience4j.retry.calls COUNTER kind=failed_with_retry",
				"resilience4j.ratelimiter.available.permissions GAUGE",
				"resilience4j.ratelimiter.waiting_threads GAUGE",
				"resilience4j.bulkhead.available.concurrent.calls GAUGE",
				"resilience4j.bulkhead.max.allowed.concurrent.calls GAUGE", "resilience4j.bulkhead.queue.depth GAUGE",
				"resilience4j.bulkhead.queue.capacity GAUGE", "resilience4j.bulkhead.thread.pool.size GAUGE",
				"resilience4j.bulkhead.core.thread.pool.size GAUGE", "resilience4j.bulkhead.max.thread.pool.size GAUGE",
				"resilience4j.bulkhead.active.thread.count GAUGE", "resilience4j.bulkhead.available.thread.count GAUGE",
				"resilience4j.timelimiter.calls COUNTER kind=successful",
				"resilience4j.timelimiter.calls COUNTER kind=failed",
				"resilience4j.timelimiter.calls COUNTER kind=timeout");
		tagged.close();
	}

	@Test
	void instancesCreatedLaterGetMetersAndRemovedOnesLoseThem() {
		this.binder.bindTo(this.meters);
		assertThat(this.meters.find("resilience4j.circuitbreaker.calls").meters()).isEmpty();
		CircuitBreaker late = this.circuitBreakers.instance("late");
		succeed(late, Duration.ZERO);
		assertThat(timer("late", "successful").count()).isEqualTo(1);
		this.circuitBreakers.remove("late");
		assertThat(this.meters.getMeters()).isEmpty();
	}

	@Test
	void reservedTagKeysAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> binder(Map.of("kind", "x")))
			.withMessageContaining("'kind'");
	}

	private Resilience4jMeterBinder binder(Map<String, String> tags) {
		return new Resilience4jMeterBinder(this.circuitBreakers, this.retries, this.rateLimiters, this.bulkheads,
				this.threadPoolBulkheads, this.timeouts, tags);
	}

	private void succeed(CircuitBreaker breaker, Duration duration) {
		CircuitBreaker.Permit permit = breaker.acquirePermit();
		long start = breaker.startTime();
		this.ticker.advance(duration);
		permit.onSuccess(start, "ok");
	}

	private void fail(CircuitBreaker breaker, Throwable failure, Duration duration) {
		CircuitBreaker.Permit permit = breaker.acquirePermit();
		long start = breaker.startTime();
		this.ticker.advance(duration);
		permit.onFailure(start, failure);
	}

	private FunctionTimer timer(String instance, String kind) {
		return this.meters.get("resilience4j.circuitbreaker.calls")
			.tags("name", instance, "kind", kind)
			.functionTimer();
	}

	private double counter(String name, String instance, String kind) {
		return this.meters.get(name).tags("name", instance, "kind", kind).functionCounter().count();
	}

	private double gauge(String name, String instance) {
		return this.meters.get(name).tag("name", instance).gauge().value();
	}

	private double gauge(String name, String instance, String kind) {
		return this.meters.get(name).tags("name", instance, "kind", kind).gauge().value();
	}

	private double state(String instance, String state) {
		return this.meters.get("resilience4j.circuitbreaker.state")
			.tags("name", instance, "state", state)
			.gauge()
			.value();
	}

}
