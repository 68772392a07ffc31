package dev.resilience.core;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The default {@link Scheduler}: one daemon thread, created on first use, shared by every
 * primitive in the JVM. Cancelled tasks are removed from the queue at once so that a
 * timeout that did not fire leaves no garbage behind.
 */
final class SystemScheduler implements Scheduler {

	static final SystemScheduler INSTANCE = new SystemScheduler();

	private volatile ScheduledThreadPoolExecutor executor;

	private SystemScheduler() {
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		var future = executor().schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
		return () -> future.cancel(false);
	}

	@Override
	public void sleep(long nanos) throws InterruptedException {
		// parkNanos may return early (spuriously or on unpark), so re-check the deadline;
		// unlike Thread.sleep it does not pin a virtual thread's carrier on JDK 17-21.
		long deadline = System.nanoTime() + nanos;
		long remaining = nanos;
		while (remaining > 0) {
			LockSupport.parkNanos(this, remaining);
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			remaining = deadline - System.nanoTime();
		}
	}

	private ScheduledThreadPoolExecutor executor() {
		ScheduledThreadPoolExecutor result = this.executor;
		if (result == null) {
			synchronized (this) {
				result = this.executor;
				if (result == null) {
					result = new ScheduledThreadPoolExecutor(1, (runnable) -> {
						Thread thread = new Thread(runnable, "resilience-scheduler");
						thread.setDaemon(true);
						return thread;
					});
					result.setRemoveOnCancelPolicy(true);
					this.executor = result;
				}
			}
		}
		return result;
	}

}
