package dev.resilience.core;

/**
 * Where the primitives wait: a delayed task for asynchronous executions and a blocking
 * sleep for synchronous ones.
 * <p>
 * The {@link #system() system scheduler} runs tasks on one shared daemon thread; tasks
 * given to it must be short (they complete futures or start the next attempt of an
 * asynchronous call). Tests use {@code dev.resilience.testing.ManualScheduler}, which
 * runs tasks when a fake ticker is advanced and turns {@link #sleep(long)} into an
 * advance of that ticker.
 * <p>
 * Implementations must be thread-safe.
 */
public interface Scheduler {

	/**
	 * Runs {@code task} once, after {@code delayNanos}.
	 * @param task the task to run
	 * @param delayNanos the delay in nanoseconds; zero or negative runs it as soon as
	 * possible
	 * @return a handle that cancels the task if it has not started
	 */
	Cancellable schedule(Runnable task, long delayNanos);

	/**
	 * Blocks the calling thread for {@code nanos}.
	 * @param nanos how long to wait, in nanoseconds; zero or negative returns at once
	 * @throws InterruptedException if the thread is interrupted while waiting
	 */
	void sleep(long nanos) throws InterruptedException;

	/**
	 * Returns the scheduler backed by one shared daemon thread and {@code Thread.sleep}.
	 * @return the system scheduler
	 */
	static Scheduler system() {
		return SystemScheduler.INSTANCE;
	}

	/**
	 * A scheduled task that may be cancelled.
	 */
	@FunctionalInterface
	interface Cancellable {

		/**
		 * Cancels the task if it has not started yet; does nothing otherwise.
		 * @return {@code true} if this call prevented the task from running
		 */
		boolean cancel();

	}

}
