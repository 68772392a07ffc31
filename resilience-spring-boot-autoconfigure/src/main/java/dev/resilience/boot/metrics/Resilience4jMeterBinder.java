package dev.resilience.boot.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutRegistry;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import static dev.resilience.boot.metrics.RegistryFollower.counter;
import static dev.resilience.boot.metrics.RegistryFollower.gauge;

/*
 * Design.
 *
 * The meters of Resilience4j's Micrometer module (resilience4j-micrometer, its Tagged*Metrics
 * binders), under their names, types and tags, for dashboards and alerts written against
 * them; the names were read from Resilience4j 2.4's source (the *MetricNames classes) and
 * the code is ours. As in ResilienceMeterBinder, every meter reads the instance when the
 * meter registry asks (FunctionCounter, FunctionTimer, Gauge), so nothing is added to the
 * call path: where Resilience4j counts events into a Counter or a Timer, these read the
 * instance's own monotonic totals, which a Prometheus scrape shows the same way (a
 * _total, or _seconds_count and _seconds_sum). Following the registries is
 * RegistryFollower's, shared with ResilienceMeterBinder.
 *
 * Deviations, all documented in docs/operations.md:
 * - resilience4j.circuitbreaker.calls is a FunctionTimer: its count is exact; its total
 *   time sums the durations the breaker measures, which it does only while slow-call
 *   tracking is on (slowCallDurationThreshold set); otherwise it stays 0. A FunctionTimer
 *   has no max, so Prometheus shows no _seconds_max series.
 * - resilience4j.circuitbreaker.state has no metrics_only series: our breaker has no such
 *   state.
 */
/**
 * Binds the meters Resilience4j's Micrometer module publishes, under its names, to every
 * instance of the registries given, and to instances created later (removed ones lose
 * their meters); chosen with {@code resilience.metrics.naming=resilience4j}, instead of
 * {@link ResilienceMeterBinder}. All meters carry the tag {@code name} (the instance) and
 * the extra tags given.
 * <ul>
 * <li>circuit breakers:
 * {@code resilience4j.circuitbreaker.calls{kind=successful|failed|ignored}} (function
 * timer: the count of calls; the total time sums the durations measured, only while
 * slow-call tracking is on, {@code 0} otherwise),
 * {@code resilience4j.circuitbreaker.not.permitted.calls{kind=not_permitted}} (function
 * counter), {@code resilience4j.circuitbreaker.state{state}} (1 for the current state, 0
 * for the others),
 * {@code resilience4j.circuitbreaker.buffered.calls{kind=successful|failed}} and
 * {@code resilience4j.circuitbreaker.slow.calls{kind=successful|failed}} (calls in the
 * window), {@code resilience4j.circuitbreaker.failure.rate} and
 * {@code resilience4j.circuitbreaker.slow.call.rate} (percent, {@code -1} until the
 * window holds the minimum number of calls);</li>
 * <li>retries:
 * {@code resilience4j.retry.calls{kind=successful_without_retry|successful_with_retry|failed_without_retry|failed_with_retry}};</li>
 * <li>rate limiters: {@code resilience4j.ratelimiter.available.permissions},
 * {@code resilience4j.ratelimiter.waiting_threads};</li>
 * <li>semaphore bulkheads: {@code resilience4j.bulkhead.available.concurrent.calls},
 * {@code resilience4j.bulkhead.max.allowed.concurrent.calls};</li>
 * <li>thread-pool bulkheads: {@code resilience4j.bulkhead.queue.depth},
 * {@code resilience4j.bulkhead.queue.capacity},
 * {@code resilience4j.bulkhead.thread.pool.size},
 * {@code resilience4j.bulkhead.core.thread.pool.size},
 * {@code resilience4j.bulkhead.max.thread.pool.size},
 * {@code resilience4j.bulkhead.active.thread.count},
 * {@code resilience4j.bulkhead.available.thread.count};</li>
 * <li>timeouts (Resilience4j's time limiters):
 * {@code resilience4j.timelimiter.calls{kind=successful|failed|timeout}}.</li>
 * </ul>
 * May be bound to several meter registries. Thread-safe. {@link #close()} stops following
 * the registries (the meters stay).
 */
public final class Resilience4jMeterBinder implements MeterBinder, AutoCloseable {

	private static final String CB = "resilience4j.circuitbreaker.";

	private static final String BULKHEAD = "resilience4j.bulkhead.";

	private static final String KIND = "kind";

	private final RegistryFollower follower;

