package dev.resilience.boot.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.resilience.boot.autoconfigure.BackendState;
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
 * Every meter is a FunctionCounter or a Gauge over the instance itself: the meter registry
 * calls metrics() (or state()) when it is read, at scrape or publish time, so the call path
 * is exactly what it is without Micrometer. Counters read the instances' monotonic totals.
 * Following the registries (instances added and removed at run time) is RegistryFollower's.
 */
/**
 * Binds Micrometer meters to every instance of the registries given, and to instances
 * created later (removed ones lose their meters). All meters carry the tag {@code name}
 * and the extra tags given.
 * <ul>
 * <li>{@code resilience.circuitbreaker.calls{outcome=success|failure|ignored|not_permitted}}
 * (function counter), {@code resilience.circuitbreaker.state{state}} (1 for the current
 * state, 0 for the others), {@code resilience.circuitbreaker.failure.rate} and
 * {@code resilience.circuitbreaker.slow.call.rate} (percent, {@code -1} until the window
 * holds the minimum number of calls);</li>
 * <li>{@code resilience.retry.calls{outcome=success_without_retry|success_with_retry|failure_without_retry|failure_with_retry}},
 * {@code resilience.retry.budget.exhausted} (executions the retry budget ended),
 * {@code resilience.retry.budget.tokens} ({@code -1} without a budget) and
 * {@code resilience.retry.budget.max.tokens} ({@code 0} without a budget);</li>
 * <li>{@code resilience.ratelimiter.calls{outcome=permitted|rejected}},
 * {@code resilience.ratelimiter.available.permits}, {@code resilience.ratelimiter.keys};
 * for a limiter on a backend, {@code resilience.ratelimiter.backend.failures} and
 * {@code resilience.ratelimiter.backend.available{on_backend_failure=allow|deny}};</li>
 * <li>{@code resilience.bulkhead.calls{outcome=permitted|rejected, kind}},
 * {@code resilience.bulkhead.active.calls{kind}},
 * {@code resilience.bulkhead.max.calls{kind}},
 * {@code resilience.bulkhead.limit{kind=semaphore}} (the limit now; it moves for an
 * adaptive {@code limit-algorithm}), {@code resilience.bulkhead.keys{kind=semaphore}},
 * with {@code kind=semaphore} or {@code kind=thread-pool};</li>
 * <li>{@code resilience.timeout.calls{outcome=success|failure|timeout}}.</li>
 * </ul>
 * The default naming; {@link Resilience4jMeterBinder} publishes Resilience4j's names
 * instead. May be bound to several meter registries. Thread-safe. {@link #close()} stops
 * following the registries (the meters stay).
 */
public final class ResilienceMeterBinder implements MeterBinder, AutoCloseable {

	/** Tag keys the binder sets itself; extra tags may not use them. */
	public static final List<String> RESERVED_TAG_KEYS = RegistryFollower.RESERVED_TAG_KEYS;

	private static final String BULKHEAD_CALLS = "resilience.bulkhead.calls";

	private static final String BULKHEAD_CALLS_HELP = "Calls through the bulkhead by outcome";

	private static final String BULKHEAD_ACTIVE = "resilience.bulkhead.active.calls";

	private static final String BULKHEAD_ACTIVE_HELP = "Calls in flight now (thread-pool: threads running a call)";

	private final RegistryFollower follower;

	private static final String BULKHEAD_MAX = "resilience.bulkhead.max.calls";

	private static final String BULKHEAD_LIMIT = "resilience.bulkhead.limit";

	private static final String BULKHEAD_LIMIT_HELP = "The concurrency limit now: max-concurrent-calls, or an adaptive limit's current value";

	private static final String BULKHEAD_MAX_HELP = "Calls allowed in flight at once (thread-pool: the maximum threads); saturation is active.calls / max.calls";

