package dev.resilience.retry;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * A retry: it calls again, after a wait, when a call fails in a way worth retrying.
 * <p>
 * <b>Protocol.</b> The caller runs the loop and asks after each attempt (numbered from 1)
 * what to do: {@link #onResult} after a return, {@link #onFailure} after a throw. The
 * answer is the wait in nanoseconds before the next attempt, or {@link #NO_RETRY}: then
 * the execution is over, its outcome has been recorded, and the caller returns the result
 * or rethrows the failure. Synchronous callers wait with {@link Scheduler#sleep(long)};
 * asynchronous ones schedule the next attempt with {@link Scheduler#schedule}, so no
 * thread is blocked. The decision needs no per-execution object, so the success path
 * allocates nothing.
 * <p>
 * A call rejected by a circuit breaker, rate limiter or bulkhead is not retried unless
 * the configuration says so. With a retry budget, retries are refused while the
 * instance's failures have drained the budget below half, so a fleet under failure does
 * not multiply its load.
 * <p>
 * Thread-safe: one instance serves any number of concurrent executions.
 */
public interface Retry extends Policy<RetryConfig> {

	/** The answer that ends the execution: return the result or rethrow the failure. */
	long NO_RETRY = -1L;

	/**
	 * The answer of the bounded {@link #onResult(int, Object, long)} and
	 * {@link #onFailure(int, Throwable, long)} that ends the execution because the next
	 * attempt would have been made but its wait does not fit in the caller's bound (the
	 * request's deadline): return the result or rethrow the failure. The execution is
	 * recorded as over, with a {@link RetryEvent.Type#DEADLINE_EXCEEDED} event.
	 */
	long NO_TIME = -2L;

	/**
	 * Creates a retry on the system clock.
	 * @param name the name
	 * @param config the configuration
	 * @return the retry
	 */
	static Retry of(String name, RetryConfig config) {
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a retry.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler callers wait on
	 * @return the retry
	 */
	static Retry of(String name, RetryConfig config, Ticker ticker, Scheduler scheduler) {
		return new DefaultRetry(name, config, ticker, scheduler);
	}

	/**
	 * Decides after an attempt that returned.
	 * @param attempt the attempt's number, from 1
	 * @param result what it returned
	 * @return the wait in nanoseconds before the next attempt, or {@link #NO_RETRY}
	 */
	long onResult(int attempt, @Nullable Object result);

	/**
	 * Decides after an attempt that threw.
	 * @param attempt the attempt's number, from 1
	 * @param failure what it threw
	 * @return the wait in nanoseconds before the next attempt, or {@link #NO_RETRY}
	 */
	long onFailure(int attempt, Throwable failure);

	/**
	 * Decides after an attempt that returned, for an execution that must end within
	 * {@code boundNanos}: like {@link #onResult(int, Object)}, but a retry whose wait is
	 * not shorter than the bound (so the next attempt would have no time) is not made.
	 * @param attempt the attempt's number, from 1
	 * @param result what it returned
	 * @param boundNanos the time left for the wait and the next attempt, in nanoseconds
	 * @return the wait in nanoseconds, {@link #NO_RETRY}, or {@link #NO_TIME}
	 */
	long onResult(int attempt, @Nullable Object result, long boundNanos);

	/**
	 * Decides after an attempt that threw, for an execution that must end within
	 * {@code boundNanos}: like {@link #onFailure(int, Throwable)}, but a retry whose wait
	 * is not shorter than the bound is not made.
	 * @param attempt the attempt's number, from 1
	 * @param failure what it threw
	 * @param boundNanos the time left for the wait and the next attempt, in nanoseconds
	 * @return the wait in nanoseconds, {@link #NO_RETRY}, or {@link #NO_TIME}
	 */
	long onFailure(int attempt, Throwable failure, long boundNanos);

	/**
	 * Returns the scheduler callers wait on between attempts.
	 * @return the scheduler
	 */
	Scheduler scheduler();

	/**
	 * Zeroes the counters and fills the retry budget again, as in a new instance.
	 * Executions in flight carry on (their caller owns the loop): their next decisions
	 * are taken against the reset state. Thread-safe; an outcome counted, or a token
	 * taken, while the reset runs may or may not survive it.
	 */
	@Override
	void reset();

	/**
	 * Returns a snapshot of the counters.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<RetryEvent> events();

	/**
	 * Counts of finished executions by outcome, since creation or the last
	 * {@link #reset()}.
	 *
	 * @param successfulCallsWithoutRetry succeeded at the first attempt
	 * @param successfulCallsWithRetry succeeded after at least one retry
	 * @param failedCallsWithoutRetry failed at the first attempt and were not retried
	 * (the failure was not retryable, or the budget refused)
	 * @param failedCallsWithRetry failed after at least one retry
	 * @param budgetTokens the retry budget's tokens, or {@code -1} without a budget
	 * @param budgetExhaustedCalls executions that ended because the retry budget refused
	 * a retry that the configuration allowed (the failure was retryable and attempts were
	 * left); each is also counted in {@code failedCallsWithoutRetry} or
	 * {@code failedCallsWithRetry}; always 0 without a budget
	 */
	record Metrics(long successfulCallsWithoutRetry, long successfulCallsWithRetry, long failedCallsWithoutRetry,
			long failedCallsWithRetry, double budgetTokens, long budgetExhaustedCalls) {
	}

}
