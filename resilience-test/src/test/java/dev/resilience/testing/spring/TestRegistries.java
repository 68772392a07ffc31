package dev.resilience.testing.spring;

import java.time.Duration;

import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * An application that declares its ticker and scheduler the way the starter does (backing
 * off when the context has its own) and builds its registries on them. The starter itself
 * cannot be used here: its module's tests depend on this one.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
class TestRegistries {

	@Bean
	@ConditionalOnMissingBean
	Ticker resilienceTicker() {
		return Ticker.system();
	}

	@Bean
	@ConditionalOnMissingBean
	Scheduler resilienceScheduler() {
		return Scheduler.system();
	}

	@Bean
	CircuitBreakerRegistry circuitBreakerRegistry(Ticker ticker, Scheduler scheduler) {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.builder()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.failureRateThreshold(50)
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.permittedNumberOfCallsInHalfOpenState(1)
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.build(), ticker, scheduler);
		registry.instance("payments");
		return registry;
	}

	@Bean
	RateLimiterRegistry rateLimiterRegistry(Ticker ticker, Scheduler scheduler) {
		RateLimiterRegistry registry = RateLimiterRegistry.of(RateLimiterConfig.builder()
			.limitForPeriod(2)
			.limitRefreshPeriod(Duration.ofMinutes(1))
			.timeoutDuration(Duration.ZERO)
			.build(), ticker, scheduler);
		registry.instance("api");
		return registry;
	}

	@Bean
	RetryRegistry retryRegistry(Ticker ticker, Scheduler scheduler) {
		RetryRegistry registry = RetryRegistry
			.of(RetryConfig.builder().maxAttempts(3).budgetMaxTokens(4).budgetTokenRatio(1).build(), ticker, scheduler);
		registry.instance("inventory");
		return registry;
	}

}
