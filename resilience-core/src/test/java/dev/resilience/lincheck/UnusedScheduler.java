package dev.resilience.lincheck;

import dev.resilience.core.Scheduler;

/**
 * A scheduler for scenarios that never schedule nor sleep: it fails if asked to. Lighter
 * than a {@code ManualScheduler} (Lincheck walks every object a scenario reaches, for
 * every invocation) and it makes a scenario that unexpectedly waits fail loudly.
 */
public final class UnusedScheduler implements Scheduler {

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		throw new UnsupportedOperationException("this scenario schedules nothing");
	}

	@Override
	public void sleep(long nanos) {
		throw new UnsupportedOperationException("this scenario never waits");
	}

}