	/**
	 * Creates a binder; any registry may be {@code null} (not bound).
	 * @param circuitBreakers the circuit breakers
	 * @param retries the retries
	 * @param rateLimiters the rate limiters
	 * @param bulkheads the semaphore bulkheads
	 * @param threadPoolBulkheads the thread-pool bulkheads
	 * @param timeouts the timeouts
	 * @param tags extra tags for every meter
	 * @throws IllegalArgumentException if a tag key is one of
	 * {@link ResilienceMeterBinder#RESERVED_TAG_KEYS}
	 */
	public Resilience4jMeterBinder(@Nullable CircuitBreakerRegistry circuitBreakers, @Nullable RetryRegistry retries,
			@Nullable RateLimiterRegistry rateLimiters, @Nullable BulkheadRegistry bulkheads,
			@Nullable ThreadPoolBulkheadRegistry threadPoolBulkheads, @Nullable TimeoutRegistry timeouts,
			Map<String, String> tags) {
		this.follower = new RegistryFollower(tags);
		this.follower.follow(circuitBreakers, Resilience4jMeterBinder::circuitBreakerMeters);
		this.follower.follow(retries, Resilience4jMeterBinder::retryMeters);
		this.follower.follow(rateLimiters, Resilience4jMeterBinder::rateLimiterMeters);
		this.follower.follow(bulkheads, Resilience4jMeterBinder::bulkheadMeters);
		this.follower.follow(threadPoolBulkheads, Resilience4jMeterBinder::threadPoolBulkheadMeters);
		this.follower.follow(timeouts, Resilience4jMeterBinder::timeoutMeters);
	}

	@Override
	public void bindTo(MeterRegistry meterRegistry) {
		this.follower.bindTo(meterRegistry);
	}

	/**
	 * Stops following the registries; meters already registered stay.
	 */
	@Override
	public void close() {
		this.follower.close();
	}

	// Meters of each primitive

