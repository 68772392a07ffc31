package dev.resilience.retry;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.internal.OnceWarning;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Concurrent design.
 *
 * The retry keeps no per-execution state: the caller owns the loop and passes the attempt
 * number, so one instance serves any number of executions and a decision is a pure
 * function of (config, attempt, outcome) plus two pieces of shared state:
 *
 * - Four LongAdder counters, one per outcome; each finished execution increments exactly
 *   one. A fifth counts the executions the budget ended (also counted by outcome). A
 *   success at the first attempt with no result predicate and no budget is one
 *   volatile read of the config and one LongAdder increment: no lock, no allocation, no
 *   clock read (a retry never reads the clock; the caller waits on the scheduler).
 *
 * - The retry budget, one AtomicLong of milli-tokens (fixed point, so that the fractional
 *   token ratio needs no double CAS). A failed attempt takes 1000 (floored at zero) with a
 *   CAS loop and the retry is allowed only if what is left is more than half the maximum;
 *   a success adds the ratio with a CAS loop capped at the maximum, and skips the CAS
 *   altogether when the budget is full, so a healthy instance does not contend on it.
 *
 * The config is one volatile field, read once per decision so that a decision never mixes
 * two configurations. reconfigure() swaps it and keeps counters and tokens; tokens are
 * clamped to the new maximum (a deposit racing with reconfigure() may briefly leave them
 * above it; the next withdrawal clamps again).
 *
 * Events are allocated only when someone listens. A retry predicate that throws ends the
 * execution with the attempt's own outcome (the predicate's exception suppressed on a
 * failure) and is logged: a broken predicate must not turn into retries or a hang.
 */
final class DefaultRetry implements Retry {

	private static final long MILLIS_PER_TOKEN = 1000L;

	private final String name;

	private final Scheduler scheduler;

	private final EventPublisher<RetryEvent> events = new EventPublisher<>();

	private final LongAdder successfulCallsWithoutRetry = new LongAdder();

	private final LongAdder successfulCallsWithRetry = new LongAdder();

	private final LongAdder failedCallsWithoutRetry = new LongAdder();

	private final LongAdder failedCallsWithRetry = new LongAdder();

	// Executions the budget ended, on top of their outcome counter: only on the failure
	// path, so a success costs nothing more.
	private final LongAdder budgetExhaustedCalls = new LongAdder();

	private final AtomicLong budgetMilliTokens;

	private volatile RetryConfig config;

	private static final System.Logger logger = System.getLogger(Retry.class.getName());

	private final OnceWarning predicateFailures = new OnceWarning();

