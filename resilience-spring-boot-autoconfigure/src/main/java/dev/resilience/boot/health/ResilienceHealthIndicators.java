package dev.resilience.boot.health;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.resilience.boot.autoconfigure.BackendState;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of one instance of each primitive, from one snapshot of its metrics.
 */
final class ResilienceHealthIndicators {

	private ResilienceHealthIndicators() {
	}

	/**
	 * A circuit breaker's health: {@code UP} when closed or disabled,
	 * {@link ResilienceStatus#CIRCUIT_OPEN} when open or forced open ({@code DOWN} if it
	 * may fail), {@link ResilienceStatus#CIRCUIT_HALF_OPEN} when half-open (even if it
	 * may fail: trial calls need traffic to reach the application).
	 * @param breaker the circuit breaker
	 * @param allowToFail whether an open breaker reports {@code DOWN}
	 * @return the health with its details
	 */
	static Health circuitBreaker(CircuitBreaker breaker, boolean allowToFail) {
		CircuitBreaker.Metrics metrics = breaker.metrics();
		Status status = switch (metrics.state()) {
			case CLOSED, DISABLED -> Status.UP;
			case HALF_OPEN -> ResilienceStatus.CIRCUIT_HALF_OPEN;
			case OPEN, FORCED_OPEN -> allowToFail ? Status.DOWN : ResilienceStatus.CIRCUIT_OPEN;
		};
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("state", metrics.state().name());
		details.put("failureRate", metrics.failureRate());
		details.put("failureRateThreshold", breaker.config().failureRateThreshold());
		details.put("slowCallRate", metrics.slowCallRate());
		details.put("slowCallRateThreshold", breaker.config().slowCallRateThreshold());
		details.put("bufferedCalls", metrics.bufferedCalls());
		details.put("failedCalls", metrics.failedCalls());
		details.put("slowCalls", metrics.slowCalls());
		details.put("notPermittedCalls", metrics.notPermittedCalls());
		return Health.status(status).withDetails(details).build();
	}

	/**
	 * A rate limiter's health: {@code UP} while a permit is available now, else
	 * {@link ResilienceStatus#RATE_LIMITED} ({@code DOWN} if it may fail).
	 * @param limiter the rate limiter
	 * @param allowToFail whether an exhausted limiter reports {@code DOWN}
	 * @return the health with its details
	 */
	static Health rateLimiter(RateLimiter limiter, boolean allowToFail) {
		RateLimiter.Metrics metrics = limiter.metrics();
		Status status = (metrics.availablePermissions() > 0) ? Status.UP
				: (allowToFail ? Status.DOWN : ResilienceStatus.RATE_LIMITED);
		// A limiter whose store is down limits nothing (or everything): say so, and let
		// it
		// fail the health check if it may.
		BackendState backend = (limiter instanceof BackendState state) ? state : null;
		if (backend != null && !backend.backendAvailable() && allowToFail) {
			status = Status.DOWN;
		}
		// Read once: a Redis-backed limiter reads its configuration from Redis.
		RateLimiterConfig config = limiter.config();
		Health.Builder health = Health.status(status)
			.withDetail("availablePermits", metrics.availablePermissions())
			.withDetail("burstCapacity", config.effectiveBurstCapacity())
			.withDetail("limitForPeriod", config.limitForPeriod())
			.withDetail("limitRefreshPeriod", config.limitRefreshPeriod().toString())
			.withDetail("liveKeys", metrics.liveKeys());
		if (backend != null) {
			health.withDetail("backend", backend.backend())
				.withDetail("backendAvailable", backend.backendAvailable())
				.withDetail("backendFailures", backend.backendFailures());
		}
		return health.build();
	}

	/**
	 * A semaphore bulkhead's health: {@code UP} while a place is free, else
	 * {@link ResilienceStatus#BULKHEAD_FULL} ({@code DOWN} if it may fail).
	 * @param bulkhead the bulkhead
	 * @param allowToFail whether a full bulkhead reports {@code DOWN}
	 * @return the health with its details
	 */
	static Health bulkhead(Bulkhead bulkhead, boolean allowToFail) {
		Bulkhead.Metrics metrics = bulkhead.metrics();
		Status status = (metrics.availableConcurrentCalls() > 0) ? Status.UP
				: (allowToFail ? Status.DOWN : ResilienceStatus.BULKHEAD_FULL);
		return Health.status(status)
			.withDetail("availableConcurrentCalls", metrics.availableConcurrentCalls())
			.withDetail("maxConcurrentCalls", metrics.maxConcurrentCalls())
			.withDetail("limit", metrics.maxConcurrentCalls())
			.withDetail("limitAlgorithm", bulkhead.config().limit().algorithm().name().toLowerCase(Locale.ROOT))
			.build();
	}

	/**
	 * A thread-pool bulkhead's health: {@code UP} while a thread or a queue slot is free,
	 * else {@link ResilienceStatus#BULKHEAD_FULL} ({@code DOWN} if it may fail).
	 * @param bulkhead the bulkhead
	 * @param allowToFail whether a full bulkhead reports {@code DOWN}
	 * @return the health with its details
	 */
	static Health threadPoolBulkhead(ThreadPoolBulkhead bulkhead, boolean allowToFail) {
		ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
		boolean full = metrics.remainingQueueCapacity() == 0 && metrics.activeThreads() >= metrics.maxThreadPoolSize();
		Status status = !full ? Status.UP : (allowToFail ? Status.DOWN : ResilienceStatus.BULKHEAD_FULL);
		return Health.status(status)
			.withDetail("activeThreads", metrics.activeThreads())
			.withDetail("threadPoolSize", metrics.threadPoolSize())
			.withDetail("coreThreadPoolSize", metrics.coreThreadPoolSize())
			.withDetail("maxThreadPoolSize", metrics.maxThreadPoolSize())
			.withDetail("queueDepth", metrics.queueDepth())
			.withDetail("queueCapacity", metrics.queueCapacity())
			.withDetail("remainingQueueCapacity", metrics.remainingQueueCapacity())
			.build();
	}

}
