package dev.resilience.boot.logging;

import java.io.IOException;
import java.time.Duration;

import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.RegistryEvent;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The line and the level of every kind of state change, on a breaker driven by the fake
 * clock.
 */
class CircuitBreakerTransitionLogTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final LogLines log = new LogLines();

	private final CircuitBreakerTransitionLog transitionLog = new CircuitBreakerTransitionLog();

	@AfterEach
	void stop() {
		this.transitionLog.close();
		this.log.close();
	}

	/** Window of 4 calls; 50 %; 1 s slow, 75 %; 10 s open, doubling; 2 trials. */
	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		CircuitBreaker breaker = CircuitBreaker.of("inventory", config.build(), this.ticker, this.scheduler);
		this.transitionLog.onEvent(new RegistryEvent<>(RegistryEvent.Type.ADDED, breaker));
		return breaker;
	}

	private static CircuitBreakerConfig.Builder config() {
		return CircuitBreakerConfig.builder()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.failureRateThreshold(50)
			.slowCallDurationThreshold(Duration.ofSeconds(1))
			.slowCallRateThreshold(75)
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.waitDurationInOpenStateMultiplier(2)
			.permittedNumberOfCallsInHalfOpenState(2);
	}

	private void succeed(CircuitBreaker breaker) {
		breaker.acquirePermit().onSuccess(breaker.startTime(), "ok");
	}

	private void fail(CircuitBreaker breaker) {
		breaker.acquirePermit().onFailure(breaker.startTime(), new IOException("boom"));
	}

	private void succeedSlowly(CircuitBreaker breaker) {
		Permit permit = breaker.acquirePermit();
		long start = breaker.startTime();
		this.ticker.advance(Duration.ofMillis(1500));
		permit.onSuccess(start, "ok");
	}

	private void failSlowly(CircuitBreaker breaker) {
		Permit permit = breaker.acquirePermit();
		long start = breaker.startTime();
		this.ticker.advance(Duration.ofMillis(1500));
		permit.onFailure(start, new IOException("boom"));
	}

	private static void assertRejected(CircuitBreaker breaker) {
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
	}

	@Test
	void anOpeningBySlowCallsNamesTheSlowCallRateAndItsDuration() {
		CircuitBreaker breaker = breaker(config());
		succeed(breaker);
		succeedSlowly(breaker);
		succeedSlowly(breaker);
		succeedSlowly(breaker);
		assertThat(this.log.lines()).containsExactly("WARN circuit breaker 'inventory' CLOSED -> OPEN: "
				+ "slow-call rate 75 % over 4 calls (threshold 75 % of calls slower than 1 s); calls rejected for 10 s");
	}

	@Test
	void anOpeningByBothRatesNamesBoth() {
		CircuitBreaker breaker = breaker(config());
		succeed(breaker);
		failSlowly(breaker);
		failSlowly(breaker);
		failSlowly(breaker);
		assertThat(this.log.lines()).containsExactly("WARN circuit breaker 'inventory' CLOSED -> OPEN: "
				+ "failure rate 75 % over 4 calls (threshold 50 %), slow-call rate 75 % "
				+ "(threshold 75 % of calls slower than 1 s); calls rejected for 10 s");
	}

	@Test
	void failingTrialsReopenForTheLongerWaitOfTheStreak() {
		CircuitBreaker breaker = breaker(config());
		for (int i = 0; i < 4; i++) {
			fail(breaker);
		}
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		fail(breaker);
		assertRejected(breaker);
		assertThat(this.log.lines()).containsExactly(
				"WARN circuit breaker 'inventory' CLOSED -> OPEN: failure rate 100 % over 4 calls (threshold 50 %); "
						+ "calls rejected for 10 s",
				"INFO circuit breaker 'inventory' OPEN -> HALF_OPEN: the open wait elapsed; trial calls let through",
				"WARN circuit breaker 'inventory' HALF_OPEN -> OPEN: failure rate 50 % over 2 trial calls "
						+ "(threshold 50 %); calls rejected for 20 s",
				"WARN circuit breaker 'inventory' OPEN: first call rejected since it opened; "
						+ "calls rejected for 20 s from the opening");
	}

	@Test
	void passingTrialsShowBothRatesWhenSlowCallsAreTracked() {
		CircuitBreaker breaker = breaker(config());
		breaker.transitionTo(State.HALF_OPEN);
		succeed(breaker);
		succeedSlowly(breaker);
		assertThat(this.log.lines()).containsExactly(
				"INFO circuit breaker 'inventory' CLOSED -> HALF_OPEN: manual transition",
				"INFO circuit breaker 'inventory' HALF_OPEN -> CLOSED: 2 trial calls passed: failure rate 0 % "
						+ "(threshold 50 %), slow-call rate 50 % (threshold 75 % of calls slower than 1 s)");
	}

	@Test
	void theHalfOpenTimeLimitSaysHowManyTrialsCompleted() {
		CircuitBreaker breaker = breaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		breaker.transitionTo(State.HALF_OPEN);
		fail(breaker);
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(this.log.lines()).containsExactly(
				"INFO circuit breaker 'inventory' CLOSED -> HALF_OPEN: manual transition",
				"WARN circuit breaker 'inventory' HALF_OPEN -> OPEN: the trial calls did not complete within the "
						+ "half-open time limit (1 of 2 completed, 1 failed); calls rejected for 10 s");
	}

	@Test
	void forcedOpenIsAnOperatorsActLoggedAtInfoWithItsFirstRejection() {
		CircuitBreaker breaker = breaker(config());
		breaker.transitionTo(State.FORCED_OPEN);
		assertRejected(breaker);
		assertRejected(breaker);
		breaker.transitionTo(State.DISABLED);
		succeed(breaker);
		breaker.reset();
		assertThat(this.log.lines()).containsExactly(
				"INFO circuit breaker 'inventory' CLOSED -> FORCED_OPEN: manual transition",
				"INFO circuit breaker 'inventory' FORCED_OPEN: first call rejected since it was forced open; "
						+ "calls rejected until a manual transition",
				"INFO circuit breaker 'inventory' FORCED_OPEN -> DISABLED: manual transition",
				"INFO circuit breaker 'inventory' DISABLED -> CLOSED: reset");
	}

	@Test
	void aManualOpeningIsAWarningAndSaysHowLongItRejects() {
		CircuitBreaker breaker = breaker(config().waitDurationInOpenState(Duration.ofMillis(2500)));
		breaker.transitionTo(State.OPEN);
		assertThat(this.log.lines()).containsExactly(
				"WARN circuit breaker 'inventory' CLOSED -> OPEN: manual transition; calls rejected for 2.5 s");
	}

	@Test
	void aRateThatIsNotRoundShowsOneDecimal() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(3).minimumNumberOfCalls(3));
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		assertThat(this.log.lines()).first()
			.asString()
			.startsWith("WARN circuit breaker 'inventory' CLOSED -> OPEN: failure rate 66.7 % over 3 calls");
	}

	@Test
	void aClosedLogFollowsNoMoreBreakers() {
		CircuitBreaker breaker = breaker(config());
		this.transitionLog.close();
		assertThat(breaker.stateEvents().hasListeners()).isFalse();
		this.transitionLog.onEvent(new RegistryEvent<>(RegistryEvent.Type.ADDED, breaker));
		breaker.transitionTo(State.OPEN);
		assertThat(this.log.lines()).isEmpty();
	}

	@Test
	void aBreakerAnnouncedTwiceIsLoggedOnce() {
		CircuitBreaker breaker = breaker(config());
		this.transitionLog.onEvent(new RegistryEvent<>(RegistryEvent.Type.ADDED, breaker));
		breaker.transitionTo(State.DISABLED);
		assertThat(this.log.lines()).hasSize(1);
	}

}
