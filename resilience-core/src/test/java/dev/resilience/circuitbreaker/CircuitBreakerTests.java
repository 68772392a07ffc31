package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.circuitbreaker.CircuitBreaker.Metrics;
import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.RegistryEvent;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.tuple;

class CircuitBreakerTests {

	private final FakeTicker ticker = new FakeTicker(123_456_789L);

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private static final long MILLI = 1_000_000L;

	private static final long SECOND = 1_000 * MILLI;

	/** Window of 4 calls, all needed; opens at 50 %; 10 s open; 2 trial calls. */
	private static CircuitBreakerConfig.Builder config() {
		return CircuitBreakerConfig.builder()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.permittedNumberOfCallsInHalfOpenState(2);
	}

	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		return CircuitBreaker.of("backend", config.build(), this.ticker, this.scheduler);
	}

	private long start(CircuitBreaker breaker) {
		return breaker.requiresStartTime() ? this.ticker.read() : 0;
	}

	private void succeed(CircuitBreaker breaker) {
		breaker.acquirePermit().onSuccess(start(breaker), "ok");
	}

	private void fail(CircuitBreaker breaker) {
		fail(breaker, new IOException("boom"));
	}

	private void fail(CircuitBreaker breaker, Throwable failure) {
		breaker.acquirePermit().onFailure(start(breaker), failure);
	}

	/**
	 * A failing call that takes {@code duration}; moves the ticker only.
	 */
	private void failSlowly(CircuitBreaker breaker, Duration duration) {
		Permit permit = breaker.acquirePermit();
		long start = this.ticker.read();
		this.ticker.advance(duration);
		permit.onFailure(start, new IOException("slow boom"));
	}

	/**
	 * A call that takes {@code duration}; moves the ticker only (no scheduled task runs).
	 */
	private void succeedSlowly(CircuitBreaker breaker, Duration duration) {
		Permit permit = breaker.acquirePermit();
		long start = this.ticker.read();
		this.ticker.advance(duration);
		permit.onSuccess(start, "ok");
	}

	private void assertRejected(CircuitBreaker breaker, State state) {
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit)
			.satisfies((ex) -> {
				assertThat(ex.state()).isEqualTo(state);
				assertThat(ex.instanceName()).isEqualTo("backend");
			});
	}

	private CircuitBreaker openBreaker(CircuitBreakerConfig.Builder config) {
		CircuitBreaker breaker = breaker(config);
		for (int i = 0; i < 4; i++) {
			fail(breaker);
		}
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		return breaker;
	}

	private static List<CircuitBreakerEvent> record(CircuitBreaker breaker) {
		List<CircuitBreakerEvent> events = new ArrayList<>();
		breaker.events().onEvent(events::add);
		return events;
	}

	// Opening

	@Test
	void opensWhenFailureRateReachesThresholdInCountWindow() {
		CircuitBreaker breaker = breaker(config());
		succeed(breaker);
		fail(breaker);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertRejected(breaker, State.OPEN);
	}

	@Test
	void staysClosedBelowFailureRateThreshold() {
		CircuitBreaker breaker = breaker(config().failureRateThreshold(51));
		succeed(breaker);
		fail(breaker);
		succeed(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(breaker.metrics().failureRate()).isEqualTo(50.0f);
	}

	@Test
	void doesNotOpenBeforeMinimumNumberOfCalls() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(10).minimumNumberOfCalls(5));
		for (int i = 0; i < 4; i++) {
			fail(breaker);
		}
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(breaker.metrics().failureRate()).isEqualTo(-1.0f);
		assertThat(breaker.metrics().failedCalls()).isEqualTo(4);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void opensWhenMinimumIsReachedBySuccess() {
		CircuitBreaker breaker = breaker(config());
		fail(breaker);
		fail(breaker);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void minimumNumberOfCallsIsCappedByCountWindowSize() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(3).minimumNumberOfCalls(50));
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void countWindowForgetsTheOldestOutcome() {
		CircuitBreaker breaker = breaker(config().failureRateThreshold(40));
		fail(breaker);
		succeed(breaker);
		succeed(breaker);
		succeed(breaker);
		assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
		succeed(breaker);
		assertThat(breaker.metrics().failedCalls()).isZero();
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(4);
		fail(breaker);
		assertThat(breaker.metrics().failureRate()).isEqualTo(25.0f);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void opensWhenFailureRateReachesThresholdInTimeWindow() {
		CircuitBreaker breaker = breaker(
				config().slidingWindowType(SlidingWindowType.TIME_BASED).slidingWindowSize(10));
		succeed(breaker);
		fail(breaker);
		this.ticker.advance(Duration.ofSeconds(3));
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertThat(breaker.metrics().failureRate()).isEqualTo(50.0f);
	}

	@Test
	void timeWindowEvictsOutcomesOlderThanTheWindow() {
		CircuitBreaker breaker = breaker(
				config().slidingWindowType(SlidingWindowType.TIME_BASED).slidingWindowSize(2).minimumNumberOfCalls(2));
		fail(breaker);
		this.ticker.advance(Duration.ofSeconds(2));
		succeed(breaker);
		succeed(breaker);
		Metrics metrics = breaker.metrics();
		assertThat(metrics.bufferedCalls()).isEqualTo(2);
		assertThat(metrics.failedCalls()).isZero();
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void timeWindowKeepsOutcomesOfTheLastSeconds() {
		CircuitBreaker breaker = breaker(
				config().slidingWindowType(SlidingWindowType.TIME_BASED).slidingWindowSize(3).minimumNumberOfCalls(10));
		fail(breaker);
		this.ticker.advance(Duration.ofSeconds(1));
		succeed(breaker);
		this.ticker.advance(Duration.ofSeconds(1));
		succeed(breaker);
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(3);
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(2);
		assertThat(breaker.metrics().failedCalls()).isZero();
	}

	@Test
	void timeWindowRatesDecayWhenIdle() {
		CircuitBreaker breaker = breaker(config().slidingWindowType(SlidingWindowType.TIME_BASED)
			.slidingWindowSize(3)
			.minimumNumberOfCalls(3)
			.failureRateThreshold(60));
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		Metrics before = breaker.metrics();
		assertThat(before.bufferedCalls()).isEqualTo(3);
		assertThat(before.failureRate()).isCloseTo(66.67f, Offset.offset(0.01f));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		breaker.transitionTo(State.CLOSED);
		fail(breaker);
		succeed(breaker);
		this.ticker.advance(Duration.ofHours(5));
		Metrics after = breaker.metrics();
		assertThat(after.bufferedCalls()).isZero();
		assertThat(after.failedCalls()).isZero();
		assertThat(after.failureRate()).isEqualTo(-1.0f);
		succeed(breaker);
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
	}

	@Test
	void timeWindowOpensWhenOldSuccessesAreEvicted() {
		CircuitBreaker breaker = breaker(config().slidingWindowType(SlidingWindowType.TIME_BASED)
			.slidingWindowSize(2)
			.minimumNumberOfCalls(2)
			.failureRateThreshold(50));
		succeed(breaker);
		succeed(breaker);
		this.ticker.advance(Duration.ofSeconds(1));
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		this.ticker.advance(Duration.ofSeconds(1));
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	// Slow calls

	@Test
	void requiresStartTimeOnlyWhenSlowCallsAreTracked() {
		assertThat(breaker(config()).requiresStartTime()).isFalse();
		assertThat(breaker(config().slowCallDurationThreshold(Duration.ofSeconds(1))).requiresStartTime()).isTrue();
	}

	@Test
	void slowCallsOpenTheBreaker() {
		CircuitBreaker breaker = breaker(
				config().slowCallDurationThreshold(Duration.ofSeconds(1)).slowCallRateThreshold(50));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		succeedSlowly(breaker, Duration.ofSeconds(1));
		succeed(breaker);
		assertThat(breaker.metrics().slowCalls()).isEqualTo(1);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		succeedSlowly(breaker, Duration.ofMillis(1001));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		Metrics metrics = breaker.metrics();
		assertThat(metrics.slowCallRate()).isEqualTo(50.0f);
		assertThat(metrics.failureRate()).isZero();
		assertThat(metrics.totalSlowCalls()).isEqualTo(2);
		assertThat(metrics.totalSuccessfulCalls()).isEqualTo(4);
	}

	@Test
	void slowCallsAreNotTrackedWithoutThreshold() {
		CircuitBreaker breaker = breaker(config().slowCallRateThreshold(1));
		for (int i = 0; i < 4; i++) {
			succeedSlowly(breaker, Duration.ofMinutes(10));
		}
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(breaker.metrics().totalSlowCalls()).isZero();
	}

	@Test
	void slowFailuresCountAsFailedAndSlow() {
		CircuitBreaker breaker = breaker(config().slowCallDurationThreshold(Duration.ofSeconds(1)));
		Permit permit = breaker.acquirePermit();
		long start = this.ticker.read();
		this.ticker.advance(Duration.ofSeconds(5));
		permit.onFailure(start, new IOException());
		Metrics metrics = breaker.metrics();
		assertThat(metrics.failedCalls()).isEqualTo(1);
		assertThat(metrics.slowCalls()).isEqualTo(1);
		assertThat(metrics.totalFailedCalls()).isEqualTo(1);
		assertThat(metrics.totalSlowCalls()).isEqualTo(1);
	}

	// Exceptions and results

	@Test
	void ignoredExceptionsAreNeitherSuccessesNorFailures() {
		CircuitBreaker breaker = breaker(config().ignoreExceptions(IllegalStateException.class));
		for (int i = 0; i < 10; i++) {
			fail(breaker, new IllegalStateException());
		}
		Metrics metrics = breaker.metrics();
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(metrics.bufferedCalls()).isZero();
		assertThat(metrics.totalIgnoredCalls()).isEqualTo(10);
		assertThat(metrics.totalFailedCalls()).isZero();
		assertThat(metrics.totalSuccessfulCalls()).isZero();
	}

	@Test
	void ignoreWinsOverRecord() {
		CircuitBreaker breaker = breaker(
				config().recordExceptions(RuntimeException.class).ignoreExceptions(IllegalStateException.class));
		fail(breaker, new IllegalStateException());
		fail(breaker, new IllegalArgumentException());
		Metrics metrics = breaker.metrics();
		assertThat(metrics.totalIgnoredCalls()).isEqualTo(1);
		assertThat(metrics.totalFailedCalls()).isEqualTo(1);
		assertThat(metrics.bufferedCalls()).isEqualTo(1);
	}

	@Test
	void exceptionsNeitherRecordedNorIgnoredCountAsSuccesses() {
		CircuitBreaker breaker = breaker(config().recordExceptions(IOException.class));
		List<CircuitBreakerEvent> events = record(breaker);
		IllegalArgumentException validation = new IllegalArgumentException("bad input");
		for (int i = 0; i < 4; i++) {
			fail(breaker, validation);
		}
		Metrics metrics = breaker.metrics();
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(metrics.totalSuccessfulCalls()).isEqualTo(4);
		assertThat(metrics.bufferedCalls()).isEqualTo(4);
		assertThat(metrics.failedCalls()).isZero();
		assertThat(events).extracting(CircuitBreakerEvent::type, CircuitBreakerEvent::failure)
			.containsOnly(tuple(CircuitBreakerEvent.Type.SUCCESS, validation));
	}

	@Test
	void recordFailurePredicateSelectsFailures() {
		CircuitBreaker breaker = breaker(config().recordFailurePredicate((ex) -> ex.getMessage().startsWith("5")));
		fail(breaker, new IllegalStateException("503"));
		fail(breaker, new IllegalStateException("404"));
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(1);
		assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
	}

	@Test
	void causeChainOptionMatchesWrappedExceptions() {
		UncheckedIOException wrapped = new UncheckedIOException(new IOException());
		CircuitBreaker direct = breaker(config().ignoreExceptions(IOException.class));
		fail(direct, wrapped);
		assertThat(direct.metrics().totalFailedCalls()).isEqualTo(1);
		CircuitBreaker chained = breaker(config().ignoreExceptions(IOException.class).matchCauseChain(true));
		fail(chained, wrapped);
		assertThat(chained.metrics().totalIgnoredCalls()).isEqualTo(1);
		assertThat(chained.metrics().totalFailedCalls()).isZero();
	}

	@Test
	void recordResultPredicateCountsReturnedValuesAsFailures() {
		CircuitBreaker breaker = breaker(config().recordResult((result) -> result == null));
		List<CircuitBreakerEvent> events = record(breaker);
		for (int i = 0; i < 2; i++) {
			breaker.acquirePermit().onSuccess(0, "value");
			breaker.acquirePermit().onSuccess(0, null);
		}
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(2);
		assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(2);
		assertThat(events).filteredOn((event) -> event.type() == CircuitBreakerEvent.Type.ERROR)
			.hasSize(2)
			.allSatisfy((event) -> assertThat(event.failure()).isNull());
	}

	@Test
	void failingResultPredicateReleasesTheTrialSlot() {
		CircuitBreaker breaker = breaker(config().recordResult((result) -> {
			throw new IllegalStateException("broken predicate");
		}));
		breaker.transitionTo(State.HALF_OPEN);
		for (int i = 0; i < 5; i++) {
			// Counted as ignored, so the trial slot goes back; the call's result stands.
			breaker.acquirePermit().onSuccess(0, "x");
		}
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.metrics().totalIgnoredCalls()).isEqualTo(5);
	}

	@Test
	void failureMustNotBeNull() {
		CircuitBreaker breaker = breaker(config());
		assertThatNullPointerException().isThrownBy(() -> breaker.acquirePermit().onFailure(0, null));
	}

	// Open and half-open

	@Test
	void goesHalfOpenLazilyOnFirstCallAfterTheWait() {
		CircuitBreaker breaker = openBreaker(config());
		this.scheduler.advance(Duration.ofSeconds(10).minusNanos(1));
		assertRejected(breaker, State.OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertThat(this.scheduler.pendingTasks()).isZero();
		breaker.acquirePermit();
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void goesHalfOpenByItselfWithAutomaticTransition() {
		CircuitBreaker breaker = openBreaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		this.scheduler.advance(Duration.ofSeconds(10).minusNanos(1));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void automaticTransitionIsCancelledWhenTheOpenStateIsLeftEarlier() {
		CircuitBreaker breaker = openBreaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		breaker.transitionTo(State.FORCED_OPEN);
		assertThat(this.scheduler.pendingTasks()).isZero();
		this.scheduler.advance(Duration.ofMinutes(1));
		assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
	}

	@Test
	void halfOpenAdmitsExactlyThePermittedTrialCallsAndCloses() {
		CircuitBreaker breaker = openBreaker(config().permittedNumberOfCallsInHalfOpenState(3));
		this.ticker.advance(Duration.ofSeconds(10));
		Permit first = breaker.acquirePermit();
		Permit second = breaker.acquirePermit();
		Permit third = breaker.acquirePermit();
		assertRejected(breaker, State.HALF_OPEN);
		first.onSuccess(0, null);
		second.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertRejected(breaker, State.HALF_OPEN);
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(2);
		third.onFailure(0, new IOException());
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(breaker.metrics().notPermittedCalls()).isZero();
	}

	@Test
	void halfOpenReopensWhenTrialFailureRateReachesThreshold() {
		CircuitBreaker breaker = openBreaker(config());
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertThat(breaker.metrics().failureRate()).isEqualTo(50.0f);
	}

	@Test
	void halfOpenReopensWhenTrialSlowRateReachesThreshold() {
		CircuitBreaker breaker = openBreaker(config().slowCallDurationThreshold(Duration.ofSeconds(1)));
		this.ticker.advance(Duration.ofSeconds(10));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void releasedTrialPermitFreesItsSlot() {
		CircuitBreaker breaker = openBreaker(config());
		this.ticker.advance(Duration.ofSeconds(10));
		Permit first = breaker.acquirePermit();
		Permit second = breaker.acquirePermit();
		assertRejected(breaker, State.HALF_OPEN);
		second.release();
		Permit third = breaker.acquirePermit();
		first.onSuccess(0, null);
		third.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void ignoredTrialOutcomeFreesItsSlot() {
		CircuitBreaker breaker = openBreaker(config().ignoreExceptions(IllegalStateException.class));
		this.ticker.advance(Duration.ofSeconds(10));
		Permit first = breaker.acquirePermit();
		breaker.acquirePermit().onFailure(0, new IllegalStateException());
		Permit third = breaker.acquirePermit();
		first.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		third.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void openWaitGrowsOnConsecutiveOpensUpToTheCapAndResetsOnClose() {
		CircuitBreaker breaker = openBreaker(config().waitDurationInOpenStateMultiplier(2)
			.maxWaitDurationInOpenState(Duration.ofSeconds(30))
			.permittedNumberOfCallsInHalfOpenState(1));
		assertOpenFor(breaker, Duration.ofSeconds(10));
		fail(breaker);
		assertOpenFor(breaker, Duration.ofSeconds(20));
		fail(breaker);
		assertOpenFor(breaker, Duration.ofSeconds(30));
		fail(breaker);
		assertOpenFor(breaker, Duration.ofSeconds(30));
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		for (int i = 0; i < 4; i++) {
			fail(breaker);
		}
		assertOpenFor(breaker, Duration.ofSeconds(10));
	}

	/** Asserts the breaker stays open exactly {@code wait}, then takes it half-open. */
	private void assertOpenFor(CircuitBreaker breaker, Duration wait) {
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		this.ticker.advance(wait.minusNanos(1));
		assertRejected(breaker, State.OPEN);
		this.ticker.advance(1);
		breaker.acquirePermit().release();
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void halfOpenGoesBackToOpenAfterMaxWaitViaTheScheduler() {
		CircuitBreaker breaker = openBreaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		this.ticker.advance(Duration.ofSeconds(10));
		Permit stuck = breaker.acquirePermit();
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		this.scheduler.advance(Duration.ofSeconds(5).minusNanos(1));
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		stuck.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void halfOpenGoesBackToOpenAfterMaxWaitOnNextCall() {
		CircuitBreaker breaker = openBreaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		this.ticker.advance(Duration.ofSeconds(10));
		breaker.acquirePermit();
		this.ticker.advance(Duration.ofSeconds(5));
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertRejected(breaker, State.OPEN);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void halfOpenExpiryOpensAsTheNextOpeningOfTheStreak() {
		CircuitBreaker breaker = openBreaker(
				config().waitDurationInOpenStateMultiplier(2).maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		assertOpenFor(breaker, Duration.ofSeconds(10));
		this.scheduler.advance(Duration.ofSeconds(5));
		assertOpenFor(breaker, Duration.ofSeconds(20));
	}

	@Test
	void halfOpenExpiryTaskIsCancelledWhenTrialsDecide() {
		CircuitBreaker breaker = openBreaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void halfOpenStaysUntilTrialsCompleteWithoutMaxWait() {
		CircuitBreaker breaker = openBreaker(config());
		this.ticker.advance(Duration.ofSeconds(10));
		breaker.acquirePermit();
		breaker.acquirePermit();
		this.scheduler.advance(Duration.ofDays(3));
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	// Stale permits

	@Test
	void permitFromClosedStateIsNotCountedAfterTheBreakerMovedOn() {
		CircuitBreaker breaker = breaker(config().permittedNumberOfCallsInHalfOpenState(1));
		Permit stale = breaker.acquirePermit();
		for (int i = 0; i < 4; i++) {
			fail(breaker);
		}
		this.ticker.advance(Duration.ofSeconds(10));
		Permit trial = breaker.acquirePermit();
		stale.onFailure(0, new IOException());
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(5);
		trial.onSuccess(0, null);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void permitFromHalfOpenStateIsNotCountedAfterTheBreakerClosed() {
		CircuitBreaker breaker = openBreaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(1)));
		this.ticker.advance(Duration.ofSeconds(10));
		Permit stale = breaker.acquirePermit();
		this.scheduler.advance(Duration.ofSeconds(1));
		breaker.transitionTo(State.CLOSED);
		stale.onFailure(0, new IOException());
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(breaker.metrics().failedCalls()).isZero();
	}

	@Test
	void permitIssuedBeforeWindowRebuildIsNotCounted() {
		CircuitBreaker breaker = breaker(config());
		Permit stale = breaker.acquirePermit();
		breaker.reconfigure(config().slidingWindowSize(8).build());
		stale.onFailure(0, new IOException());
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(1);
	}

	// Manual control

	@Test
	void forcedOpenRejectsEveryCallUntilManualTransition() {
		CircuitBreaker breaker = breaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		breaker.transitionTo(State.FORCED_OPEN);
		for (int i = 0; i < 3; i++) {
			assertRejected(breaker, State.FORCED_OPEN);
		}
		this.scheduler.advance(Duration.ofDays(1));
		assertRejected(breaker, State.FORCED_OPEN);
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(4);
		assertThat(breaker.metrics().totalNotPermittedCalls()).isEqualTo(4);
		breaker.transitionTo(State.CLOSED);
		succeed(breaker);
		assertThat(breaker.metrics().notPermittedCalls()).isZero();
		assertThat(breaker.metrics().totalNotPermittedCalls()).isEqualTo(4);
	}

	@Test
	void disabledPermitsEveryCallAndRecordsNothingButTotals() {
		CircuitBreaker breaker = breaker(config().slowCallDurationThreshold(Duration.ofSeconds(1)));
		breaker.transitionTo(State.DISABLED);
		for (int i = 0; i < 10; i++) {
			fail(breaker);
		}
		succeedSlowly(breaker, Duration.ofSeconds(3));
		Metrics metrics = breaker.metrics();
		assertThat(metrics.state()).isEqualTo(State.DISABLED);
		assertThat(metrics.bufferedCalls()).isZero();
		assertThat(metrics.failureRate()).isEqualTo(-1.0f);
		assertThat(metrics.totalFailedCalls()).isEqualTo(10);
		assertThat(metrics.totalSuccessfulCalls()).isEqualTo(1);
		assertThat(metrics.totalSlowCalls()).isEqualTo(1);
	}

	@Test
	void everyManualTransitionIsAllowed() {
		CircuitBreaker breaker = breaker(config());
		for (State from : State.values()) {
			for (State to : State.values()) {
				breaker.transitionTo(from);
				breaker.transitionTo(to);
				assertThat(breaker.state()).isEqualTo(to);
			}
		}
	}

	@Test
	void manualTransitionStartsWithAnEmptyWindow() {
		CircuitBreaker breaker = breaker(config());
		fail(breaker);
		fail(breaker);
		breaker.transitionTo(State.CLOSED);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void manualTransitionToOpenWaitsTheBaseDuration() {
		CircuitBreaker breaker = breaker(config());
		breaker.transitionTo(State.OPEN);
		assertOpenFor(breaker, Duration.ofSeconds(10));
	}

	@Test
	void manualTransitionToOpenEndsByItselfWithAutomaticTransition() {
		CircuitBreaker breaker = breaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		breaker.transitionTo(State.OPEN);
		this.scheduler.advance(Duration.ofSeconds(10).minusNanos(1));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void manualTransitionToHalfOpenFailingTrialsOpenForTheBaseWait() {
		CircuitBreaker breaker = breaker(
				config().waitDurationInOpenStateMultiplier(2).permittedNumberOfCallsInHalfOpenState(1));
		breaker.transitionTo(State.HALF_OPEN);
		fail(breaker);
		assertOpenFor(breaker, Duration.ofSeconds(10));
	}

	@Test
	void manualTransitionToHalfOpenStartsItsTimeLimit() {
		CircuitBreaker breaker = breaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		breaker.transitionTo(State.HALF_OPEN);
		this.scheduler.advance(Duration.ofSeconds(5).minusNanos(1));
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void automaticTransitionsFollowTheTable() {
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.CLOSED, State.OPEN)).isTrue();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.OPEN, State.HALF_OPEN)).isTrue();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.HALF_OPEN, State.OPEN)).isTrue();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.HALF_OPEN, State.CLOSED)).isTrue();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.OPEN, State.CLOSED)).isFalse();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.CLOSED, State.HALF_OPEN)).isFalse();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.FORCED_OPEN, State.HALF_OPEN)).isFalse();
		assertThat(DefaultCircuitBreaker.isAutomaticTransition(State.DISABLED, State.OPEN)).isFalse();
	}

	@Test
	void resetClosesAndZeroesEverything() {
		CircuitBreaker breaker = openBreaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		assertRejected(breaker, State.OPEN);
		breaker.reset();
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(breaker.metrics())
			.isEqualTo(new Metrics(State.CLOSED, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
		fail(breaker);
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
	}

	// Metrics

	@Test
	void callsAreTimedByOutcomeWhileSlowCallTrackingIsOn() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(10)
			.slowCallDurationThreshold(Duration.ofSeconds(5))
			.ignoreExceptions(IllegalStateException.class));
		succeedSlowly(breaker, Duration.ofMillis(300));
		succeedSlowly(breaker, Duration.ofMillis(200));
		failSlowly(breaker, Duration.ofSeconds(7));
		Permit ignored = breaker.acquirePermit();
		long start = this.ticker.read();
		this.ticker.advance(Duration.ofMillis(40));
		ignored.onFailure(start, new IllegalStateException("ignored"));
		Metrics metrics = breaker.metrics();
		assertThat(metrics.totalSuccessfulCallNanos()).isEqualTo(500 * MILLI);
		assertThat(metrics.totalFailedCallNanos()).isEqualTo(7 * SECOND);
		assertThat(metrics.totalIgnoredCallNanos()).isEqualTo(40 * MILLI);
		breaker.reset();
		assertThat(breaker.metrics().totalSuccessfulCallNanos()).isZero();
	}

	@Test
	void withoutSlowCallTrackingCallsAreCountedButNotTimed() {
		CircuitBreaker breaker = breaker(config());
		succeedSlowly(breaker, Duration.ofSeconds(3));
		assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
		assertThat(breaker.metrics().totalSuccessfulCallNanos()).isZero();
	}

	@Test
	void aCountWindowSplitsItsSlowCallsIntoSuccessfulAndFailedAndForgetsThoseThatLeaveIt() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(3)
			.minimumNumberOfCalls(3)
			.failureRateThreshold(100)
			.slowCallRateThreshold(100)
			.slowCallDurationThreshold(Duration.ofSeconds(1)));
		failSlowly(breaker, Duration.ofSeconds(2));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		fail(breaker);
		Metrics metrics = breaker.metrics();
		assertThat(metrics.slowCalls()).isEqualTo(2);
		assertThat(metrics.slowFailedCalls()).isEqualTo(1);
		assertThat(metrics.slowSuccessfulCalls()).isEqualTo(1);
		assertThat(metrics.failedCalls()).isEqualTo(2);
		assertThat(metrics.successfulCalls()).isEqualTo(1);
		// The slow failure is the oldest outcome: a success overwrites it.
		succeed(breaker);
		metrics = breaker.metrics();
		assertThat(metrics.slowFailedCalls()).isZero();
		assertThat(metrics.slowSuccessfulCalls()).isEqualTo(1);
		assertThat(metrics.successfulCalls()).isEqualTo(2);
	}

	@Test
	void aTimeWindowSplitsItsSlowCallsAndEvictsThemWithTheirSecond() {
		CircuitBreaker breaker = breaker(config().slidingWindowType(SlidingWindowType.TIME_BASED)
			.slidingWindowSize(10)
			.minimumNumberOfCalls(10)
			.slowCallDurationThreshold(Duration.ofSeconds(1)));
		failSlowly(breaker, Duration.ofSeconds(2));
		failSlowly(breaker, Duration.ofSeconds(2));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		fail(breaker);
		Metrics metrics = breaker.metrics();
		assertThat(metrics.bufferedCalls()).isEqualTo(4);
		assertThat(metrics.slowFailedCalls()).isEqualTo(2);
		assertThat(metrics.slowSuccessfulCalls()).isEqualTo(1);
		this.ticker.advance(Duration.ofSeconds(20));
		metrics = breaker.metrics();
		assertThat(metrics.bufferedCalls()).isZero();
		assertThat(metrics.slowFailedCalls()).isZero();
	}

	@Test
	void halfOpenTrialsSplitTheirSlowCalls() {
		CircuitBreaker breaker = openBreaker(
				config().permittedNumberOfCallsInHalfOpenState(3).slowCallDurationThreshold(Duration.ofSeconds(1)));
		breaker.transitionTo(State.HALF_OPEN);
		failSlowly(breaker, Duration.ofSeconds(2));
		succeedSlowly(breaker, Duration.ofSeconds(2));
		Metrics metrics = breaker.metrics();
		assertThat(metrics.state()).isEqualTo(State.HALF_OPEN);
		assertThat(metrics.slowFailedCalls()).isEqualTo(1);
		assertThat(metrics.slowSuccessfulCalls()).isEqualTo(1);
		assertThat(metrics.successfulCalls()).isEqualTo(1);
	}

	@Test
	void metricsSnapshotReportsEveryField() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(5)
			.minimumNumberOfCalls(5)
			.failureRateThreshold(80)
			.slowCallDurationThreshold(Duration.ofSeconds(1))
			.ignoreExceptions(IllegalStateException.class));
		succeed(breaker);
		succeedSlowly(breaker, Duration.ofSeconds(2));
		fail(breaker);
		fail(breaker, new IllegalStateException());
		assertThat(breaker.metrics())
			.isEqualTo(new Metrics(State.CLOSED, -1, -1, 3, 1, 1, 0, 0, 2, 1, 1, 0, 1, 2 * SECOND, 0, 0));
		fail(breaker);
		succeed(breaker);
		assertThat(breaker.metrics())
			.isEqualTo(new Metrics(State.CLOSED, 40, 20, 5, 2, 1, 0, 0, 3, 2, 1, 0, 1, 2 * SECOND, 0, 0));
		breaker.transitionTo(State.FORCED_OPEN);
		assertRejected(breaker, State.FORCED_OPEN);
		assertThat(breaker.metrics())
			.isEqualTo(new Metrics(State.FORCED_OPEN, -1, -1, 0, 0, 0, 0, 1, 3, 2, 1, 1, 1, 2 * SECOND, 0, 0));
	}

	@Test
	void openStateShowsTheFiguresThatOpenedIt() {
		CircuitBreaker breaker = breaker(config());
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		fail(breaker);
		Metrics metrics = breaker.metrics();
		assertThat(metrics.state()).isEqualTo(State.OPEN);
		assertThat(metrics.failureRate()).isEqualTo(75.0f);
		assertThat(metrics.bufferedCalls()).isEqualTo(4);
		assertThat(metrics.failedCalls()).isEqualTo(3);
		assertRejected(breaker, State.OPEN);
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(1);
	}

	// Events

	@Test
	void publishesEventsForOutcomesRejectionsAndTransitions() {
		CircuitBreaker breaker = breaker(
				config().ignoreExceptions(IllegalStateException.class).permittedNumberOfCallsInHalfOpenState(1));
		List<CircuitBreakerEvent> events = record(breaker);
		IOException boom = new IOException("boom");
		IllegalStateException ignored = new IllegalStateException();
		succeed(breaker);
		fail(breaker, ignored);
		fail(breaker, boom);
		fail(breaker, boom);
		fail(breaker, boom);
		assertRejected(breaker, State.OPEN);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		breaker.reset();
		assertThat(events)
			.extracting(CircuitBreakerEvent::type, CircuitBreakerEvent::failure, CircuitBreakerEvent::fromState,
					CircuitBreakerEvent::toState)
			.containsExactly(tuple(CircuitBreakerEvent.Type.SUCCESS, null, null, null),
					tuple(CircuitBreakerEvent.Type.IGNORED_ERROR, ignored, null, null),
					tuple(CircuitBreakerEvent.Type.ERROR, boom, null, null),
					tuple(CircuitBreakerEvent.Type.ERROR, boom, null, null),
					tuple(CircuitBreakerEvent.Type.ERROR, boom, null, null),
					tuple(CircuitBreakerEvent.Type.STATE_TRANSITION, null, State.CLOSED, State.OPEN),
					tuple(CircuitBreakerEvent.Type.NOT_PERMITTED, null, null, null),
					tuple(CircuitBreakerEvent.Type.STATE_TRANSITION, null, State.OPEN, State.HALF_OPEN),
					tuple(CircuitBreakerEvent.Type.SUCCESS, null, null, null),
					tuple(CircuitBreakerEvent.Type.STATE_TRANSITION, null, State.HALF_OPEN, State.CLOSED),
					tuple(CircuitBreakerEvent.Type.RESET, null, State.CLOSED, State.CLOSED));
		assertThat(events).allSatisfy((event) -> {
			assertThat(event.primitive()).isEqualTo("circuitbreaker");
			assertThat(event.instanceName()).isEqualTo("backend");
			assertThat(event.durationNanos()).isEqualTo(-1);
		});
		assertThat(events.get(5)).hasToString("circuitbreaker 'backend' STATE_TRANSITION CLOSED -> OPEN");
	}

	@Test
	void outcomeEventsCarryTheDurationWhenSlowCallsAreTracked() {
		CircuitBreaker breaker = breaker(config().slowCallDurationThreshold(Duration.ofSeconds(1)));
		List<CircuitBreakerEvent> events = record(breaker);
		succeedSlowly(breaker, Duration.ofMillis(1500));
		assertThat(events).singleElement().satisfies((event) -> {
			assertThat(event.type()).isEqualTo(CircuitBreakerEvent.Type.SUCCESS);
			assertThat(event.durationNanos()).isEqualTo(1_500_000_000L);
		});
	}

	@Test
	void publishesNothingOnceTheListenerIsRemoved() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = new ArrayList<>();
		EventPublisher.Subscription subscription = breaker.events().onEvent(events::add);
		succeed(breaker);
		subscription.close();
		assertThat(breaker.events().hasListeners()).isFalse();
		for (int i = 0; i < 3; i++) {
			fail(breaker);
		}
		assertRejected(breaker, State.OPEN);
		assertThat(events).hasSize(1);
	}

	@Test
	void failingListenerDoesNotFailTheCall() {
		CircuitBreaker breaker = breaker(config());
		breaker.events().onEvent((event) -> {
			throw new IllegalStateException("listener bug");
		});
		succeed(breaker);
		assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
	}

	// Reconfiguration

	@Test
	void reconfigureKeepsTheOpenStateUntilItsWaitEnds() {
		CircuitBreaker breaker = openBreaker(config());
		breaker.reconfigure(config().waitDurationInOpenState(Duration.ofSeconds(1)).build());
		this.ticker.advance(Duration.ofSeconds(5));
		assertRejected(breaker, State.OPEN);
		this.ticker.advance(Duration.ofSeconds(5));
		breaker.acquirePermit();
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void reconfigureKeepsTheClosedWindowWhenItsShapeIsUnchanged() {
		CircuitBreaker breaker = breaker(config().failureRateThreshold(90));
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		CircuitBreakerConfig lower = config().failureRateThreshold(50).build();
		breaker.reconfigure(lower);
		assertThat(breaker.config()).isSameAs(lower);
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(3);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void aLoweredMinimumNumberOfCallsAppliesFromTheNextCall() {
		CircuitBreaker breaker = breaker(config().slidingWindowSize(10).minimumNumberOfCalls(10));
		succeed(breaker);
		for (int i = 0; i < 5; i++) {
			fail(breaker);
		}
		// 83 % failures, but fewer calls than the minimum of 10.
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		breaker.reconfigure(config().slidingWindowSize(10).minimumNumberOfCalls(5).build());
		succeed(breaker);
		// 5 of 7 failed: 71 % against 50 %, with the minimum now reached.
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void aLoweredThresholdAppliesFromTheNextCallEvenASuccess() {
		CircuitBreaker breaker = breaker(config().failureRateThreshold(90));
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		breaker.reconfigure(config().failureRateThreshold(50).build());
		// Overwrites the oldest success with a success: the rate stays at 50 %.
		succeed(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void reconfigureRebuildsTheClosedWindowWhenItsShapeChanges() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = record(breaker);
		fail(breaker);
		fail(breaker);
		breaker.reconfigure(config().slidingWindowType(SlidingWindowType.TIME_BASED).build());
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(breaker.metrics().bufferedCalls()).isZero();
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.CLOSED);
		assertThat(events).noneMatch((event) -> event.type() == CircuitBreakerEvent.Type.STATE_TRANSITION);
	}

	@Test
	void reconfigureSchedulesTheTransitionWhenAutomaticTransitionIsTurnedOn() {
		CircuitBreaker breaker = openBreaker(config());
		this.ticker.advance(Duration.ofSeconds(4));
		breaker.reconfigure(config().automaticTransitionFromOpenToHalfOpenEnabled(true).build());
		this.scheduler.advance(Duration.ofSeconds(6).minusNanos(1));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		this.scheduler.advance(1);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void reconfigureCancelsTheTransitionWhenAutomaticTransitionIsTurnedOff() {
		CircuitBreaker breaker = openBreaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		breaker.reconfigure(config().build());
		assertThat(this.scheduler.pendingTasks()).isZero();
		this.scheduler.advance(Duration.ofSeconds(20));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	@Test
	void reconfigureAppliesSlowCallTrackingToNextCalls() {
		CircuitBreaker breaker = breaker(config());
		assertThat(breaker.requiresStartTime()).isFalse();
		breaker.reconfigure(config().slowCallDurationThreshold(Duration.ofMillis(1)).build());
		assertThat(breaker.requiresStartTime()).isTrue();
	}

	// Misc

	@Test
	void rejectionHasNoStackTrace() {
		CircuitBreaker breaker = openBreaker(config());
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit)
			.satisfies((ex) -> {
				assertThat(ex.getStackTrace()).isEmpty();
				assertThat(ex.isRejection()).isTrue();
				assertThat(ex).hasMessage("CircuitBreaker 'backend' is OPEN and does not permit further calls");
			});
	}

	@Test
	void closedBreakerHandsOutTheSamePermitWithoutAllocating() {
		CircuitBreaker breaker = breaker(config());
		assertThat(breaker.acquirePermit()).isSameAs(breaker.acquirePermit());
	}

	@ParameterizedTest
	@EnumSource(SlidingWindowType.class)
	void successPathAllocatesNothingWithoutListeners(SlidingWindowType type) {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		// A JVM that cannot count per-thread allocation fails this test rather than
		// skipping it.
		assertThat(threads).as("the JVM's thread bean").isInstanceOf(com.sun.management.ThreadMXBean.class);
		com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
		assertThat(allocations.isThreadAllocatedMemorySupported() && allocations.isThreadAllocatedMemoryEnabled())
			.as("per-thread allocation counting is supported and enabled")
			.isTrue();
		CircuitBreaker breaker = breaker(
				config().slidingWindowType(type).slidingWindowSize(100).minimumNumberOfCalls(100));
		Object result = "ok";
		for (int i = 0; i < 20_000; i++) {
			breaker.acquirePermit().onSuccess(0, result);
		}
		long threadId = Thread.currentThread().getId();
		long before = allocations.getThreadAllocatedBytes(threadId);
		for (int i = 0; i < 100_000; i++) {
			breaker.acquirePermit().onSuccess(0, result);
		}
		long allocated = allocations.getThreadAllocatedBytes(threadId) - before;
		// A few bytes of slack for the measurement itself, far below one byte per call.
		assertThat(allocated).isLessThan(1_000);
	}

	@Test
	void toStringNamesTheBreakerAndItsState() {
		assertThat(breaker(config())).hasToString("CircuitBreaker[name=backend, state=CLOSED]");
	}

	// Registry

	@Test
	void registryGetsOrCreatesInstances() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config().build(), this.ticker, this.scheduler);
		CircuitBreaker first = registry.instance("a");
		assertThat(registry.instance("a")).isSameAs(first);
		assertThat(first.name()).isEqualTo("a");
		assertThat(first.config()).isSameAs(registry.defaultConfig());
		assertThat(registry.find("a")).containsSame(first);
		assertThat(registry.find("b")).isEmpty();
		assertThat(registry.all()).containsExactly(first);
	}

	@Test
	void registryCreatesFromNamedConfigurations() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config().build(), this.ticker, this.scheduler);
		CircuitBreakerConfig strict = CircuitBreakerConfig.from(registry.defaultConfig())
			.failureRateThreshold(10)
			.build();
		registry.addConfig("strict", strict);
		assertThat(registry.instance("payments", "strict").config()).isSameAs(strict);
	}

	@Test
	void registryInstancesUseTheRegistryClock() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config().build(), this.ticker, this.scheduler);
		CircuitBreaker breaker = registry.instance("a");
		for (int i = 0; i < 4; i++) {
			breaker.acquirePermit().onFailure(0, new IOException());
		}
		this.ticker.advance(Duration.ofSeconds(10));
		breaker.acquirePermit();
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void registryReplacesConfigurationInPlaceAndKeepsState() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config().build(), this.ticker, this.scheduler);
		List<RegistryEvent<CircuitBreaker>> events = new ArrayList<>();
		registry.events().onEvent(events::add);
		CircuitBreaker breaker = registry.instance("a");
		breaker.transitionTo(State.OPEN);
		CircuitBreakerConfig replacement = config().failureRateThreshold(20).build();
		assertThat(registry.replaceConfig("a", replacement)).isSameAs(breaker);
		assertThat(breaker.config()).isSameAs(replacement);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		assertThat(registry.remove("a")).containsSame(breaker);
		assertThat(registry.find("a")).isEmpty();
		assertThat(events).extracting(RegistryEvent::type, RegistryEvent::instance)
			.containsExactly(tuple(RegistryEvent.Type.ADDED, breaker), tuple(RegistryEvent.Type.REPLACED, breaker),
					tuple(RegistryEvent.Type.REMOVED, breaker));
	}

	@Test
	void registryOfDefaultsUsesTheDefaultConfiguration() {
		assertThat(CircuitBreakerRegistry.ofDefaults().defaultConfig()).isSameAs(CircuitBreakerConfig.ofDefaults());
		assertThat(CircuitBreakerRegistry.of(CircuitBreakerConfig.ofDefaults()).instance("x").state())
			.isEqualTo(State.CLOSED);
	}

}
