package dev.resilience.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
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
 * harmless.
 *
 * CLOSED records into a sliding window:
 * - CountWindow: a ring of outcome bytes (bit 0 failed, bit 1 slow) written with one
 *   getAndIncrement on the call index and one getAndSet on the slot. The failure and slow
 *   counts live in one AtomicLong as two 32-bit lanes, each biased by 2^30: a thread that
 *   overwrites a failure applies -1 possibly before the thread that wrote it applied +1,
 *   and the bias keeps such a transiently negative lane from borrowing from the other one.
 *   When the old and new outcomes are equal (a success overwriting a success) the counts
 *   do not change and are not touched. The rates can only rise when a failure or slow call
 *   is added, or when the window first reaches the minimum number of calls, so only those
 *   calls evaluate the thresholds (and the first call recorded under a new configuration,
 *   whose thresholds or minimum may have moved), from the counts their own atomic update
 *   returned and the call index read after it (so that of two racing calls, the later one
 *   sees both).
 *   Once all calls have completed the counts are exact.
 * - TimeWindow: one bucket per second (calls, failures, slow) in an AtomicLongArray and
 *   running totals in AtomicLongs. A call within the current second adds to its bucket and
 *   to the totals without a lock. The first call of a new second takes a ReentrantLock to
 *   evict the buckets that fell out of the window (at most slidingWindowSize of them, once
 *   per second); eviction takes each bucket's counts with getAndSet(0) and subtracts exactly
 *   what it took from the totals, so a call racing with eviction lands in some bucket and
 *   the totals and buckets never drift apart. Metrics evict too, so an idle breaker's rates
 *   decay.
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

	private static final int SUCCESS = 0;

	private static final int FAILED = 1;

	private static final int SLOW = 2;

	// Not an outcome bit: onFailure's verdict for an ignored exception.
	private static final int IGNORED = 4;

	/** The transitions the breaker makes by itself; manual transitions are all legal. */
	private static final Map<State, Set<State>> AUTOMATIC_TRANSITIONS = automaticTransitions();

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final EventPublisher<CircuitBreakerEvent> events = new EventPublisher<>();

	private final AtomicReference<CircuitState> state;

	private volatile CircuitBreakerConfig config;

	private final LongAdder totalSuccessful = new LongAdder();

	private final LongAdder totalFailed = new LongAdder();

	private final LongAdder totalIgnored = new LongAdder();

	private final LongAdder totalNotPermitted = new LongAdder();

	private final LongAdder totalSlow = new LongAdder();

	private static final System.Logger logger = System.getLogger(CircuitBreaker.class.getName());

	private final OnceWarning predicateFailures = new OnceWarning();

	DefaultCircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.config = Objects.requireNonNull(config, "config must not be null");
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
		this.state = new AtomicReference<>(new Closed(newWindow(config)));
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
			case CLOSED -> new Closed(newWindow(this.config));
			case OPEN -> new Open(1, Figures.EMPTY);
			case HALF_OPEN -> new HalfOpen(0);
			case FORCED_OPEN -> new ForcedOpen();
			case DISABLED -> new Disabled();
		};
		CircuitState previous = this.state.getAndSet(next);
		entered(previous, next, CircuitBreakerEvent.Type.STATE_TRANSITION);
	}

	@Override
	public void reset() {
		CircuitState next = new Closed(newWindow(this.config));
		CircuitState previous = this.state.getAndSet(next);
		// Not atomic with calls in flight: a racing outcome may survive the reset.
		this.totalSuccessful.reset();
		this.totalFailed.reset();
		this.totalIgnored.reset();
		this.totalNotPermitted.reset();
		this.totalSlow.reset();
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
				if (!this.state.compareAndSet(current, new Closed(newWindow(config)))) {
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
		Figures figures = current.figures(this.config);
		return new Metrics(current.state(), figures.failureRate, figures.slowCallRate, figures.bufferedCalls,
				figures.failedCalls, figures.slowCalls, current.notPermittedCalls(), this.totalSuccessful.sum(),
				this.totalFailed.sum(), this.totalIgnored.sum(), this.totalNotPermitted.sum(), this.totalSlow.sum());
	}

	@Override
	public EventPublisher<CircuitBreakerEvent> events() {
		return this.events;
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
				complete(permit, config, startNanos, FAILED, null);
				return;
			}
		}
		complete(permit, config, startNanos, SUCCESS, null);
	}

	private void onFailure(CircuitState permit, long startNanos, Throwable failure) {
		Objects.requireNonNull(failure, "failure must not be null");
		CircuitBreakerConfig config = this.config;
		int outcome;
		try {
			outcome = config.exceptionMatcher().matches(failure) ? FAILED
					: config.isIgnored(failure) ? IGNORED : SUCCESS;
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
		if (this.events.hasListeners()) {
			long duration = (config.slowCallDurationThresholdNanos >= 0) ? this.ticker.read() - startNanos : -1;
			publish(CircuitBreakerEvent.Type.IGNORED_ERROR, duration, failure, null, null);
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
				outcome |= SLOW;
				this.totalSlow.increment();
			}
		}
		boolean failed = (outcome & FAILED) != 0;
		(failed ? this.totalFailed : this.totalSuccessful).increment();
		if (this.events.hasListeners()) {
			publish(failed ? CircuitBreakerEvent.Type.ERROR : CircuitBreakerEvent.Type.SUCCESS, duration, failure, null,
					null);
		}
		permit.record(config, outcome, timed, now);
	}

	private CallNotPermittedException reject(CircuitState current, LongAdder notPermitted) {
		notPermitted.increment();
		this.totalNotPermitted.increment();
		if (this.events.hasListeners()) {
			publish(CircuitBreakerEvent.Type.NOT_PERMITTED, -1, null, null, null);
		}
		return new CallNotPermittedException(this.name, current.state());
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
		if (this.events.hasListeners()) {
			publish(eventType, -1, null, from.state(), to.state());
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
			transition(open, new HalfOpen(open.streak));
		}
	}

	private void halfOpenWaitElapsed(HalfOpen halfOpen) {
		if (this.state.get() == halfOpen) {
			transition(halfOpen, new Open(nextStreak(halfOpen.streak), halfOpen.figures(this.config)));
		}
	}

	private static int nextStreak(int streak) {
		return (streak == Integer.MAX_VALUE) ? streak : streak + 1;
	}

	private Window newWindow(CircuitBreakerConfig config) {
		return (config.slidingWindowType() == SlidingWindowType.COUNT_BASED)
				? new CountWindow(config.slidingWindowSize()) : new TimeWindow(config.slidingWindowSize(), this.ticker);
	}

	private void publish(CircuitBreakerEvent.Type type, long durationNanos, @Nullable Throwable failure,
			@Nullable State from, @Nullable State to) {
		this.events.publish(new CircuitBreakerEvent(this.name, type, durationNanos, failure, from, to));
	}

	private static boolean thresholdReached(CircuitBreakerConfig config, long failed, long slow, long calls) {
		return rate(failed, calls) >= config.failureRateThreshold()
				|| rate(slow, calls) >= config.slowCallRateThreshold();
	}

	private static float rate(long count, long calls) {
		return count * 100.0f / calls;
	}

	// States

	/**
	 * One entry into a state, and the permit of the calls it permits.
	 */
	private abstract class CircuitState implements Permit {

		/** The task scheduled for this state entry, cancelled when the state is left. */
		volatile Scheduler.@Nullable Cancellable task;

		abstract State state();

		/**
		 * Returns a permit, or {@code null} if the state was left and the caller must
		 * retry with the new one.
		 * @throws CallNotPermittedException if this state rejects the call
		 */
		abstract @Nullable Permit tryAcquire();

		/** Records a counted outcome ({@link #FAILED}, {@link #SLOW} bits). */
		void record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
		}

		Figures figures(CircuitBreakerConfig config) {
			return Figures.EMPTY;
		}

		long notPermittedCalls() {
			return 0;
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

	private final class Closed extends CircuitState {

		final Window window;

		Closed(Window window) {
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
			if (this.window.record(config, outcome, timed, now) && DefaultCircuitBreaker.this.state.get() == this) {
				transition(this, new Open(1, this.window.figures(config)));
			}
		}

		@Override
		Figures figures(CircuitBreakerConfig config) {
			return this.window.figures(config);
		}

	}

	private final class Open extends CircuitState {

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
		final Figures figures;

		final LongAdder notPermitted = new LongAdder();

		Open(int streak, Figures figures) {
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
			throw reject(this, this.notPermitted);
		}

		@Override
		Figures figures(CircuitBreakerConfig config) {
			return this.figures;
		}

		@Override
		long notPermittedCalls() {
			return this.notPermitted.sum();
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

		final LongAdder notPermitted = new LongAdder();

		HalfOpen(int streak) {
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
			if ((outcome & FAILED) != 0) {
				this.failed.incrementAndGet();
			}
			if ((outcome & SLOW) != 0) {
				this.slow.incrementAndGet();
			}
			// Counted last, so that whoever completes the last trial sees all outcomes.
			if (this.completed.incrementAndGet() == this.permitted) {
				boolean open = thresholdReached(config, this.failed.get(), this.slow.get(), this.permitted);
				transition(this,
						open ? new Open(nextStreak(this.streak), figures(config)) : new Closed(newWindow(config)));
			}
		}

		@Override
		Figures figures(CircuitBreakerConfig config) {
			return Figures.of(this.completed.get(), this.failed.get(), this.slow.get(), this.permitted);
		}

		@Override
		long notPermittedCalls() {
			return this.notPermitted.sum();
		}

	}

	private final class ForcedOpen extends CircuitState {

		final LongAdder notPermitted = new LongAdder();

		@Override
		State state() {
			return State.FORCED_OPEN;
		}

		@Override
		@Nullable Permit tryAcquire() {
			if (DefaultCircuitBreaker.this.state.get() != this) {
				return null;
			}
			throw reject(this, this.notPermitted);
		}

		@Override
		long notPermittedCalls() {
			return this.notPermitted.sum();
		}

	}

	private final class Disabled extends CircuitState {

		@Override
		State state() {
			return State.DISABLED;
		}

		@Override
		Permit tryAcquire() {
			return this;
		}

	}

	// Windows

	/**
	 * The window figures of a state, with the rates computed.
	 */
	private static final class Figures {

		static final Figures EMPTY = new Figures(-1, -1, 0, 0, 0);

		final float failureRate;

		final float slowCallRate;

		final int bufferedCalls;

		final int failedCalls;

		final int slowCalls;

		private Figures(float failureRate, float slowCallRate, int bufferedCalls, int failedCalls, int slowCalls) {
			this.failureRate = failureRate;
			this.slowCallRate = slowCallRate;
			this.bufferedCalls = bufferedCalls;
			this.failedCalls = failedCalls;
			this.slowCalls = slowCalls;
		}

		static Figures of(long calls, long failed, long slow, int minimumNumberOfCalls) {
			int buffered = clamp(calls, Integer.MAX_VALUE);
			int failedCalls = clamp(failed, buffered);
			int slowCalls = clamp(slow, buffered);
			boolean rated = buffered > 0 && buffered >= minimumNumberOfCalls;
			return new Figures(rated ? rate(failedCalls, buffered) : -1, rated ? rate(slowCalls, buffered) : -1,
					buffered, failedCalls, slowCalls);
		}

		// Between two atomic reads a racing call may be half-recorded: stay in range.
		private static int clamp(long value, int max) {
			return (int) Math.max(0, Math.min(value, max));
		}

	}

	/**
	 * The sliding window of the closed state.
	 */
	private abstract static class Window {

		/**
		 * Records an outcome.
		 * @param config the configuration in force
		 * @param outcome the outcome bits
		 * @param timed whether {@code now} holds a ticker reading taken for this call
		 * @param now the ticker reading, if {@code timed}
		 * @return {@code true} if a threshold was reached
		 */
		abstract boolean record(CircuitBreakerConfig config, int outcome, boolean timed, long now);

		abstract Figures figures(CircuitBreakerConfig config);

		/** Tells whether this window has the type and size {@code config} asks for. */
		abstract boolean fits(CircuitBreakerConfig config);

	}

	/**
	 * The last {@code size} outcomes, lock-free; see the design notes.
	 */
	private static final class CountWindow extends Window {

		private static final VarHandle RING = MethodHandles.arrayElementVarHandle(byte[].class);

		private static final long BIAS = 1L << 30;

		private static final long LOW_LANE = 0xFFFF_FFFFL;

		final int size;

		private final byte[] ring;

		/**
		 * How many outcomes were ever recorded; the next slot is {@code index % size}.
		 */
		private final AtomicLong index = new AtomicLong();

		/** Failures in the high lane, slow calls in the low lane, each biased. */
		private final AtomicLong counts = new AtomicLong((BIAS << 32) | BIAS);

		// The configuration the thresholds were last evaluated with; a call recorded
		// under another one evaluates, so a reconfiguration applies from the next call
		// on. Plain field: a stale read only costs one more evaluation.
		private @Nullable CircuitBreakerConfig evaluatedWith;

		CountWindow(int size) {
			this.size = size;
			this.ring = new byte[size];
		}

		@Override
		boolean record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
			long sequence = this.index.getAndIncrement();
			int old = (byte) RING.getAndSet(this.ring, (int) (sequence % this.size), (byte) outcome);
			int minimum = Math.min(config.minimumNumberOfCalls(), this.size);
			long packed;
			if (old == outcome) {
				// Only the number of calls changed, which lowers the rates unless it
				// just reached the minimum (or the thresholds changed).
				if (sequence + 1 != minimum && config == this.evaluatedWith) {
					return false;
				}
				packed = this.counts.get();
			}
			else {
				packed = this.counts.addAndGet(delta(old, outcome));
			}
			this.evaluatedWith = config;
			// Read after our update, so that of two racing calls the later sees both.
			long buffered = Math.min(this.index.get(), this.size);
			if (buffered < minimum) {
				return false;
			}
			return thresholdReached(config, failures(packed), slowCalls(packed), buffered);
		}

		private static long delta(int old, int outcome) {
			long failures = (outcome & FAILED) - (old & FAILED);
			long slow = ((outcome & SLOW) - (old & SLOW)) >> 1;
			return (failures << 32) + slow;
		}

		private static long failures(long packed) {
			return (packed >>> 32) - BIAS;
		}

		private static long slowCalls(long packed) {
			return (packed & LOW_LANE) - BIAS;
		}

		@Override
		Figures figures(CircuitBreakerConfig config) {
			long packed = this.counts.get();
			long buffered = Math.min(this.index.get(), this.size);
			return Figures.of(buffered, failures(packed), slowCalls(packed),
					Math.min(config.minimumNumberOfCalls(), this.size));
		}

		@Override
		boolean fits(CircuitBreakerConfig config) {
			return config.slidingWindowType() == SlidingWindowType.COUNT_BASED
					&& config.slidingWindowSize() == this.size;
		}

	}

	/**
	 * The outcomes of the last {@code size} seconds, in one-second buckets; see the
	 * design notes.
	 */
	private static final class TimeWindow extends Window {

		private static final long NANOS_PER_SECOND = 1_000_000_000L;

		private static final int CALLS = 0;

		private static final int FAILURES = 1;

		private static final int SLOW_CALLS = 2;

		final int size;

		private final Ticker ticker;

		/** Three counters per bucket: calls, failures, slow calls. */
		private final AtomicLongArray buckets;

		private final AtomicLong calls = new AtomicLong();

		private final AtomicLong failures = new AtomicLong();

		private final AtomicLong slowCalls = new AtomicLong();

		private final ReentrantLock rollLock = new ReentrantLock();

		/**
		 * The newest second the buckets are set up for; they hold (head - size, head].
		 */
		private volatile long head;

		TimeWindow(int size, Ticker ticker) {
			this.size = size;
			this.ticker = ticker;
			this.buckets = new AtomicLongArray(3 * size);
			this.head = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
		}

		@Override
		boolean record(CircuitBreakerConfig config, int outcome, boolean timed, long now) {
			long second = Math.floorDiv(timed ? now : this.ticker.read(), NANOS_PER_SECOND);
			long head = this.head;
			if (second > head) {
				roll(second);
			}
			else if (head - second >= this.size) {
				// A reading older than the window (a thread delayed across a roll): count
				// it in the newest second rather than in a bucket now meant for another.
				second = head;
			}
			int base = 3 * Math.floorMod(second, this.size);
			this.buckets.getAndIncrement(base + CALLS);
			long calls = this.calls.incrementAndGet();
			long failed;
			if ((outcome & FAILED) != 0) {
				this.buckets.getAndIncrement(base + FAILURES);
				failed = this.failures.incrementAndGet();
			}
			else {
				failed = this.failures.get();
			}
			long slow;
			if ((outcome & SLOW) != 0) {
				this.buckets.getAndIncrement(base + SLOW_CALLS);
				slow = this.slowCalls.incrementAndGet();
			}
			else {
				slow = this.slowCalls.get();
			}
			// Evicting old successes can raise the rates, so every call evaluates.
			if (calls < config.minimumNumberOfCalls()) {
				return false;
			}
			return thresholdReached(config, failed, slow, calls);
		}

		/**
		 * Evicts the buckets of the seconds that fell out of the window at
		 * {@code second}.
		 */
		private void roll(long second) {
			this.rollLock.lock();
			try {
				long head = this.head;
				if (second <= head) {
					return;
				}
				long evicted = Math.min(second - head, this.size);
				for (long i = 1; i <= evicted; i++) {
					evict(3 * Math.floorMod(head + i, this.size));
				}
				this.head = second;
			}
			finally {
				this.rollLock.unlock();
			}
		}

		private void evict(int base) {
			// Subtract exactly what was taken from the bucket, so that a call racing with
			// eviction is either evicted from both or kept in both.
			long calls = this.buckets.getAndSet(base + CALLS, 0);
			if (calls != 0) {
				this.calls.addAndGet(-calls);
			}
			long failed = this.buckets.getAndSet(base + FAILURES, 0);
			if (failed != 0) {
				this.failures.addAndGet(-failed);
			}
			long slow = this.buckets.getAndSet(base + SLOW_CALLS, 0);
			if (slow != 0) {
				this.slowCalls.addAndGet(-slow);
			}
		}

		@Override
		Figures figures(CircuitBreakerConfig config) {
			long second = Math.floorDiv(this.ticker.read(), NANOS_PER_SECOND);
			if (second > this.head) {
				roll(second);
			}
			return Figures.of(this.calls.get(), this.failures.get(), this.slowCalls.get(),
					config.minimumNumberOfCalls());
		}

		@Override
		boolean fits(CircuitBreakerConfig config) {
			return config.slidingWindowType() == SlidingWindowType.TIME_BASED
					&& config.slidingWindowSize() == this.size;
		}

	}

}
