package dev.resilience.circuitbreaker;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.resilience.circuitbreaker.CircuitBreakerEvent.Cause;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Figures;
import dev.resilience.core.EventPublisher;
import dev.resilience.internal.OnceWarning;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Concurrent design.
 *
 * The state is one AtomicReference to an object per state entry (Closed, Open, HalfOpen,
 * ForcedOpen, Disabled). A state object is created when the state is entered, and it is
 * also the Permit handed to callers: acquiring a permit in CLOSED or DISABLED returns the
 * current state object itself, so the success path allocates nothing. Because a permit
 * knows the state entry it came from, an outcome that arrives after the breaker moved on
 * is recognised (state.get() != this) and kept out of the new state's window; the
 * cumulative totals (LongAdders) still count it. State objects hold no mutable state of
 * their own except their window or trial counters, which die with them, and the handle of
 * the task scheduled for them.
 *
 * Transitions are CAS on the reference: whoever wins publishes the event and schedules
 * what the new state needs (the automatic OPEN -> HALF_OPEN transition, the half-open
 * time limit); losers drop the state object they built. Automatic transitions are checked
 * against one table (AUTOMATIC_TRANSITIONS); manual ones (transitionTo, reset) are always
 * legal. A scheduled task carries the state object it was scheduled for and does nothing
 * if that object is no longer current, so a task that could not be cancelled in time is
 * harmless. The rules (which event moves which state where) are the table in the Javadoc
 * of CircuitBreaker.State.
 *
 * CLOSED records into a SlidingWindow: CountWindow (the last N calls) or TimeWindow (the
 * last N seconds), each a file of its own with its design notes. The Closed state checks
 * that it is still current before recording (a stale permit's outcome stays out of the
 * window) and again before it opens; the window only says whether a threshold was reached,
 * and the transition is the Closed state's CAS. A window dies with its state entry, so a
 * new entry into CLOSED, or a reconfiguration that changes the window's type or size,
 * starts an empty one.
 *
 * HALF_OPEN hands out exactly permittedNumberOfCallsInHalfOpenState trial permits with a
 * CAS-bounded counter (release() gives a slot back). Completed trials add their failure
 * and slow counts before they increment the completed count, so the thread whose
 * increment reaches the number of trials sees every outcome and alone decides.
 *
 * OPEN reads the ticker on each rejected call to see whether its wait has passed, then
 * moves to HALF_OPEN by CAS and retries the acquisition. Its wait starts when the thread
 * that won the transition's CAS reads the clock, after the CAS (until then callers are
 * rejected), so a clock step between building the state and publishing it cannot shorten
 * the wait.
 *
 * A rejection throws one CallNotPermittedException per breaker and rejecting state (OPEN,
 * HALF_OPEN with every trial taken, FORCED_OPEN), made on the first such rejection and
 * kept in a volatile field: it carries nothing of the call (no stack trace, no
 * suppression, its cause fixed at null), so it can be thrown by any number of threads at
 * once, and a rejection allocates nothing. Two threads racing on the first rejection may
 * make two equal ones; one of them stays.
 *
 * Every state entry knows why it was entered (a Cause, and the Figures that decided it when
 * figures did: the window's reading returned by the call that reached a threshold, or the
 * trial counts read by the call that completed the last trial), so that its transition
 * event, and the rejections of an open state, say so without reading anything again. The
 * figures are built on the transition only.
 *
 * stateEvents() is a second publisher that gets the transitions and resets, and the first
 * rejection of each entry into OPEN or FORCED_OPEN, never an outcome: listening to it
 * leaves the success path as it is without listeners. The first rejection is claimed by
 * one CAS per state entry. A rejecting thread may run before the thread that made the
 * transition has published it; so a rejection claims only once the transition was
 * published (the flag "announced", set by entered() after publishing), and otherwise
 * leaves a note ("pending") that entered() reads after setting the flag: with both flags
 * volatile, one of the two sees the other, so the first rejection is published exactly
 * once and never before the transition.
 *
 * A user predicate (recordResult, recordFailurePredicate) that throws never leaves a permit
 * open: the call counts as ignored (its trial slot goes back), the caller gets the call's
 * own outcome (the predicate's exception suppressed on a failure), and the predicate's
 * failure is logged.
 */
/**
 * The {@link CircuitBreaker} implementation; see the design notes at the top of the
 * source file.
 */
final class DefaultCircuitBreaker implements CircuitBreaker {

	// Not an outcome bit (SlidingWindow has those): onFailure's verdict for an ignored
	// exception.
	private static final int IGNORED = 4;

	/** The transitions the breaker makes by itself; manual transitions are all legal. */
	private static final Map<State, Set<State>> AUTOMATIC_TRANSITIONS = automaticTransitions();

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final EventPublisher<CircuitBreakerEvent> events = new EventPublisher<>();

	private final EventPublisher<CircuitBreakerEvent> stateEvents = new EventPublisher<>();

	private final AtomicReference<CircuitState> state;

	private volatile CircuitBreakerConfig config;

	private final LongAdder totalSuccessful = new LongAdder();

	private final LongAdder totalFailed = new LongAdder();

	private final LongAdder totalIgnored = new LongAdder();

	private final LongAdder totalNotPermitted = new LongAdder();

	private final LongAdder totalSlow = new LongAdder();

	// Durations of the calls measured, by outcome: only while slow-call tracking reads
	// the ticker for every call (no clock is read for these sums alone).
	private final LongAdder totalSuccessfulNanos = new LongAdder();

	private final LongAdder totalFailedNanos = new LongAdder();

	private final LongAdder totalIgnoredNanos = new LongAdder();

	private static final System.Logger logger = System.getLogger(CircuitBreaker.class.getName());

	private final OnceWarning predicateFailures = new OnceWarning();

	// One exception per rejecting state, made on its first rejection, so that a rejection
	// allocates nothing. Volatile for its publication: Throwable's fields are not final.
	private volatile @Nullable CallNotPermittedException openRejection;

	private volatile @Nullable CallNotPermittedException halfOpenRejection;

	private volatile @Nullable CallNotPermittedException forcedOpenRejection;

	DefaultCircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.config = Objects.requireNonNull(config, "config must not be null");
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
		this.state = new AtomicReference<>(new Closed(newWindow(config), null, null));
	}

	private static Map<State, Set<State>> automaticTransitions() {
		Map<State, Set<State>> table = new EnumMap<>(State.class);
		table.put(State.CLOSED, EnumSet.of(State.OPEN));
		table.put(State.OPEN, EnumSet.of(State.HALF_OPEN));
		table.put(State.HALF_OPEN, EnumSet.of(State.OPEN, State.CLOSED));
		return table;
	}

	static boolean isAutomaticTransition(State from, State to) {
		Set<State> targets = AUTOMATIC_TRANSITIONS.get(from);
		return targets != null && targets.contains(to);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CircuitBreakerConfig config() {
		return this.config;
	}

	@Override
	public State state() {
		return this.state.get().state();
	}

	@Override
	public long remainingOpenWaitNanos() {
		if (!(this.state.get() instanceof Open open)) {
			return -1;
		}
		long openedAt = open.openedAt;
		if (openedAt == Open.NOT_STARTED) {
			return -1;
		}
		return Math.max(0, open.waitNanos - (this.ticker.read() - openedAt));
	}

	@Override
	public Permit acquirePermit() {
		while (true) {
			Permit permit = this.state.get().tryAcquire();
			if (permit != null) {
				return permit;
			}
			// The state changed under us (an open wait ended, say): try the new one.
		}
	}

	@Override
	public boolean requiresStartTime() {
		return this.config.slowCallDurationThresholdNanos >= 0;
	}

	@Override
	public long startTime() {
		return requiresStartTime() ? this.ticker.read() : 0L;
	}

	@Override
	public void transitionTo(State target) {
		Objects.requireNonNull(target, "state must not be null");
		CircuitState next = switch (target) {
			case CLOSED -> new Closed(newWindow(this.config), Cause.MANUAL, null);
			case OPEN -> new Open(1, WindowFigures.EMPTY, Cause.MANUAL, null);
			case HALF_OPEN -> new HalfOpen(0, Cause.MANUAL);
			case FORCED_OPEN -> new ForcedOpen();
			case DISABLED -> new Disabled();
		};
		CircuitState previous = this.state.getAndSet(next);
		entered(previous, next, CircuitBreakerEvent.Type.STATE_TRANSITION);
	}

	@Override
	public void reset() {
		CircuitState next = new Closed(newWindow(this.config), Cause.RESET, null);
		CircuitState previous = this.state.getAndSet(next);
		// Not atomic with calls in flight: a racing outcome may survive the reset.
		this.totalSuccessful.reset();
		this.totalFailed.reset();
		this.totalIgnored.reset();
		this.totalNotPermitted.reset();
		this.totalSlow.reset();
		this.totalSuccessfulNanos.reset();
		this.totalFailedNanos.reset();
		this.totalIgnoredNanos.reset();
		entered(previous, next, CircuitBreakerEvent.Type.RESET);
	}

	@Override
	public void reconfigure(CircuitBreakerConfig config) {
		Objects.requireNonNull(config, "config must not be null");
		CircuitBreakerConfig previous = this.config;
		this.config = config;
		while (true) {
			CircuitState current = this.state.get();
			if (current instanceof Closed closed && !closed.window.fits(config)) {
				// Same state, new window shape: swap quietly (no transition event);
				// permits issued before are stale from now on and are not recorded.
				if (!this.state.compareAndSet(current,
						new Closed(newWindow(config), closed.cause, closed.causeFigures))) {
					continue;
				}
			}
			else if (current instanceof Open open && previous.automaticTransitionFromOpenToHalfOpenEnabled() != config
				.automaticTransitionFromOpenToHalfOpenEnabled()) {
				// The open state keeps its wait; only whether it ends by itself changes.
				open.cancelTask();
				if (config.automaticTransitionFromOpenToHalfOpenEnabled()) {
					long openedAt = open.openedAt;
					long remaining = (openedAt == Open.NOT_STARTED) ? open.waitNanos
							: open.waitNanos - (this.ticker.read() - openedAt);
					schedule(open, () -> openWaitElapsed(open), remaining);
				}
			}
			return;
		}
	}

	@Override
	public Metrics metrics() {
		CircuitState current = this.state.get();
		WindowFigures figures = current.figures(this.config);
		return new Metrics(current.state(), figures.failureRate, figures.slowCallRate, figures.bufferedCalls,
				figures.failedCalls, figures.slowCalls, figures.slowFailedCalls, current.notPermittedCalls(),
				this.totalSuccessful.sum(), this.totalFailed.sum(), this.totalIgnored.sum(),
				this.totalNotPermitted.sum(), this.totalSlow.sum(), this.totalSuccessfulNanos.sum(),
				this.totalFailedNanos.sum(), this.totalIgnoredNanos.sum());
	}

	@Override
	public EventPublisher<CircuitBreakerEvent> events() {
		return this.events;
	}

	@Override
	public EventPublisher<CircuitBreakerEvent> stateEvents() {
		return this.stateEvents;
	}

	@Override
	public String toString() {
		return "CircuitBreaker[name=" + this.name + ", state=" + state() + "]";
	}

	// Outcomes

	private void onSuccess(CircuitState permit, long startNanos, @Nullable Object result) {
		CircuitBreakerConfig config = this.config;
		Predicate<Object> recordResult = config.recordResult();
		if (recordResult != null) {
			boolean failed;
			try {
				failed = recordResult.test(result);
			}
			catch (RuntimeException | Error ex) {
				if (ex instanceof VirtualMachineError error) {
					throw error;
				}
				predicateFailed(permit, config, startNanos, "recordResult", ex, ex);
				return;
			}
			if (failed) {
				complete(permit, config, startNanos, SlidingWindow.FAILED, null);
				return;
			}
		}
		complete(permit, config, startNanos, SlidingWindow.SUCCESS, null);
	}

	private void onFailure(CircuitState permit, long startNanos, Throwable failure) {
		Objects.requireNonNull(failure, "failure must not be null");
		CircuitBreakerConfig config = this.config;
		int outcome;
		try {
			outcome = config.exceptionMatcher().matches(failure) ? SlidingWindow.FAILED
					: config.isIgnored(failure) ? IGNORED : SlidingWindow.SUCCESS;
		}
		catch (RuntimeException | Error ex) {
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
			if (ex != failure) {
				failure.addSuppressed(ex);
			}
			predicateFailed(permit, config, startNanos, "recordFailurePredicate", ex, failure);
			return;
		}
		if (outcome == IGNORED) {
			ignore(permit, config, startNanos, failure);
		}
		else {
			// Neither recorded nor ignored: the dependency answered, which is a success.
			complete(permit, config, startNanos, outcome, failure);
		}
	}

	/**
	 * A user predicate threw while judging an outcome: the call is counted as ignored
	 * (its trial slot goes back), the caller gets the call's own outcome, and the
	 * predicate's failure is logged.
	 */
	private void predicateFailed(CircuitState permit, CircuitBreakerConfig config, long startNanos, String predicate,
			Throwable predicateFailure, Throwable eventFailure) {
		this.predicateFailures.log(logger,
				() -> "CircuitBreaker '" + this.name + "': " + predicate
						+ " threw; the call is counted as ignored and its outcome returned as it was",
				predicateFailure);
		ignore(permit, config, startNanos, eventFailure);
	}

	private void ignore(CircuitState permit, CircuitBreakerConfig config, long startNanos, Throwable failure) {
		this.totalIgnored.increment();
		long duration = -1;
		if (config.slowCallDurationThresholdNanos >= 0) {
			duration = this.ticker.read() - startNanos;
			this.totalIgnoredNanos.add(duration);
		}
		if (this.events.hasListeners()) {
			publish(CircuitBreakerEvent.Type.IGNORED_ERROR, duration, failure);
		}
		// An ignored outcome is no outcome: in half-open the trial slot goes back.
		permit.release();
	}

	/**
	 * Counts a success or failure in the totals, publishes it and records it in the state
	 * the permit came from; measures the call if slow calls are tracked.
	 */
	private void complete(CircuitState permit, CircuitBreakerConfig config, long startNanos, int outcome,
			@Nullable Throwable failure) {
		long slowNanos = config.slowCallDurationThresholdNanos;
		boolean timed = slowNanos >= 0;
		long now = 0;
		long duration = -1;
		if (timed) {
			now = this.ticker.read();
			duration = now - startNanos;
			if (duration > slowNanos) {
				outcome |= SlidingWindow.SLOW;
				this.totalSlow.increment();
			}
		}
		boolean failed = (outcome & SlidingWindow.FAILED) != 0;
		(failed ? this.totalFailed : this.totalSuccessful).increment();
		if (timed) {
			(failed ? this.totalFailedNanos : this.totalSuccessfulNanos).add(duration);
		}
		if (this.events.hasListeners()) {
			publish(failed ? CircuitBreakerEvent.Type.ERROR : CircuitBreakerEvent.Type.SUCCESS, duration, failure);
		}
		permit.record(config, outcome, timed, now);
	}

	private CallNotPermittedException reject(CircuitState current, LongAdder notPermitted) {
		notPermitted.increment();
		this.totalNotPermitted.increment();
		if (this.events.hasListeners()) {
			this.events.publish(stateEvent(CircuitBreakerEvent.Type.NOT_PERMITTED, null, null, current));
		}
		return rejection(current.state());
	}

	/**
	 * Returns this breaker's one exception for the rejections of {@code state}, made on
	 * its first rejection (see the design notes).
	 */
	private CallNotPermittedException rejection(State state) {
		CallNotPermittedException rejection = switch (state) {
			case OPEN -> this.openRejection;
			case HALF_OPEN -> this.halfOpenRejection;
			// FORCED_OPEN, the only other state that rejects.
			default -> this.forcedOpenRejection;
		};
		if (rejection != null) {
			return rejection;
		}
		// A race makes two, equal; one of them stays.
		rejection = new CallNotPermittedException(this.name, state);
		switch (state) {
			case OPEN -> this.openRejection = rejection;
			case HALF_OPEN -> this.halfOpenRejection = rejection;
			default -> this.forcedOpenRejection = rejection;
		}
		return rejection;
	}

	// Transitions

	/**
	 * Moves from {@code from} to {@code to} if {@code from} is still current; for the
	 * transitions the breaker makes by itself.
	 */
	private boolean transition(CircuitState from, CircuitState to) {
		if (!isAutomaticTransition(from.state(), to.state())) {
			throw new IllegalStateException(
					"Illegal automatic transition from " + from.state() + " to " + to.state() + " in " + this);
		}
		if (!this.state.compareAndSet(from, to)) {
			return false;
		}
		entered(from, to, CircuitBreakerEvent.Type.STATE_TRANSITION);
		return true;
	}

	/** Runs after {@code to} replaced {@code from}, on the thread that replaced it. */
	private void entered(CircuitState from, CircuitState to, CircuitBreakerEvent.Type eventType) {
		from.cancelTask();
		if (to instanceof Open open) {
			long now = this.ticker.read();
			open.openedAt = (now != Open.NOT_STARTED) ? now : now + 1;
			if (this.config.automaticTransitionFromOpenToHalfOpenEnabled()) {
				schedule(open, () -> openWaitElapsed(open), open.waitNanos);
			}
		}
		else if (to instanceof HalfOpen halfOpen) {
			if (halfOpen.maxWaitNanos > 0) {
				schedule(halfOpen, () -> halfOpenWaitElapsed(halfOpen), halfOpen.maxWaitNanos);
			}
		}
		boolean all = this.events.hasListeners();
		boolean states = this.stateEvents.hasListeners();
		if (all || states) {
			CircuitBreakerEvent event = stateEvent(eventType, from.state(), to.state(), to);
			if (all) {
				this.events.publish(event);
			}
			if (states) {
				this.stateEvents.publish(event);
			}
		}
		if (to instanceof Rejecting rejecting) {
			rejecting.announce();
		}
	}

	private void schedule(CircuitState target, Runnable task, long delayNanos) {
		Scheduler.Cancellable handle = this.scheduler.schedule(task, delayNanos);
		target.task = handle;
		// The state may have been left before the handle was stored, by a thread
		// that then found nothing to cancel.
		if (this.state.get() != target) {
			handle.cancel();
		}
	}

	private void openWaitElapsed(Open open) {
		if (this.state.get() == open) {
			transition(open, new HalfOpen(open.streak, Cause.OPEN_WAIT_ELAPSED));
		}
	}

	private void halfOpenWaitElapsed(HalfOpen halfOpen) {
		if (this.state.get() == halfOpen) {
			CircuitBreakerConfig config = this.config;
			WindowFigures trials = halfOpen.figures(config);
			transition(halfOpen, new Open(nextStreak(halfOpen.streak), trials, Cause.HALF_OPEN_TIME_LIMIT,
					new Figures(trials, config)));
		}
	}

	private static int nextStreak(int streak) {
		return (streak == Integer.MAX_VALUE) ? streak : streak + 1;
	}

	private SlidingWindow newWindow(CircuitBreakerConfig config) {
		return SlidingWindow.of(config, this.ticker);
	}

	/** The cause of an opening that {@code figures} decided. */
	private static Cause openedBy(Figures figures) {
		return figures.failureRateReached() ? Cause.FAILURE_RATE : Cause.SLOW_CALL_RATE;
	}

	private void publish(CircuitBreakerEvent.Type type, long durationNanos, @Nullable Throwable failure) {
		this.events
			.publish(new CircuitBreakerEvent(this.name, type, durationNanos, failure, null, null, null, null, -1));
	}

	/** An event about {@code entry}: its transition, or one of its rejections. */
	private CircuitBreakerEvent stateEvent(CircuitBreakerEvent.Type type, @Nullable State from, @Nullable State to,
			CircuitState entry) {
		return new CircuitBreakerEvent(this.name, type, -1, null, from, to, entry.cause, entry.causeFigures,
				entry.waitNanos());
	}

	// States

	/**
	 * One entry into a state, and the permit of the calls it permits.
	 */
	private abstract class CircuitState implements Permit {

		/** Why the state was entered; {@code null} for the state a breaker is made in. */
		final @Nullable Cause cause;

		/** The figures that decided the entry, if figures did. */
		final @Nullable Figures causeFigures;

		/** The task scheduled for this state entry, cancelled when the state is left. */
		volatile Scheduler.@Nullable Cancellable task;

		CircuitState(@Nullable Cause cause, @Nullable Figures causeFigures) {
			this.cause = cause;
			this.causeFigures = causeFigures;
		}

		abstract State state();

		/**
		 * Returns a permit, or {@code null} if the state was left and the caller must
		 * retry with the new one.
		 * @throws CallNotPermittedException if this state rejects the call
		 */
		abstract @Nullable Permit tryAcquire();

		/**
		 * Records a counted outcome ({@link SlidingWindow#FAILED},
		 * {@link SlidingWindow#SLOW} bits).
		 */
		void record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
		}

		WindowFigures figures(CircuitBreakerConfig config) {
			return WindowFigures.EMPTY;
		}

		long notPermittedCalls() {
			return 0;
		}

		/** How long this entry rejects calls, in nanoseconds; {@code -1} but in OPEN. */
		long waitNanos() {
			return -1;
		}

		final void cancelTask() {
			Scheduler.Cancellable handle = this.task;
			if (handle != null) {
				this.task = null;
				handle.cancel();
			}
		}

		@Override
		public final void onSuccess(long startNanos, @Nullable Object result) {
			DefaultCircuitBreaker.this.onSuccess(this, startNanos, result);
		}

		@Override
		public final void onFailure(long startNanos, Throwable failure) {
			DefaultCircuitBreaker.this.onFailure(this, startNanos, failure);
		}

		@Override
		public void release() {
		}

		@Override
		public String toString() {
			return state() + " permit of " + DefaultCircuitBreaker.this;
		}

	}

	/**
	 * A state entry that rejects every call: {@code OPEN} and {@code FORCED_OPEN}, whose
	 * first rejection goes to {@link #stateEvents()} (see the design notes).
	 */
	private abstract class Rejecting extends CircuitState {

		final LongAdder notPermitted = new LongAdder();

		/** Set once the transition into this entry has been published. */
		private volatile boolean announced;

		/** Set by a rejection that came before {@link #announced}. */
		private volatile boolean pending;

		private final AtomicBoolean firstRejectionClaimed = new AtomicBoolean();

		Rejecting(@Nullable Cause cause, @Nullable Figures causeFigures) {
			super(cause, causeFigures);
		}

		/** Rejects the call: counts and publishes it; the caller throws the result. */
		final CallNotPermittedException rejectCall() {
			CallNotPermittedException rejection = reject(this, this.notPermitted);
			// After the first claim, one volatile read per rejection.
			if (!this.firstRejectionClaimed.get()) {
				this.pending = true;
				if (this.announced) {
					claimFirstRejection();
				}
			}
			return rejection;
		}

		/** Called once, by entered(), after the transition was published. */
		final void announce() {
			this.announced = true;
			if (this.pending) {
				claimFirstRejection();
			}
		}

		private void claimFirstRejection() {
			if (this.firstRejectionClaimed.compareAndSet(false, true)
					&& DefaultCircuitBreaker.this.stateEvents.hasListeners()) {
				DefaultCircuitBreaker.this.stateEvents
					.publish(stateEvent(CircuitBreakerEvent.Type.NOT_PERMITTED, null, null, this));
			}
		}

		@Override
		long notPermittedCalls() {
			return this.notPermitted.sum();
		}

	}

	private final class Closed extends CircuitState {

		final SlidingWindow window;

		Closed(SlidingWindow window, @Nullable Cause cause, @Nullable Figures causeFigures) {
			super(cause, causeFigures);
			this.window = window;
		}

		@Override
		State state() {
			return State.CLOSED;
		}

		@Override
		Permit tryAcquire() {
			return this;
		}

		@Override
		void record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
			if (DefaultCircuitBreaker.this.state.get() != this) {
				return;
			}
			WindowFigures reached = this.window.record(config, outcome, timed, now);
			if (reached != null && DefaultCircuitBreaker.this.state.get() == this) {
				Figures figures = new Figures(reached, config);
				transition(this, new Open(1, reached, openedBy(figures), figures));
			}
		}

		@Override
		WindowFigures figures(CircuitBreakerConfig config) {
			return this.window.figures(config);
		}

	}

	private final class Open extends Rejecting {

		/** How many times in a row the breaker has opened without closing, from 1. */
		final int streak;

		// openedAt before the transition's thread has read the clock (entered()).
		static final long NOT_STARTED = Long.MIN_VALUE;

		// Read by the thread that won the transition's CAS, after it, so that the wait
		// counts from the moment the breaker is open; until then the wait has not begun
		// and callers are rejected.
		volatile long openedAt = NOT_STARTED;

		final long waitNanos;

		/** The figures that opened the breaker, shown while it is open. */
		final WindowFigures figures;

		Open(int streak, WindowFigures figures, Cause cause, @Nullable Figures causeFigures) {
			super(cause, causeFigures);
			this.streak = streak;
			this.figures = figures;
			this.waitNanos = DefaultCircuitBreaker.this.config.waitNanosInOpenState(streak);
		}

		@Override
		State state() {
			return State.OPEN;
		}

		@Override
		@Nullable Permit tryAcquire() {
			long openedAt = this.openedAt;
			if (openedAt != NOT_STARTED && DefaultCircuitBreaker.this.ticker.read() - openedAt >= this.waitNanos) {
				openWaitElapsed(this);
				return null;
			}
			if (DefaultCircuitBreaker.this.state.get() != this) {
				return null;
			}
			throw rejectCall();
		}

		@Override
		WindowFigures figures(CircuitBreakerConfig config) {
			return this.figures;
		}

		@Override
		long waitNanos() {
			return this.waitNanos;
		}

	}

	private final class HalfOpen extends CircuitState {

		/**
		 * The streak of the open state this one came from; 0 after a manual transition.
		 */
		final int streak;

		final int permitted;

		final long maxWaitNanos;

		final long enteredAt;

		/** Trial permits handed out and not released. */
		final AtomicInteger taken = new AtomicInteger();

		final AtomicInteger completed = new AtomicInteger();

		final AtomicInteger failed = new AtomicInteger();

		final AtomicInteger slow = new AtomicInteger();

		/** Trials both failed and slow, for the metrics. */
		final AtomicInteger slowFailed = new AtomicInteger();

		final LongAdder notPermitted = new LongAdder();

		HalfOpen(int streak, Cause cause) {
			super(cause, null);
			CircuitBreakerConfig config = DefaultCircuitBreaker.this.config;
			this.streak = streak;
			this.permitted = config.permittedNumberOfCallsInHalfOpenState();
			this.maxWaitNanos = config.maxWaitDurationInHalfOpenStateNanos;
			this.enteredAt = (this.maxWaitNanos > 0) ? DefaultCircuitBreaker.this.ticker.read() : 0;
		}

		@Override
		State state() {
			return State.HALF_OPEN;
		}

		@Override
		@Nullable Permit tryAcquire() {
			if (this.maxWaitNanos > 0
					&& DefaultCircuitBreaker.this.ticker.read() - this.enteredAt >= this.maxWaitNanos) {
				halfOpenWaitElapsed(this);
				return null;
			}
			while (true) {
				int current = this.taken.get();
				if (current >= this.permitted) {
					if (DefaultCircuitBreaker.this.state.get() != this) {
						return null;
					}
					throw reject(this, this.notPermitted);
				}
				if (this.taken.compareAndSet(current, current + 1)) {
					return this;
				}
			}
		}

		@Override
		public void release() {
			this.taken.decrementAndGet();
		}

		@Override
		void record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
			if (DefaultCircuitBreaker.this.state.get() != this) {
				return;
			}
			if ((outcome & SlidingWindow.FAILED) != 0) {
				this.failed.incrementAndGet();
			}
			if ((outcome & SlidingWindow.SLOW) != 0) {
				this.slow.incrementAndGet();
				if ((outcome & SlidingWindow.FAILED) != 0) {
					this.slowFailed.incrementAndGet();
				}
			}
			// Counted last, so that whoever completes the last trial sees all outcomes.
			if (this.completed.incrementAndGet() == this.permitted) {
				// One reading decides and is shown.
				int failedTrials = this.failed.get();
				int slowTrials = this.slow.get();
				WindowFigures trials = WindowFigures.of(this.permitted, failedTrials, slowTrials, this.slowFailed.get(),
						this.permitted);
				Figures figures = new Figures(trials, config);
				boolean open = SlidingWindow.thresholdReached(config, failedTrials, slowTrials, this.permitted);
				transition(this, open ? new Open(nextStreak(this.streak), trials, openedBy(figures), figures)
						: new Closed(newWindow(config), Cause.TRIAL_CALLS_PASSED, figures));
			}
		}

		@Override
		WindowFigures figures(CircuitBreakerConfig config) {
			return WindowFigures.of(this.completed.get(), this.failed.get(), this.slow.get(), this.slowFailed.get(),
					this.permitted);
		}

		@Override
		long notPermittedCalls() {
			return this.notPermitted.sum();
		}

	}

	private final class ForcedOpen extends Rejecting {

		ForcedOpen() {
			super(Cause.MANUAL, null);
		}

		@Override
		State state() {
			return State.FORCED_OPEN;
		}

		@Override
		@Nullable Permit tryAcquire() {
			if (DefaultCircuitBreaker.this.state.get() != this) {
				return null;
			}
			throw rejectCall();
		}

	}

	private final class Disabled extends CircuitState {

		Disabled() {
			super(Cause.MANUAL, null);
		}

		@Override
		State state() {
			return State.DISABLED;
		}

		@Override
		Permit tryAcquire() {
			return this;
		}

	}

}
