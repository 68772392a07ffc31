package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Cause;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Figures;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Type;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What a state change says about itself: the cause and the figures that decided it, on
 * {@link CircuitBreaker#events()} and on {@link CircuitBreaker#stateEvents()}, for every
 * path through the state machine.
 */
class CircuitBreakerTransitionCauseTests {

	private static final long TEN_SECONDS = Duration.ofSeconds(10).toNanos();

	private final FakeTicker ticker = new FakeTicker(987_654_321L);

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	/** Window of 4 calls, all needed; opens at 50 %; 10 s open; 2 trial calls. */
	private static CircuitBreakerConfig.Builder config() {
		return CircuitBreakerConfig.builder()
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.failureRateThreshold(50)
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.permittedNumberOfCallsInHalfOpenState(2);
	}

	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		return CircuitBreaker.of("backend", config.build(), this.ticker, this.scheduler);
	}

	private static List<CircuitBreakerEvent> stateEvents(CircuitBreaker breaker) {
		List<CircuitBreakerEvent> events = new ArrayList<>();
		breaker.stateEvents().onEvent(events::add);
		return events;
	}

	private static List<CircuitBreakerEvent> transitions(CircuitBreaker breaker) {
		List<CircuitBreakerEvent> events = new ArrayList<>();
		breaker.events().onEvent((event) -> {
			if (event.type() == Type.STATE_TRANSITION || event.type() == Type.RESET) {
				events.add(event);
			}
		});
		return events;
	}

	private void succeed(CircuitBreaker breaker) {
		breaker.acquirePermit().onSuccess(breaker.startTime(), "ok");
	}

	private void fail(CircuitBreaker breaker) {
		breaker.acquirePermit().onFailure(breaker.startTime(), new IOException("boom"));
	}

	private void succeedSlowly(CircuitBreaker breaker) {
		Permit permit = breaker.acquirePermit();
		long start = this.ticker.read();
		this.ticker.advance(Duration.ofSeconds(2));
		permit.onSuccess(start, "ok");
	}

	private static void assertRejected(CircuitBreaker breaker) {
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
	}

	private void open(CircuitBreaker breaker) {
		succeed(breaker);
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	private static CircuitBreakerEvent last(List<CircuitBreakerEvent> events) {
		assertThat(events).isNotEmpty();
		return events.get(events.size() - 1);
	}

	@ParameterizedTest
	@EnumSource(SlidingWindowType.class)
	void closedToOpenByFailureRateCarriesTheWindowThatDecided(SlidingWindowType type) {
		CircuitBreaker breaker = breaker(config().slidingWindowType(type).slidingWindowSize(60));
		List<CircuitBreakerEvent> events = transitions(breaker);
		succeed(breaker);
		succeed(breaker);
		fail(breaker);
		fail(breaker);
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.CLOSED);
		assertThat(event.toState()).isEqualTo(State.OPEN);
		assertThat(event.cause()).isEqualTo(Cause.FAILURE_RATE);
		assertThat(event.waitNanos()).isEqualTo(TEN_SECONDS);
		Figures figures = event.figures();
		assertThat(figures).isNotNull();
		assertThat(figures.failureRate()).isEqualTo(50.0f);
		assertThat(figures.calls()).isEqualTo(4);
		assertThat(figures.failedCalls()).isEqualTo(2);
		assertThat(figures.slowCalls()).isZero();
		assertThat(figures.minimumNumberOfCalls()).isEqualTo(4);
		assertThat(figures.failureRateThreshold()).isEqualTo(50.0f);
		assertThat(figures.slowCallDurationThreshold()).isNull();
		assertThat(figures.slowCallRate()).isEqualTo(0.0f);
		assertThat(figures.failureRateReached()).isTrue();
		assertThat(figures.slowCallRateReached()).isFalse();
	}

	@Test
	void closedToOpenByFailureRateCountsOnlyTheWindowNotEarlierCalls() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = transitions(breaker);
		for (int i = 0; i < 10; i++) {
			succeed(breaker);
		}
		fail(breaker);
		fail(breaker);
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		Figures figures = last(events).figures();
		assertThat(figures).isNotNull();
		assertThat(figures.calls()).isEqualTo(4);
		assertThat(figures.failedCalls()).isEqualTo(2);
		assertThat(figures.failureRate()).isEqualTo(50.0f);
	}

	@Test
	void closedToOpenBySlowCallRateNamesTheSlowCallRate() {
		CircuitBreaker breaker = breaker(
				config().slowCallDurationThreshold(Duration.ofSeconds(1)).slowCallRateThreshold(50));
		List<CircuitBreakerEvent> events = transitions(breaker);
		succeed(breaker);
		succeed(breaker);
		succeedSlowly(breaker);
		succeedSlowly(breaker);
		CircuitBreakerEvent event = last(events);
		assertThat(event.toState()).isEqualTo(State.OPEN);
		assertThat(event.cause()).isEqualTo(Cause.SLOW_CALL_RATE);
		Figures figures = event.figures();
		assertThat(figures).isNotNull();
		assertThat(figures.slowCallRate()).isEqualTo(50.0f);
		assertThat(figures.slowCalls()).isEqualTo(2);
		assertThat(figures.failureRate()).isEqualTo(0.0f);
		assertThat(figures.slowCallRateThreshold()).isEqualTo(50.0f);
		assertThat(figures.slowCallDurationThreshold()).isEqualTo(Duration.ofSeconds(1));
		assertThat(figures.slowCallRateReached()).isTrue();
		assertThat(figures.failureRateReached()).isFalse();
	}

	@Test
	void openToHalfOpenOnTheFirstCallAfterTheWaitSaysTheWaitElapsed() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		breaker.acquirePermit().release();
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.OPEN);
		assertThat(event.toState()).isEqualTo(State.HALF_OPEN);
		assertThat(event.cause()).isEqualTo(Cause.OPEN_WAIT_ELAPSED);
		assertThat(event.figures()).isNull();
		assertThat(event.waitNanos()).isEqualTo(-1);
	}

	@Test
	void openToHalfOpenByTheSchedulerSaysTheWaitElapsed() {
		CircuitBreaker breaker = breaker(config().automaticTransitionFromOpenToHalfOpenEnabled(true));
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(last(events).cause()).isEqualTo(Cause.OPEN_WAIT_ELAPSED);
	}

	@Test
	void halfOpenToOpenByFailingTrialsCarriesTheTrialFigures() {
		CircuitBreaker breaker = breaker(config().waitDurationInOpenStateMultiplier(2));
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		fail(breaker);
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.HALF_OPEN);
		assertThat(event.toState()).isEqualTo(State.OPEN);
		assertThat(event.cause()).isEqualTo(Cause.FAILURE_RATE);
		// The second opening of the streak waits twice as long.
		assertThat(event.waitNanos()).isEqualTo(2 * TEN_SECONDS);
		Figures figures = event.figures();
		assertThat(figures).isNotNull();
		assertThat(figures.calls()).isEqualTo(2);
		assertThat(figures.failedCalls()).isEqualTo(1);
		assertThat(figures.failureRate()).isEqualTo(50.0f);
		assertThat(figures.minimumNumberOfCalls()).isEqualTo(2);
	}

	@Test
	void halfOpenToOpenBySlowTrialsNamesTheSlowCallRate() {
		CircuitBreaker breaker = breaker(
				config().slowCallDurationThreshold(Duration.ofSeconds(1)).slowCallRateThreshold(50));
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		succeedSlowly(breaker);
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.HALF_OPEN);
		assertThat(event.cause()).isEqualTo(Cause.SLOW_CALL_RATE);
		assertThat(event.figures()).isNotNull();
		assertThat(event.figures().slowCalls()).isEqualTo(1);
	}

	@Test
	void halfOpenToClosedSaysTheTrialsPassedWithTheirFigures() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		succeed(breaker);
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.HALF_OPEN);
		assertThat(event.toState()).isEqualTo(State.CLOSED);
		assertThat(event.cause()).isEqualTo(Cause.TRIAL_CALLS_PASSED);
		assertThat(event.waitNanos()).isEqualTo(-1);
		Figures figures = event.figures();
		assertThat(figures).isNotNull();
		assertThat(figures.calls()).isEqualTo(2);
		assertThat(figures.failedCalls()).isZero();
		assertThat(figures.failureRate()).isEqualTo(0.0f);
		assertThat(figures.failureRateReached()).isFalse();
	}

	@Test
	void halfOpenTimeLimitCarriesTheTrialsCompletedSoFar() {
		CircuitBreaker breaker = breaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(breaker.state()).isEqualTo(State.OPEN);
		CircuitBreakerEvent event = last(events);
		assertThat(event.fromState()).isEqualTo(State.HALF_OPEN);
		assertThat(event.cause()).isEqualTo(Cause.HALF_OPEN_TIME_LIMIT);
		Figures figures = event.figures();
		assertThat(figures).isNotNull();
		assertThat(figures.calls()).isEqualTo(1);
		assertThat(figures.minimumNumberOfCalls()).isEqualTo(2);
		// Not all trials completed: no rate.
		assertThat(figures.failureRate()).isEqualTo(-1.0f);
		assertThat(figures.failureRateReached()).isFalse();
	}

	@Test
	void halfOpenTimeLimitOnTheNextCallSaysTheSame() {
		CircuitBreaker breaker = breaker(config().maxWaitDurationInHalfOpenState(Duration.ofSeconds(5)));
		List<CircuitBreakerEvent> events = transitions(breaker);
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		succeed(breaker);
		this.ticker.advance(Duration.ofSeconds(5));
		assertRejected(breaker);
		assertThat(last(events).cause()).isEqualTo(Cause.HALF_OPEN_TIME_LIMIT);
	}

	@ParameterizedTest
	@EnumSource(State.class)
	void manualTransitionsSayTheyAreManualWithoutFigures(State target) {
		CircuitBreaker breaker = breaker(config());
		breaker.transitionTo(State.DISABLED);
		List<CircuitBreakerEvent> events = transitions(breaker);
		breaker.transitionTo(target);
		CircuitBreakerEvent event = last(events);
		assertThat(event.type()).isEqualTo(Type.STATE_TRANSITION);
		assertThat(event.fromState()).isEqualTo(State.DISABLED);
		assertThat(event.toState()).isEqualTo(target);
		assertThat(event.cause()).isEqualTo(Cause.MANUAL);
		assertThat(event.figures()).isNull();
		assertThat(event.waitNanos()).isEqualTo((target == State.OPEN) ? TEN_SECONDS : -1);
	}

	@Test
	void resetSaysItIsAReset() {
		CircuitBreaker breaker = breaker(config());
		open(breaker);
		List<CircuitBreakerEvent> events = transitions(breaker);
		breaker.reset();
		CircuitBreakerEvent event = last(events);
		assertThat(event.type()).isEqualTo(Type.RESET);
		assertThat(event.cause()).isEqualTo(Cause.RESET);
		assertThat(event.figures()).isNull();
	}

	@Test
	void outcomeEventsHaveNoCause() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = new ArrayList<>();
		breaker.events().onEvent(events::add);
		succeed(breaker);
		fail(breaker);
		assertThat(events)
			.extracting(CircuitBreakerEvent::type, CircuitBreakerEvent::cause, CircuitBreakerEvent::figures,
					CircuitBreakerEvent::waitNanos)
			.containsExactly(tuple(Type.SUCCESS, null, null, -1L), tuple(Type.ERROR, null, null, -1L));
	}

	@Test
	void rejectionsInOpenCarryWhatOpenedTheBreaker() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = new ArrayList<>();
		breaker.events().onEvent(events::add);
		open(breaker);
		assertRejected(breaker);
		CircuitBreakerEvent opened = events.get(events.size() - 2);
		CircuitBreakerEvent rejected = last(events);
		assertThat(rejected.type()).isEqualTo(Type.NOT_PERMITTED);
		assertThat(rejected.cause()).isEqualTo(Cause.FAILURE_RATE);
		assertThat(rejected.figures()).isSameAs(opened.figures());
		assertThat(rejected.waitNanos()).isEqualTo(TEN_SECONDS);
	}

	// stateEvents()

	@Test
	void stateEventsCarryTransitionsResetsAndTheFirstRejectionOfEachOpeningOnly() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> events = stateEvents(breaker);
		open(breaker);
		assertRejected(breaker);
		assertRejected(breaker);
		assertRejected(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		fail(breaker);
		fail(breaker);
		assertRejected(breaker);
		assertRejected(breaker);
		breaker.transitionTo(State.FORCED_OPEN);
		assertRejected(breaker);
		assertRejected(breaker);
		breaker.reset();
		succeed(breaker);
		assertThat(events)
			.extracting(CircuitBreakerEvent::type, CircuitBreakerEvent::fromState, CircuitBreakerEvent::toState,
					CircuitBreakerEvent::cause)
			.containsExactly(tuple(Type.STATE_TRANSITION, State.CLOSED, State.OPEN, Cause.FAILURE_RATE),
					tuple(Type.NOT_PERMITTED, null, null, Cause.FAILURE_RATE),
					tuple(Type.STATE_TRANSITION, State.OPEN, State.HALF_OPEN, Cause.OPEN_WAIT_ELAPSED),
					tuple(Type.STATE_TRANSITION, State.HALF_OPEN, State.OPEN, Cause.FAILURE_RATE),
					tuple(Type.NOT_PERMITTED, null, null, Cause.FAILURE_RATE),
					tuple(Type.STATE_TRANSITION, State.OPEN, State.FORCED_OPEN, Cause.MANUAL),
					tuple(Type.NOT_PERMITTED, null, null, Cause.MANUAL),
					tuple(Type.RESET, State.FORCED_OPEN, State.CLOSED, Cause.RESET));
	}

	@Test
	void halfOpenRejectionsAreNotOnStateEvents() {
		CircuitBreaker breaker = breaker(config());
		open(breaker);
		this.ticker.advance(Duration.ofSeconds(10));
		List<CircuitBreakerEvent> events = stateEvents(breaker);
		breaker.acquirePermit();
		breaker.acquirePermit();
		assertRejected(breaker);
		assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
		assertThat(events).extracting(CircuitBreakerEvent::type).containsExactly(Type.STATE_TRANSITION);
	}

	@Test
	void aFirstRejectionBeforeTheListenerCameIsNotRepeated() {
		CircuitBreaker breaker = breaker(config());
		open(breaker);
		assertRejected(breaker);
		List<CircuitBreakerEvent> events = stateEvents(breaker);
		assertRejected(breaker);
		assertThat(events).isEmpty();
	}

	@Test
	void stateEventsDoNotMakeOutcomeEvents() {
		CircuitBreaker breaker = breaker(config());
		List<CircuitBreakerEvent> all = new ArrayList<>();
		breaker.stateEvents().onEvent(all::add);
		succeed(breaker);
		fail(breaker);
		assertThat(all).isEmpty();
		// And listening to state events only does not count as listening to events().
		assertThat(breaker.events().hasListeners()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(SlidingWindowType.class)
	void successPathAllocatesNothingWithAStateEventListener(SlidingWindowType type) {
		com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		assertThat(allocations.isThreadAllocatedMemorySupported() && allocations.isThreadAllocatedMemoryEnabled())
			.as("per-thread allocation counting is supported and enabled")
			.isTrue();
		CircuitBreaker breaker = breaker(
				config().slidingWindowType(type).slidingWindowSize(100).minimumNumberOfCalls(100));
		List<CircuitBreakerEvent> events = stateEvents(breaker);
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
		assertThat(allocated).isLessThan(1_000);
		assertThat(events).isEmpty();
	}

}