	DefaultRetry(String name, RetryConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = SettingValidation.notNull(name, "name");
		this.config = SettingValidation.notNull(config, "config");
		// A retry measures no time; the ticker is only part of the factory's shape.
		SettingValidation.notNull(ticker, "ticker");
		this.scheduler = SettingValidation.notNull(scheduler, "scheduler");
		this.budgetMilliTokens = new AtomicLong(config.budgetMaxMilliTokens());
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public RetryConfig config() {
		return this.config;
	}

	@Override
	public void reconfigure(RetryConfig config) {
		Objects.requireNonNull(config, "config must not be null");
		RetryConfig previous = this.config;
		this.config = config;
		if (!config.budgetEnabled()) {
			return;
		}
		long max = config.budgetMaxMilliTokens();
		if (previous.budgetEnabled()) {
			this.budgetMilliTokens.accumulateAndGet(max, Math::min);
		}
		else {
			// A budget switched on starts full, as a new instance's would.
			this.budgetMilliTokens.set(max);
		}
	}

	@Override
	public void reset() {
		this.successfulCallsWithoutRetry.reset();
		this.successfulCallsWithRetry.reset();
		this.failedCallsWithoutRetry.reset();
		this.failedCallsWithRetry.reset();
		this.budgetExhaustedCalls.reset();
		// Full, as a new instance's: withdrawals and deposits are CAS loops, so one that
		// raced with this set applies to the full budget or is overwritten by it.
		this.budgetMilliTokens.set(this.config.budgetMaxMilliTokens());
	}

	@Override
	public long onResult(int attempt, @Nullable Object result) {
		return onResult(attempt, result, Long.MAX_VALUE);
	}

	@Override
	public long onResult(int attempt, @Nullable Object result, long boundNanos) {
		RetryConfig config = this.config;
		Predicate<Object> retryOnResult = config.retryOnResult();
		if (retryOnResult != null && testResult(retryOnResult, result)) {
			return onFailedAttempt(config, attempt, result, null, true, boundNanos);
		}
		if (config.budgetEnabled()) {
			deposit(config);
		}
		if (attempt <= 1) {
			this.successfulCallsWithoutRetry.increment();
		}
		else {
			this.successfulCallsWithRetry.increment();
			publish(RetryEvent.Type.SUCCESS, attempt, NO_RETRY, null);
		}
		return NO_RETRY;
	}

	@Override
	public long onFailure(int attempt, Throwable failure) {
		return onFailure(attempt, failure, Long.MAX_VALUE);
	}

	@Override
	public long onFailure(int attempt, Throwable failure, long boundNanos) {
		Objects.requireNonNull(failure, "failure must not be null");
		RetryConfig config = this.config;
		boolean retryable;
		try {
			retryable = config.isRetryable(failure);
		}
		catch (RuntimeException | Error ex) {
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
			if (ex != failure) {
				failure.addSuppressed(ex);
			}
			this.predicateFailures.log(logger,
					() -> "Retry '" + this.name + "': retryOnExceptionPredicate threw; the failure is not retried", ex);
			retryable = false;
		}
		return onFailedAttempt(config, attempt, null, failure, retryable, boundNanos);
	}

	/**
	 * Tests a result; a predicate that throws says "do not retry" (and is logged), so the
	 * execution ends with the result it returned.
	 */
	private boolean testResult(Predicate<Object> retryOnResult, @Nullable Object result) {
		try {
			return retryOnResult.test(result);
		}
		catch (RuntimeException | Error ex) {
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
			this.predicateFailures.log(logger,
					() -> "Retry '" + this.name + "': retryOnResult threw; the result is returned, not retried", ex);
			return false;
		}
	}

	private long onFailedAttempt(RetryConfig config, int attempt, @Nullable Object result, @Nullable Throwable failure,
			boolean retryable, long boundNanos) {
		// Every failed attempt takes a token, retried or not (gRPC retry throttling).
		boolean budgetAllows = !config.budgetEnabled() || withdraw(config);
		if (!retryable) {
			return giveUp(RetryEvent.Type.IGNORED_ERROR, attempt, failure);
		}
		if (attempt >= config.maxAttempts()) {
			return giveUp(RetryEvent.Type.ERROR, attempt, failure);
		}
		if (!budgetAllows) {
			this.budgetExhaustedCalls.increment();
			return giveUp(RetryEvent.Type.BUDGET_EXHAUSTED, attempt, failure);
		}
		long wait = waitNanos(config, attempt);
		RetryConfig.MinimumWait minimumWait = config.minimumWait();
		if (minimumWait != null) {
			long least = minimumWait.minimumWaitNanos(result, failure);
			if (least > config.maxWaitNanos()) {
				// The outcome asks for a longer wait than this retry may make: waiting
				// less would ignore it, so the execution ends with it now.
				return giveUp(RetryEvent.Type.ERROR, attempt, failure);
			}
			wait = Math.max(wait, least);
		}
		if (wait >= boundNanos) {
			// The next attempt would start with no time left: over now, with the
			// outcome in hand, rather than after a wait that ends past the deadline.
			giveUp(RetryEvent.Type.DEADLINE_EXCEEDED, attempt, failure);
			return NO_TIME;
		}
		publish(RetryEvent.Type.RETRY, attempt, wait, failure);
		return wait;
	}

	private long giveUp(RetryEvent.Type type, int attempt, @Nullable Throwable failure) {
		if (attempt <= 1) {
			this.failedCallsWithoutRetry.increment();
		}
		else {
			this.failedCallsWithRetry.increment();
		}
		publish(type, attempt, NO_RETRY, failure);
		return NO_RETRY;
	}

	/**
	 * Computes the wait before retry {@code retry} (1 before attempt 2): the exponential
	 * wait, capped, then jittered.
	 */
	static long waitNanos(RetryConfig config, int retry) {
		long wait = config.waitNanos();
		double multiplier = config.exponentialBackoffMultiplier();
		if (multiplier != 1.0 && retry > 1) {
			double exponential = wait * Math.pow(multiplier, retry - 1);
			// The cast saturates at Long.MAX_VALUE: unbounded growth cannot overflow.
			wait = (exponential >= config.maxWaitNanos()) ? config.maxWaitNanos() : (long) exponential;
		}
		double factor = config.randomizedWaitFactor();
		if (factor == 0.0 || wait == 0) {
			return wait;
		}
		// delta <= wait * factor, so every draw lies within [w*(1-f), w*(1+f)]; the
		// draw is over integers, both ends included.
		long delta = (long) (wait * factor);
		if (delta == 0) {
			return wait;
		}
		long low = wait - delta;
		long high = (wait > Long.MAX_VALUE - delta) ? Long.MAX_VALUE : wait + delta;
		return (high == Long.MAX_VALUE) ? ThreadLocalRandom.current().nextLong(low, high)
				: ThreadLocalRandom.current().nextLong(low, high + 1);
	}

	/**
	 * Takes one token; tells whether a retry is allowed by what is left.
	 */
	private boolean withdraw(RetryConfig config) {
		long max = config.budgetMaxMilliTokens();
		while (true) {
			long current = this.budgetMilliTokens.get();
			long next = Math.max(0, Math.min(current, max) - MILLIS_PER_TOKEN);
			if (next == current || this.budgetMilliTokens.compareAndSet(current, next)) {
				// Strictly more than half: 2 * next > max, exact in milli-tokens.
				return 2 * next > max;
			}
		}
	}

	private void deposit(RetryConfig config) {
		long max = config.budgetMaxMilliTokens();
		long ratio = config.budgetMilliTokenRatio();
		while (true) {
			long current = this.budgetMilliTokens.get();
			if (current >= max) {
				return;
			}
			if (this.budgetMilliTokens.compareAndSet(current, Math.min(max, current + ratio))) {
				return;
			}
		}
	}

	private void publish(RetryEvent.Type type, int attempt, long waitNanos, @Nullable Throwable failure) {
		if (this.events.hasListeners()) {
			this.events.publish(new RetryEvent(this.name, type, attempt, waitNanos, failure));
		}
	}

	@Override
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public Metrics metrics() {
		RetryConfig config = this.config;
		double tokens = config.budgetEnabled()
				? (double) Math.min(this.budgetMilliTokens.get(), config.budgetMaxMilliTokens()) / MILLIS_PER_TOKEN
				: -1;
		return new Metrics(this.successfulCallsWithoutRetry.sum(), this.successfulCallsWithRetry.sum(),
				this.failedCallsWithoutRetry.sum(), this.failedCallsWithRetry.sum(), tokens,
				this.budgetExhaustedCalls.sum());
	}

	@Override
	public EventPublisher<RetryEvent> events() {
		return this.events;
	}

	@Override
	public String toString() {
		return "Retry '" + this.name + "' " + this.config;
	}

}
