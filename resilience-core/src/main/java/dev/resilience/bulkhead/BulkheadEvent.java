package dev.resilience.bulkhead;

import dev.resilience.core.ResilienceEvent;

/**
 * A call entering, being refused by, or leaving a bulkhead (semaphore or thread-pool
 * kind), or an adaptive limit's notable change. Published only when someone listens.
 * Immutable.
 */
public final class BulkheadEvent extends ResilienceEvent {

	private final Type type;

	private final int previousLimit;

	private final int limit;

	BulkheadEvent(String instanceName, Type type) {
		this(instanceName, type, 0, 0);
	}

	BulkheadEvent(String instanceName, Type type, int previousLimit, int limit) {
		super(instanceName);
		this.type = type;
		this.previousLimit = previousLimit;
		this.limit = limit;
	}

	/**
	 * Returns, for {@link Type#LIMIT_CHANGED}, the limit before the change.
	 * @return the previous limit, or {@code 0} for other events
	 */
	public int previousLimit() {
		return this.previousLimit;
	}

	/**
	 * Returns, for {@link Type#LIMIT_CHANGED}, the limit after the change.
	 * @return the new limit, or {@code 0} for other events
	 */
	public int limit() {
		return this.limit;
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
		FINISHED,

		/**
		 * An adaptive limit moved by more than 10 % from the limit of the last such event
		 * (or its initial limit).
		 */
		LIMIT_CHANGED

	}

}
