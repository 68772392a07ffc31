package dev.resilience.circuitbreaker;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker: it stops calling a dependency that keeps failing (or keeps being
 * slow), and lets a few trial calls through after a while to see if it has recovered.
 * <p>
 * <b>Protocol.</b> Before a call, {@link #acquirePermit()} either returns a
 * {@link Permit} or throws {@link CallNotPermittedException}. After the call, the caller
 * completes the permit exactly once: {@link Permit#onSuccess}, {@link Permit#onFailure}
 * or {@link Permit#release} (the call was not made or its outcome is not to be counted).
 * If {@link #requiresStartTime()}, the caller passes the ticker reading taken just before
 * the call; otherwise it passes {@code 0} and no clock is read for this breaker. A permit
 * records its outcome in the state it was issued in: an outcome that arrives after the
 * breaker changed state is not counted against the new state's window.
 * <p>
 * <b>States.</b> {@code CLOSED} permits calls and records their outcomes in a sliding
 * window, {@code OPEN} rejects them for a while, {@code HALF_OPEN} lets a few trial calls
 * decide between the two; {@code FORCED_OPEN} rejects and {@code DISABLED} permits every
 * call until a manual transition. When each transition happens is the table in
 * {@link State}.
 * <p>
 * The success path takes no lock and allocates nothing. Thread-safe.
 */
public interface CircuitBreaker extends Policy<CircuitBreakerConfig> {

	/**
	 * Creates a circuit breaker on the system clock.
	 * @param name the name
	 * @param config the configuration
	 * @return the circuit breaker
	 */
	static CircuitBreaker of(String name, CircuitBreakerConfig config) {
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a circuit breaker.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler for the automatic transition from open to half-open
	 * @return the circuit breaker
	 */
	static CircuitBreaker of(String name, CircuitBreakerConfig config, Ticker ticker, Scheduler scheduler) {
		return new DefaultCircuitBreaker(name, config, ticker, scheduler);
	}

	/**
	 * Returns the current state.
	 * @return the state
	 */
	State state();

	/**
	 * Returns how long the breaker still waits in {@code OPEN} before it lets trial calls
	 * through: the open wait of this opening
	 * ({@link CircuitBreakerConfig#waitDurationInOpenState()}, grown by its multiplier
	 * for a repeated opening) minus the time since the breaker opened. {@code 0} once the
	 * wait has ended, until the next call (or, with the automatic transition, the
	 * scheduler) moves the breaker to {@code HALF_OPEN}.
	 * <p>
	 * Reads the ticker once; allocates nothing. For a dashboard, not for the call path.
	 * The default implementation, for breakers that do not know their wait, answers
	 * {@code -1}.
	 * @return the remaining wait in nanoseconds, at least {@code 0}; or {@code -1} when
	 * the breaker is not {@code OPEN}, or while the thread that opened it has not yet
	 * started the wait (for an instant during the transition)
	 */
	default long remainingOpenWaitNanos() {
		return -1;
	}

	/**
	 * Asks to make a call.
	 * @return the permit to complete after the call
	 * @throws CallNotPermittedException if the breaker is open, forced open, or half-open
	 * with all trial calls taken
	 */
	Permit acquirePermit();

	/**
	 * Tells whether permits need the call's start time (slow-call tracking is on).
	 * @return {@code true} if callers must pass a ticker reading to the permit
	 */
	boolean requiresStartTime();

	/**
	 * Returns what to pass as {@code startNanos} to the permit of a call that starts now:
	 * the breaker's own ticker reading if {@link #requiresStartTime()}, else {@code 0}
	 * without reading any clock.
	 * @return the call's start time, or {@code 0}
	 */
	long startTime();

	/**
	 * Moves to {@code state} by hand, whatever the current state (every manual transition
	 * is legal), starting the new state with empty windows.
	 * @param state the target state
	 */
	void transitionTo(State state);

	/**
	 * Returns to {@code CLOSED} with empty windows and zeroed counters, as if new.
	 */
	void reset();

	/**
	 * Returns a snapshot of the current figures.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<CircuitBreakerEvent> events();

	/**
	 * Returns the publisher of this breaker's state changes only, for a log or an alert
	 * that must not cost anything per call: every {@code STATE_TRANSITION} and
	 * {@code RESET} event (with its {@link CircuitBreakerEvent#cause() cause} and
	 * {@link CircuitBreakerEvent#figures() figures}), and the first {@code NOT_PERMITTED}
	 * event of each entry into {@code OPEN} or {@code FORCED_OPEN}, published once
	 * however many threads are rejected at once, and after the transition's event. No
	 * outcome event, and no other rejection: a listener here leaves the success path free
	 * of events and allocation, unlike one on {@link #events()}. The same event objects
	 * as on {@link #events()}, delivered synchronously on the thread that caused them
	 * (after the listeners of {@link #events()}).
	 * @return the publisher of state changes
	 */
	EventPublisher<CircuitBreakerEvent> stateEvents();

	/**
	 * The states of a circuit breaker, and every rule that moves it from one to another.
	 * The settings named are those of {@link CircuitBreakerConfig}.
	 * <table class="striped">
	 * <caption>Circuit breaker transitions</caption> <thead>
	 * <tr>
	 * <th scope="col">From</th>
	 * <th scope="col">To</th>
	 * <th scope="col">When</th>
	 * <th scope="col">How</th>
	 * </tr>
	 * </thead> <tbody>
	 * <tr>
	 * <td>{@code CLOSED}</td>
	 * <td>{@code OPEN}</td>
	 * <td>once a call's outcome is recorded, the window's failure rate is at or above
	 * {@code failureRateThreshold} or its slow-call rate at or above
	 * {@code slowCallRateThreshold}, with at least {@code minimumNumberOfCalls} calls in
	 * the window (a count window needs at most {@code slidingWindowSize}); the rates are
	 * over the window: the last {@code slidingWindowSize} calls, or the calls of the last
	 * {@code slidingWindowSize} seconds</td>
	 * <td>on the call that records the outcome; this opening is the first of a
	 * streak</td>
	 * </tr>
	 * <tr>
	 * <td>{@code OPEN}</td>
	 * <td>{@code HALF_OPEN}</td>
	 * <td>the open wait has passed since the breaker opened: for the n-th opening in a
	 * row without closing, {@code waitDurationInOpenState} &times;
	 * {@code waitDurationInOpenStateMultiplier}<sup>n-1</sup>, at most
	 * {@code maxWaitDurationInOpenState}</td>
	 * <td>on the first call after the wait, which becomes a trial call; or by itself at
	 * the end of the wait if {@code automaticTransitionFromOpenToHalfOpenEnabled}</td>
	 * </tr>
	 * <tr>
	 * <td>{@code HALF_OPEN}</td>
	 * <td>{@code CLOSED}</td>
	 * <td>all {@code permittedNumberOfCallsInHalfOpenState} trial calls have completed
	 * and both their failure rate and their slow-call rate are below the thresholds (a
	 * released trial or an ignored outcome gives its slot back and does not count)</td>
	 * <td>on the completion of the last trial; the window starts empty and the streak
	 * ends</td>
	 * </tr>
	 * <tr>
	 * <td>{@code HALF_OPEN}</td>
	 * <td>{@code OPEN}</td>
	 * <td>all trial calls have completed and their failure rate or slow-call rate reaches
	 * its threshold (out of {@code permittedNumberOfCallsInHalfOpenState}, with no
	 * minimum)</td>
	 * <td>on the completion of the last trial; the next opening of the streak</td>
	 * </tr>
	 * <tr>
	 * <td>{@code HALF_OPEN}</td>
	 * <td>{@code OPEN}</td>
	 * <td>{@code maxWaitDurationInHalfOpenState} (if above zero) has passed since the
	 * breaker went half-open, before the trials decided</td>
	 * <td>by itself at the end of that time, or on the first call after it (which is
	 * rejected); the next opening of the streak; trials still running are not
	 * counted</td>
	 * </tr>
	 * <tr>
	 * <td>any</td>
	 * <td>any</td>
	 * <td>{@link CircuitBreaker#transitionTo(State)}: every manual transition is legal,
	 * and the only way out of {@code FORCED_OPEN} and {@code DISABLED} (besides
	 * reset)</td>
	 * <td>at once; the target starts afresh: {@code CLOSED} with an empty window,
	 * {@code OPEN} as the first opening of a streak, {@code HALF_OPEN} with all its trial
	 * calls (failing trials then open it as the first opening of a streak)</td>
	 * </tr>
	 * <tr>
	 * <td>any</td>
	 * <td>{@code CLOSED}</td>
	 * <td>{@link CircuitBreaker#reset()}</td>
	 * <td>at once; with an empty window and every counter zeroed, published as a
	 * {@code RESET} event rather than a {@code STATE_TRANSITION}</td>
	 * </tr>
	 * </tbody>
	 * </table>
	 * Nothing else changes the state: {@code FORCED_OPEN} and {@code DISABLED} never
	 * leave by themselves (in {@code DISABLED} outcomes reach only the total counters),
	 * and {@link Policy#reconfigure reconfigure} keeps the current state ({@code CLOSED}
	 * keeps its window unless the window's type or size changed, in which case it starts
	 * an empty one; {@code OPEN} keeps its wait). The outcome of a permit issued in an
	 * earlier state entry reaches only the total counters.
	 */
	enum State {

		/** Calls are permitted and their outcomes recorded. */
		CLOSED(true),

		/** Calls are rejected until the open-state wait has passed. */
		OPEN(false),

		/** A limited number of trial calls are permitted. */
		HALF_OPEN(true),

		/** Calls are rejected until a manual transition. */
		FORCED_OPEN(false),

		/** Calls are permitted and nothing is recorded, until a manual transition. */
		DISABLED(true);

		private final boolean permitsCalls;

		State(boolean permitsCalls) {
			this.permitsCalls = permitsCalls;
		}

		/**
		 * Tells whether the state permits calls (all of them, or some in half-open).
		 * @return {@code true} for closed, half-open and disabled
		 */
		public boolean permitsCalls() {
			return this.permitsCalls;
		}

	}

	/**
	 * The right to make one call, completed exactly once after it.
	 */
	interface Permit {

		/**
		 * Records that the call returned. The result is tested against the
		 * configuration's {@code recordResult} predicate, which may count it as a
		 * failure.
		 * @param startNanos the ticker reading before the call, or {@code 0} if
		 * {@link CircuitBreaker#requiresStartTime()} is {@code false}
		 * @param result the call's result ({@code null} for {@code void})
		 */
		void onSuccess(long startNanos, @Nullable Object result);

		/**
		 * Records that the call threw. Whether it counts as a failure, or is ignored, is
		 * decided by the configuration's exception settings.
		 * @param startNanos as for {@link #onSuccess}
		 * @param failure what the call threw
		 */
		void onFailure(long startNanos, Throwable failure);

		/**
		 * Gives the permit back without recording an outcome (the call was not made, or
		 * was cancelled); in half-open state the trial slot is freed.
		 */
		void release();

	}

	/**
	 * A snapshot of a circuit breaker's figures. Rates are percentages, or {@code -1}
	 * while the window holds fewer than {@code minimumNumberOfCalls} calls. Window
	 * figures describe the current state's window (in {@code HALF_OPEN}, the trial calls;
	 * in {@code OPEN}, the window that opened the breaker; none in {@code FORCED_OPEN}
	 * and {@code DISABLED}); the {@code total} figures count since creation or
	 * {@link #reset()} and never go down otherwise (for monotonic counters).
	 *
	 * @param state the state when the snapshot was taken
	 * @param failureRate the failure rate in percent, or {@code -1}
	 * @param slowCallRate the slow-call rate in percent, or {@code -1}
	 * @param bufferedCalls the calls in the window
	 * @param failedCalls the failed calls in the window
	 * @param slowCalls the slow calls in the window
	 * @param slowFailedCalls the slow calls in the window that also failed (counted in
	 * both {@code failedCalls} and {@code slowCalls})
	 * @param notPermittedCalls the calls rejected since the state was entered
	 * @param totalSuccessfulCalls successful calls, in total
	 * @param totalFailedCalls failed calls, in total
	 * @param totalIgnoredCalls calls whose exception was ignored, in total
	 * @param totalNotPermittedCalls rejected calls, in total
	 * @param totalSlowCalls slow calls, in total
	 * @param totalSuccessfulCallNanos the summed durations of the successful calls, in
	 * nanoseconds, in total; calls are timed only while
	 * {@link CircuitBreakerConfig#slowCallDurationThreshold()} is set (the breaker reads
	 * no clock otherwise), so this sums the calls made with it set and stays {@code 0}
	 * without it
	 * @param totalFailedCallNanos the same for the failed calls
	 * @param totalIgnoredCallNanos the same for the calls whose exception was ignored
	 */
	record Metrics(State state, float failureRate, float slowCallRate, int bufferedCalls, int failedCalls,
			int slowCalls, int slowFailedCalls, long notPermittedCalls, long totalSuccessfulCalls,
			long totalFailedCalls, long totalIgnoredCalls, long totalNotPermittedCalls, long totalSlowCalls,
			long totalSuccessfulCallNanos, long totalFailedCallNanos, long totalIgnoredCallNanos) {

		/**
		 * Returns the successful calls in the window.
		 * @return {@code bufferedCalls - failedCalls}
		 */
		public int successfulCalls() {
			return this.bufferedCalls - this.failedCalls;
		}

		/**
		 * Returns the slow calls in the window that succeeded.
		 * @return {@code slowCalls - slowFailedCalls}
		 */
		public int slowSuccessfulCalls() {
			return this.slowCalls - this.slowFailedCalls;
		}

	}

}