	/**
	 * Creates a binder; any registry may be {@code null} (not bound).
	 * @param circuitBreakers the circuit breakers
	 * @param retries the retries
	 * @param rateLimiters the rate limiters
	 * @param bulkheads the semaphore bulkheads
	 * @param threadPoolBulkheads the thread-pool bulkheads
	 * @param timeouts the timeouts
	 * @param tags extra tags for every meter
	 * @throws IllegalArgumentException if a tag key is one of {@link #RESERVED_TAG_KEYS}
	 */
	public ResilienceMeterBinder(@Nullable CircuitBreakerRegistry circuitBreakers, @Nullable RetryRegistry retries,
			@Nullable RateLimiterRegistry rateLimiters, @Nullable BulkheadRegistry bulkheads,
			@Nullable ThreadPoolBulkheadRegistry threadPoolBulkheads, @Nullable TimeoutRegistry timeouts,
			Map<String, String> tags) {
		this.follower = new RegistryFollower(tags);
		this.follower.follow(circuitBreakers, ResilienceMeterBinder::circuitBreakerMeters);
		this.follower.follow(retries, ResilienceMeterBinder::retryMeters);
		this.follower.follow(rateLimiters, ResilienceMeterBinder::rateLimiterMeters);
		this.follower.follow(bulkheads, ResilienceMeterBinder::bulkheadMeters);
		this.follower.follow(threadPoolBulkheads, ResilienceMeterBinder::threadPoolBulkheadMeters);
		this.follower.follow(timeouts, ResilienceMeterBinder::timeoutMeters);
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
		String calls = "resilience.circuitbreaker.calls";
		String callsHelp = "Calls through the circuit breaker by outcome; a counter, not a timer: the breaker reads no clock unless slow-call tracking is on";
		meters.add(counter(calls, callsHelp, breaker, (b) -> b.metrics().totalSuccessfulCalls(),
				tags.and("outcome", "success"), registry));
		meters.add(counter(calls, callsHelp, breaker, (b) -> b.metrics().totalFailedCalls(),
				tags.and("outcome", "failure"), registry));
		meters.add(counter(calls, callsHelp, breaker, (b) -> b.metrics().totalIgnoredCalls(),
				tags.and("outcome", "ignored"), registry));
		meters.add(counter(calls, callsHelp, breaker, (b) -> b.metrics().totalNotPermittedCalls(),
				tags.and("outcome", "not_permitted"), registry));
		for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
			meters.add(gauge("resilience.circuitbreaker.state",
					"1 for the circuit breaker's current state, 0 for the others", breaker,
					(b) -> (b.state() == state) ? 1 : 0, tags.and("state", state.name().toLowerCase(Locale.ROOT)),
					registry));
		}
		meters.add(gauge("resilience.circuitbreaker.failure.rate",
				"Failure rate in percent in the current window, -1 until the window holds the minimum number of calls",
				breaker, (b) -> b.metrics().failureRate(), tags, registry));
		meters.add(gauge("resilience.circuitbreaker.slow.call.rate",
				"Slow-call rate in percent in the current window, -1 until the window holds the minimum number of calls",
				breaker, (b) -> b.metrics().slowCallRate(), tags, registry));
		return meters;
	}

	private static List<Meter> retryMeters(Retry retry, Tags tags, MeterRegistry registry) {
		String calls = "resilience.retry.calls";
		String help = "Executions through the retry by outcome";
		// The budget meters exist with or without a budget: a reconfiguration may switch
		// it on or off without the instance being replaced.
		return List.of(
				counter(calls, help, retry, (r) -> r.metrics().successfulCallsWithoutRetry(),
						tags.and("outcome", "success_without_retry"), registry),
				counter(calls, help, retry, (r) -> r.metrics().successfulCallsWithRetry(),
						tags.and("outcome", "success_with_retry"), registry),
				counter(calls, help, retry, (r) -> r.metrics().failedCallsWithoutRetry(),
						tags.and("outcome", "failure_without_retry"), registry),
				counter(calls, help, retry, (r) -> r.metrics().failedCallsWithRetry(),
						tags.and("outcome", "failure_with_retry"), registry),
				counter("resilience.retry.budget.exhausted",
						"Executions that ended because the retry budget refused a retry (also counted in calls)", retry,
						(r) -> r.metrics().budgetExhaustedCalls(), tags, registry),
				gauge("resilience.retry.budget.tokens", "Tokens left in the retry budget, -1 without a budget", retry,
						(r) -> r.metrics().budgetTokens(), tags, registry),
				gauge("resilience.retry.budget.max.tokens",
						"The retry budget's capacity in tokens, 0 without a budget; retries are refused at half of it or less",
						retry, (r) -> r.config().budgetMaxTokens(), tags, registry));
	}

	private static List<Meter> rateLimiterMeters(RateLimiter limiter, Tags tags, MeterRegistry registry) {
		String calls = "resilience.ratelimiter.calls";
		String help = "Calls through the rate limiter by outcome";
		List<Meter> meters = new ArrayList<>(List.of(
				counter(calls, help, limiter, (l) -> l.metrics().totalPermittedCalls(),
						tags.and("outcome", "permitted"), registry),
				counter(calls, help, limiter, (l) -> l.metrics().totalRejectedCalls(), tags.and("outcome", "rejected"),
						registry),
				gauge("resilience.ratelimiter.available.permits",
						"Permits available now; negative when permits are reserved ahead for waiting callers", limiter,
						(l) -> l.metrics().availablePermissions(), tags, registry),
				gauge("resilience.ratelimiter.keys", "Keys with a bucket of their own (@RateLimited key)", limiter,
						(l) -> l.metrics().liveKeys(), tags, registry)));
		if (limiter instanceof BackendState backend) {
			meters.add(counter("resilience.ratelimiter.backend.failures",
					"Decisions the backend (Redis) did not take in time; the failure policy took them", backend,
					BackendState::backendFailures, tags, registry));
			meters.add(gauge("resilience.ratelimiter.backend.available",
					"1 while the backend (Redis) answered the last decision, 0 during an outage; on_backend_failure says whether calls are allowed or denied meanwhile",
					backend, (b) -> b.backendAvailable() ? 1 : 0,
					tags.and("on_backend_failure", backend.onBackendFailure().name().toLowerCase(Locale.ROOT)),
					registry));
		}
		return meters;
	}

	private static List<Meter> bulkheadMeters(Bulkhead bulkhead, Tags tags, MeterRegistry registry) {
		Tags kind = tags.and("kind", "semaphore");
		return List.of(
				counter(BULKHEAD_CALLS, BULKHEAD_CALLS_HELP, bulkhead, (b) -> b.metrics().totalPermittedCalls(),
						kind.and("outcome", "permitted"), registry),
				counter(BULKHEAD_CALLS, BULKHEAD_CALLS_HELP, bulkhead, (b) -> b.metrics().totalRejectedCalls(),
						kind.and("outcome", "rejected"), registry),
				gauge(BULKHEAD_ACTIVE, BULKHEAD_ACTIVE_HELP, bulkhead, (b) -> b.metrics().activeCalls(), kind,
						registry),
				gauge(BULKHEAD_MAX, BULKHEAD_MAX_HELP, bulkhead, (b) -> b.metrics().maxConcurrentCalls(), kind,
						registry),
				gauge(BULKHEAD_LIMIT, BULKHEAD_LIMIT_HELP, bulkhead, (b) -> b.metrics().maxConcurrentCalls(), kind,
						registry),
				gauge("resilience.bulkhead.keys", "Keys with a bulkhead of their own (@Bulkhead key)", bulkhead,
						(b) -> b.metrics().liveKeys(), kind, registry));
	}

	private static List<Meter> threadPoolBulkheadMeters(ThreadPoolBulkhead bulkhead, Tags tags,
			MeterRegistry registry) {
		Tags kind = tags.and("kind", "thread-pool");
		return List.of(
				counter(BULKHEAD_CALLS, BULKHEAD_CALLS_HELP, bulkhead, (b) -> b.metrics().totalPermittedCalls(),
						kind.and("outcome", "permitted"), registry),
				counter(BULKHEAD_CALLS, BULKHEAD_CALLS_HELP, bulkhead, (b) -> b.metrics().totalRejectedCalls(),
						kind.and("outcome", "rejected"), registry),
				gauge(BULKHEAD_ACTIVE, BULKHEAD_ACTIVE_HELP, bulkhead, (b) -> b.metrics().activeThreads(), kind,
						registry),
				gauge(BULKHEAD_MAX, BULKHEAD_MAX_HELP, bulkhead, (b) -> b.metrics().maxThreadPoolSize(), kind,
						registry));
	}

	private static List<Meter> timeoutMeters(Timeout timeout, Tags tags, MeterRegistry registry) {
		String calls = "resilience.timeout.calls";
		String help = "Calls through the timeout by outcome";
		return List.of(
				counter(calls, help, timeout, (t) -> t.metrics().totalSuccessfulCalls(), tags.and("outcome", "success"),
						registry),
				counter(calls, help, timeout, (t) -> t.metrics().totalFailedCalls(), tags.and("outcome", "failure"),
						registry),
				counter(calls, help, timeout, (t) -> t.metrics().totalTimedOutCalls(), tags.and("outcome", "timeout"),
						registry));
	}

}