	private static List<Meter> circuitBreakerMeters(CircuitBreaker breaker, Tags tags, MeterRegistry registry) {
		List<Meter> meters = new ArrayList<>();
		for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
			meters.add(gauge(CB + "state", "1 for the circuit breaker's current state, 0 for the others", breaker,
					(b) -> (b.state() == state) ? 1 : 0, tags.and("state", state.name().toLowerCase(Locale.ROOT)),
					registry));
		}
		meters.add(gauge(CB + "buffered.calls", "Failed calls in the current window", breaker,
				(b) -> b.metrics().failedCalls(), tags.and(KIND, "failed"), registry));
		meters.add(gauge(CB + "buffered.calls", "Successful calls in the current window", breaker,
				(b) -> b.metrics().successfulCalls(), tags.and(KIND, "successful"), registry));
		meters.add(gauge(CB + "slow.calls", "Slow successful calls in the current window", breaker,
				(b) -> b.metrics().slowSuccessfulCalls(), tags.and(KIND, "successful"), registry));
		meters.add(gauge(CB + "slow.calls", "Slow failed calls in the current window", breaker,
				(b) -> b.metrics().slowFailedCalls(), tags.and(KIND, "failed"), registry));
		meters.add(gauge(CB + "failure.rate",
				"Failure rate in percent in the current window, -1 until the window holds the minimum number of calls",
				breaker, (b) -> b.metrics().failureRate(), tags, registry));
		meters.add(gauge(CB + "slow.call.rate",
				"Slow-call rate in percent in the current window, -1 until the window holds the minimum number of calls",
				breaker, (b) -> b.metrics().slowCallRate(), tags, registry));
		String timed = "; the time sums the durations measured while slow-call tracking is on, 0 without it";
		meters.add(timer(CB + "calls", "Successful calls" + timed, breaker, (b) -> b.metrics().totalSuccessfulCalls(),
				(b) -> b.metrics().totalSuccessfulCallNanos(), tags.and(KIND, "successful"), registry));
		meters.add(timer(CB + "calls", "Failed calls" + timed, breaker, (b) -> b.metrics().totalFailedCalls(),
				(b) -> b.metrics().totalFailedCallNanos(), tags.and(KIND, "failed"), registry));
		meters.add(timer(CB + "calls", "Calls that failed with an ignored exception" + timed, breaker,
				(b) -> b.metrics().totalIgnoredCalls(), (b) -> b.metrics().totalIgnoredCallNanos(),
				tags.and(KIND, "ignored"), registry));
		meters.add(counter(CB + "not.permitted.calls", "Calls the circuit breaker did not permit", breaker,
				(b) -> b.metrics().totalNotPermittedCalls(), tags.and(KIND, "not_permitted"), registry));
		return meters;
	}

	private static List<Meter> retryMeters(Retry retry, Tags tags, MeterRegistry registry) {
		String calls = "resilience4j.retry.calls";
		return List.of(counter(calls, "Successful calls without a retry attempt", retry,
				(r) -> r.metrics().successfulCallsWithoutRetry(), tags.and(KIND, "successful_without_retry"), registry),
				counter(calls, "Successful calls after a retry attempt", retry,
						(r) -> r.metrics().successfulCallsWithRetry(), tags.and(KIND, "successful_with_retry"),
						registry),
				counter(calls, "Failed calls without a retry attempt", retry,
						(r) -> r.metrics().failedCallsWithoutRetry(), tags.and(KIND, "failed_without_retry"), registry),
				counter(calls, "Failed calls after a retry attempt", retry, (r) -> r.metrics().failedCallsWithRetry(),
						tags.and(KIND, "failed_with_retry"), registry));
	}

	private static List<Meter> rateLimiterMeters(RateLimiter limiter, Tags tags, MeterRegistry registry) {
		return List.of(
				gauge("resilience4j.ratelimiter.available.permissions",
						"Permits available now; negative when permits are reserved ahead for waiting callers", limiter,
						(l) -> l.metrics().availablePermissions(), tags, registry),
				gauge("resilience4j.ratelimiter.waiting_threads", "Threads waiting now for their permits", limiter,
						(l) -> l.metrics().waitingThreads(), tags, registry));
	}

	private static List<Meter> bulkheadMeters(Bulkhead bulkhead, Tags tags, MeterRegistry registry) {
		return List.of(
				gauge(BULKHEAD + "available.concurrent.calls", "Places free now", bulkhead,
						(b) -> b.metrics().availableConcurrentCalls(), tags, registry),
				gauge(BULKHEAD + "max.allowed.concurrent.calls", "The limit of concurrent calls", bulkhead,
						(b) -> b.metrics().maxConcurrentCalls(), tags, registry));
	}

	private static List<Meter> threadPoolBulkheadMeters(ThreadPoolBulkhead bulkhead, Tags tags,
			MeterRegistry registry) {
		return List.of(
				gauge(BULKHEAD + "queue.depth", "Calls waiting for a thread", bulkhead, (b) -> b.metrics().queueDepth(),
						tags, registry),
				gauge(BULKHEAD + "queue.capacity", "The configured queue capacity", bulkhead,
						(b) -> b.metrics().queueCapacity(), tags, registry),
				gauge(BULKHEAD + "thread.pool.size", "Threads in the pool now", bulkhead,
						(b) -> b.metrics().threadPoolSize(), tags, registry),
				gauge(BULKHEAD + "core.thread.pool.size", "The configured core pool size", bulkhead,
						(b) -> b.metrics().coreThreadPoolSize(), tags, registry),
				gauge(BULKHEAD + "max.thread.pool.size", "The configured maximum pool size", bulkhead,
						(b) -> b.metrics().maxThreadPoolSize(), tags, registry),
				gauge(BULKHEAD + "active.thread.count", "Threads running a call now", bulkhead,
						(b) -> b.metrics().activeThreads(), tags, registry),
				gauge(BULKHEAD + "available.thread.count", "The maximum pool size less the threads running a call",
						bulkhead, Resilience4jMeterBinder::availableThreads, tags, registry));
	}

	private static double availableThreads(ThreadPoolBulkhead bulkhead) {
		ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
		return metrics.maxThreadPoolSize() - metrics.activeThreads();
	}

	private static List<Meter> timeoutMeters(Timeout timeout, Tags tags, MeterRegistry registry) {
		String calls = "resilience4j.timelimiter.calls";
		return List.of(
				counter(calls, "Calls that finished in time and returned", timeout,
						(t) -> t.metrics().totalSuccessfulCalls(), tags.and(KIND, "successful"), registry),
				counter(calls, "Calls that finished in time and threw", timeout, (t) -> t.metrics().totalFailedCalls(),
						tags.and(KIND, "failed"), registry),
				counter(calls, "Calls cut off at the deadline", timeout, (t) -> t.metrics().totalTimedOutCalls(),
						tags.and(KIND, "timeout"), registry));
	}

	private static <T> Meter timer(String name, String description, T instance, ToLongFunction<T> count,
			ToDoubleFunction<T> totalNanos, Tags tags, MeterRegistry registry) {
		return FunctionTimer.builder(name, instance, count, totalNanos, TimeUnit.NANOSECONDS)
			.description(description)
			.tags(tags)
			.register(registry);
	}

}
