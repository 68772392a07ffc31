package dev.resilience.testing.spring;

import java.time.Duration;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ResilienceFakeTime} puts the context on a fake ticker and a manual scheduler,
 * which the application's conditional ticker and scheduler back off for.
 */
@SpringBootTest(classes = TestRegistries.class)
@ResilienceFakeTime
class ResilienceFakeTimeTests {

	@Autowired
	private Ticker ticker;

	@Autowired
	private Scheduler scheduler;

	@Autowired
	private ManualScheduler time;

	@Autowired
	private FakeTicker fakeTicker;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RateLimiterRegistry rateLimiters;

	@Test
	void theContextsTickerAndSchedulerAreTheFakeOnes() {
		assertThat(this.ticker).isSameAs(this.fakeTicker);
		assertThat(this.scheduler).isSameAs(this.time);
		assertThat(this.time.ticker()).isSameAs(this.fakeTicker);
	}

	@Test
	void anOpenBreakerHalfOpensWhenTheFakeTimeIsAdvancedPastItsWait() {
		CircuitBreaker payments = this.circuitBreakers.instance("payments");
		for (int i = 0; i < 4; i++) {
			payments.acquirePermit().onFailure(payments.startTime(), new IllegalStateException("down"));
		}
		assertThat(payments.state()).isEqualTo(CircuitBreaker.State.OPEN);
		this.time.advance(Duration.ofSeconds(9));
		assertThat(payments.state()).isEqualTo(CircuitBreaker.State.OPEN);
		this.time.advance(Duration.ofSeconds(1));
		assertThat(payments.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
	}

	@Test
	void aRateLimiterRefillsOnlyAsTheFakeTimeMoves() {
		RateLimiter api = this.rateLimiters.instance("api");
		assertThat(api.tryAcquirePermission(2)).isTrue();
		assertThat(api.tryAcquirePermission(1)).isFalse();
		this.time.advance(Duration.ofSeconds(29));
		assertThat(api.tryAcquirePermission(1)).isFalse();
		this.time.advance(Duration.ofSeconds(1));
		assertThat(api.tryAcquirePermission(1)).isTrue();
	}

	@Nested
	class InANestedClass {

		@Autowired
		private Ticker nestedTicker;

		@Test
		void theEnclosingClassesAnnotationApplies() {
			assertThat(this.nestedTicker).isInstanceOf(FakeTicker.class);
		}

	}

}
