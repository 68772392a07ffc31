package dev.resilience.core;

/**
 * Something that happened to one named instance of a primitive: the common shape of every
 * primitive's event type, so that one consumer (a recent-events buffer, a log) can take
 * all.
 * <p>
 * Events are immutable. They carry no wall-clock time: a consumer that needs one stamps
 * the event when it receives it, since events are delivered synchronously on the thread
 * that caused them.
 */
public abstract class ResilienceEvent {

	private final String instanceName;

	/**
	 * Creates an event for the named instance.
	 * @param instanceName the instance's name
	 */
	protected ResilienceEvent(String instanceName) {
		this.instanceName = instanceName;
	}

	/**
	 * Returns the name of the instance the event belongs to.
	 * @return the instance name
	 */
	public final String instanceName() {
		return this.instanceName;
	}

	/**
	 * Returns the kind of primitive that published the event, in lower case:
	 * {@code circuitbreaker}, {@code retry}, {@code ratelimiter}, {@code bulkhead},
	 * {@code timeout} or {@code chaos} (a chaos site's injections).
	 * @return the primitive's kind
	 */
	public abstract String primitive();

	/**
	 * Returns the event's type, one constant of the primitive's own {@code Type} enum.
	 * @return the type
	 */
	public abstract Enum<?> type();

	@Override
	public String toString() {
		return primitive() + " '" + this.instanceName + "' " + type();
	}

}
