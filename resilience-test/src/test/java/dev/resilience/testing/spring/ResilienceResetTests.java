package dev.resilience.testing.spring;

import java.io.IOException;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state one test method leaves is gone in the next: the first method opens the
 * breaker, drains the limiter (on a key too) and the retry budget; the second, in the
 * same context, finds everything as new. Also without {@link ResilienceFakeTime}: the
 * reset listener is always on.
 */
@SpringBootTest(classes = TestRegistries.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResilienceResetTests {

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RateLimiterRegistry rateLimiters;

	@Autowired
	private RetryRegistry retries;

	@Test
	@Order(1)
	void aTestLeavesEveryInstanceUsed() {
		CircuitBreaker payments = this.circuitBreakers.instance("payments");
		payments.transitionTo(CircuitBreaker.State.OPEN);
		// Created during the test: reset too, not removed.
		CircuitBreaker late = this.circuitBreakers.instance("created-by-a-test");
		late.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		RateLimiter api = this.rateLimiters.instance("api");
		assertThat(api.tryAcquirePermission(2)).isTrue();
		assertThat(api.forKey("ann").tryAcquirePermission(2)).isTrue();
		Retry inventory = this.retries.instance("inventory");
		for (int i = 0; i < 4; i++) {
			inventory.onFailure(1, new IOException());
		}
		assertThat(inventory.metrics().budgetTokens()).isZero();
	}

	@Test
	@Order(2)
	void theNextTestFindsEveryInstanceAsNew() {
		assertThat(this.circuitBreakers.instance("payments").state()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(this.circuitBreakers.find("created-by-a-test"))
			.hasValueSatisfying((breaker) -> assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED));
		RateLimiter api = this.rateLimiters.instance("api");
		assertThat(api.metrics()).isEqualTo(new RateLimiter.Metrics(2, 0, 0, 0));
		assertThat(api.forKey("ann").tryAcquirePermission(2)).isTrue();
		Retry inventory = this.retries.instance("inventory");
		assertThat(inventory.metrics()).isEqualTo(new Retry.Metrics(0, 0, 0, 0, 4.0, 0));
	}

}
