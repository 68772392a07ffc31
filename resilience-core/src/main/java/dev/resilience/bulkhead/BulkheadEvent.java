package dev.resilience.bulkhead;

import dev.resilience.core.ResilienceEvent;

/**
 * A call entering, being refused by, or leaving a bulkhead (semaphore or thread-pool
 * kind). Published only when someone listens. Immutable.
 */
public final class BulkheadEvent extends ResilienceEvent {

	private final Type type;

	BulkheadEvent(String instanceName, Type type) {
		super(instanceName);
		this.type = type;
	}

	@Override
	public String primitive() {
		return "bulkhead";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * What happened to the call.
	 */
	public enum Type {

		/** The call got a place (a permit, or a thread or queue slot). */
		PERMITTED,

		/** The call was refused: no place free in time. */
		REJECTED,

		/** The call gave its place back (its outcome is known). */
		FINISHED

	}

}
