package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.time.Duration;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CircuitBreaker#remainingOpenWaitNanos()}: the time left in the open wait, on
 * fake time.
 */
class CircuitBreakerRemainingOpenWaitTests {

	private static final long SECOND = 1_000_000_000L;

	private final FakeTicker ticker = new FakeTicker(42L);

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		return CircuitBreaker.of("backend", config.build(), this.ticker, this.scheduler);
	}

	private static CircuitBreakerConfig.Builder config() {
		return CircuitBreakerConfig.builder()
			.slidingWindowSize(2)
			.minimumNumberOfCalls(2)
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.automaticTransitionFromOpenToHalfOpenEnabled(false);
	}

	private static void open(CircuitBreaker breaker) {
		for (int i = 0; i < 2; i++) {
			breaker.acquirePermit().onFailure(0, new IOException("boom"));
		}
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
	}

	@Test
	void isMinusOneInEveryStateButOpen() {
		CircuitBreaker breaker = breaker(config());
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(-1);
		for (CircuitBreaker.State state : new CircuitBreaker.State[] { CircuitBreaker.State.HALF_OPEN,
				CircuitBreaker.State.FORCED_OPEN, CircuitBreaker.State.DISABLED, CircuitBreaker.State.CLOSED }) {
			breaker.transitionTo(state);
			assertThat(breaker.remainingOpenWaitNanos()).as("%s", state).isEqualTo(-1);
		}
	}

	@Test
	void countsDownFromTheWaitOnceOpenAndStopsAtZero() {
		CircuitBreaker breaker = breaker(config());
		open(breaker);
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(10 * SECOND);
		this.ticker.advance(Duration.ofMillis(4_200));
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(5_800_000_000L);
		this.ticker.advance(Duration.ofSeconds(6));
		// The wait has ended but no call has moved it to half-open yet.
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(breaker.remainingOpenWaitNanos()).isZero();
	}

	@Test
	void usesTheLongerWaitOfARepeatedOpening() {
		CircuitBreaker breaker = breaker(
				config().waitDurationInOpenStateMultiplier(2.0).permittedNumberOfCallsInHalfOpenState(1));
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		// The wait has passed: this call moves it to half-open and is its trial, which
		// fails and opens it again, for twice as long.
		breaker.acquirePermit().onFailure(0, new IOException("trial"));
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(20 * SECOND);
	}

	@Test
	void isTheWholeWaitForAManualOpen() {
		CircuitBreaker breaker = breaker(config());
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(10 * SECOND);
		this.ticker.advance(Duration.ofSeconds(3));
		assertThat(breaker.remainingOpenWaitNanos()).isEqualTo(7 * SECOND);
	}

}
