package dev.resilience.timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.resilience.core.CheckedSupplier;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * A timeout: a call that has not finished after {@code timeoutDuration} is cut off and
 * its caller gets {@link TimeoutExceededException}.
 * <p>
 * <b>Synchronous calls</b> run on the caller's thread. At the deadline that thread is
 * interrupted, so blocking I/O and waits that honour interruption stop; when the call
 * comes back the interrupt status is cleared and {@link TimeoutExceededException} is
 * thrown (with the call's own exception, if any, as its cause). A call that ignores
 * interruption is not stopped, but its caller still gets the timeout exception when it
 * returns.
 * <p>
 * <b>Asynchronous calls</b>: the returned future completes exceptionally at the deadline
 * and, with {@code cancelRunningFuture}, the call's own future is cancelled.
 * <p>
 * <b>Calls timed by their caller</b>, such as a reactive stream whose deadline is armed
 * again for every element: the caller arms its deadlines on {@link #scheduler()} for
 * {@link TimeoutConfig#timeoutDuration()} and reports the outcome through
 * {@link #onSuccess()}, {@link #onFailure(Throwable)} or
 * {@link #onTimeout(TimeoutExceededException)}, once per call, so that the metrics and
 * events are the same as for the calls this interface runs itself.
 * <p>
 * Arming a deadline schedules one task on the {@link Scheduler}; nothing else is
 * allocated. Thread-safe.
 */
public interface Timeout extends Policy<TimeoutConfig> {

	/**
	 * Creates a timeout on the system clock and scheduler.
	 * @param name the name
	 * @param config the configuration
	 * @return the timeout
	 */
	static Timeout of(String name, TimeoutConfig config) {
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a timeout.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler that fires deadlines
	 * @return the timeout
	 */
	static Timeout of(String name, TimeoutConfig config, Ticker ticker, Scheduler scheduler) {
		return new DefaultTimeout(name, config, ticker, scheduler);
	}

	/**
	 * Runs a call on the calling thread, interrupting it at the deadline.
	 * @param <T> the result type
	 * @param call the call
	 * @return the call's result
	 * @throws TimeoutExceededException if the deadline passed before the call came back
	 * @throws Throwable whatever the call threw before the deadline
	 */
	<T> T execute(CheckedSupplier<T> call) throws Throwable;

	/**
	 * Starts an asynchronous call and bounds it by the deadline.
	 * @param <T> the result type
	 * @param call starts the call
	 * @return a future that completes with the call's outcome, or with
	 * {@link TimeoutExceededException} at the deadline
	 */
	<T> CompletableFuture<T> executeAsync(CheckedSupplier<? extends CompletionStage<T>> call);

	/**
	 * Runs a call under the shorter of this timeout and {@code timeoutNanos}, for a call
	 * that must also end before a request's deadline. Counted and published as
	 * {@link #execute(CheckedSupplier)}; a call cut at {@code timeoutNanos} is a timeout
	 * whose {@link TimeoutExceededException} names that shorter duration.
	 * @param <T> the result type
	 * @param timeoutNanos the longest the call may take here, in nanoseconds; zero or
	 * less cuts it at once, once started
	 * @param call the call
	 * @return its result
	 * @throws TimeoutExceededException if it does not complete in time
	 * @throws Throwable what the call threw
	 */
	<T> T execute(long timeoutNanos, CheckedSupplier<T> call) throws Throwable;

	/**
	 * Runs an asynchronous call under the shorter of this timeout and
	 * {@code timeoutNanos}; see {@link #execute(long, CheckedSupplier)}.
	 * @param <T> the result type
	 * @param timeoutNanos the longest the call may take here, in nanoseconds
	 * @param call starts the call
	 * @return a future with its outcome, or failed with a
	 * {@link TimeoutExceededException}
	 */
	<T> CompletableFuture<T> executeAsync(long timeoutNanos, CheckedSupplier<? extends CompletionStage<T>> call);

	/**
	 * Returns the scheduler that fires this timeout's deadlines, for callers that arm
	 * their own.
	 * @return the scheduler
	 */
	Scheduler scheduler();

	/**
	 * Records a call timed by its caller that finished in time and returned: counts it
	 * and publishes {@link TimeoutEvent.Type#SUCCESS}.
	 */
	void onSuccess();

	/**
	 * Records a call timed by its caller that finished in time and failed: counts it and
	 * publishes {@link TimeoutEvent.Type#FAILURE}.
	 * @param failure what the call failed with
	 */
	void onFailure(Throwable failure);

	/**
	 * Records a call timed by its caller that missed its deadline: counts it and
	 * publishes {@link TimeoutEvent.Type#TIMEOUT}.
	 * @param exception what the caller fails the call with
	 */
	void onTimeout(TimeoutExceededException exception);

	/**
	 * Zeroes the counters. Calls in flight keep their deadlines and are counted when they
	 * finish. Thread-safe; an outcome counted while the reset runs may or may not survive
	 * it.
	 */
	@Override
	void reset();

	/**
	 * Returns a snapshot of the counters.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<TimeoutEvent> events();

	/**
	 * Counts of calls by outcome, since creation or the last {@link #reset()}.
	 *
	 * @param totalSuccessfulCalls finished in time and returned
	 * @param totalFailedCalls finished in time and threw
	 * @param totalTimedOutCalls cut off at the deadline
	 */
	record Metrics(long totalSuccessfulCalls, long totalFailedCalls, long totalTimedOutCalls) {
	}

}
