package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import org.jspecify.annotations.Nullable;

/**
 * The effective configuration of an instance as a JSON object: one entry per setting,
 * named exactly as the core setting (camelCase, as the write operations' fields; the
 * property {@code limit-for-period} is the setting {@code limitForPeriod}). Durations are
 * ISO-8601 strings ({@code PT0.5S}), exception types their class names. An unset optional
 * setting is left out; predicates set in code are left out.
 */
final class ConfigDescriptions {

	private ConfigDescriptions() {
	}

	static Map<String, Object> of(CircuitBreakerConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("slidingWindowType", config.slidingWindowType().name());
		map.put("slidingWindowSize", config.slidingWindowSize());
		map.put("minimumNumberOfCalls", config.minimumNumberOfCalls());
		map.put("failureRateThreshold", config.failureRateThreshold());
		map.put("slowCallRateThreshold", config.slowCallRateThreshold());
		putDuration(map, "slowCallDurationThreshold", config.slowCallDurationThreshold());
		putDuration(map, "waitDurationInOpenState", config.waitDurationInOpenState());
		map.put("waitDurationInOpenStateMultiplier", config.waitDurationInOpenStateMultiplier());
		putDuration(map, "maxWaitDurationInOpenState", config.maxWaitDurationInOpenState());
		map.put("automaticTransitionFromOpenToHalfOpenEnabled", config.automaticTransitionFromOpenToHalfOpenEnabled());
		map.put("permittedNumberOfCallsInHalfOpenState", config.permittedNumberOfCallsInHalfOpenState());
		putDuration(map, "maxWaitDurationInHalfOpenState", config.maxWaitDurationInHalfOpenState());
		map.put("recordExceptions", names(config.recordExceptions()));
		map.put("ignoreExceptions", names(config.ignoreExceptions()));
		map.put("matchCauseChain", config.matchCauseChain());
		return map;
	}

	static Map<String, Object> of(RetryConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("maxAttempts", config.maxAttempts());
		putDuration(map, "waitDuration", config.waitDuration());
		map.put("exponentialBackoffMultiplier", config.exponentialBackoffMultiplier());
		putDuration(map, "exponentialMaxWaitDuration", config.exponentialMaxWaitDuration());
		map.put("randomizedWaitFactor", config.randomizedWaitFactor());
		map.put("retryExceptions", names(config.retryExceptions()));
		map.put("ignoreExceptions", names(config.ignoreExceptions()));
		map.put("matchCauseChain", config.matchCauseChain());
		map.put("retryOnRejection", config.retryOnRejection());
		map.put("budgetMaxTokens", config.budgetMaxTokens());
		map.put("budgetTokenRatio", config.budgetTokenRatio());
		return map;
	}

	static Map<String, Object> of(RateLimiterConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("limitForPeriod", config.limitForPeriod());
		putDuration(map, "limitRefreshPeriod", config.limitRefreshPeriod());
		putDuration(map, "timeoutDuration", config.timeoutDuration());
		map.put("burstCapacity", config.burstCapacity());
		map.put("maxKeys", config.maxKeys());
		return map;
	}

	static Map<String, Object> of(BulkheadConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("maxConcurrentCalls", config.maxConcurrentCalls());
		putDuration(map, "maxWaitDuration", config.maxWaitDuration());
		map.put("maxKeys", config.maxKeys());
		return map;
	}

	static Map<String, Object> of(ThreadPoolBulkheadConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("coreThreadPoolSize", config.coreThreadPoolSize());
		map.put("maxThreadPoolSize", config.maxThreadPoolSize());
		map.put("queueCapacity", config.queueCapacity());
		putDuration(map, "keepAliveDuration", config.keepAliveDuration());
		return map;
	}

	static Map<String, Object> of(TimeoutConfig config) {
		Map<String, Object> map = new LinkedHashMap<>();
		putDuration(map, "timeoutDuration", config.timeoutDuration());
		map.put("cancelRunningFuture", config.cancelRunningFuture());
		return map;
	}

	private static void putDuration(Map<String, Object> map, String setting, @Nullable Duration value) {
		if (value != null) {
			map.put(setting, value.toString());
		}
	}

	private static List<String> names(List<Class<? extends Throwable>> types) {
		return types.stream().map(Class::getName).toList();
	}

}
