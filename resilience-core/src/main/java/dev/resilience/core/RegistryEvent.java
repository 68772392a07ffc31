package dev.resilience.core;

import java.util.Objects;

/**
 * A change to the set of instances in a {@link Registry}, so that metrics and health can
 * follow instances that are created, reconfigured or removed after startup.
 *
 * @param <P> the instance type
 * @param type what happened
 * @param instance the instance concerned (for {@link Type#REMOVED}, the removed one)
 */
public record RegistryEvent<P>(Type type, P instance) {

	/**
	 * Creates an event.
	 * @param type what happened
	 * @param instance the instance concerned
	 */
	public RegistryEvent {
		Objects.requireNonNull(type, "type must not be null");
		Objects.requireNonNull(instance, "instance must not be null");
	}

	/**
	 * What happened to the instance.
	 */
	public enum Type {

		/** The instance was created. */
		ADDED,

		/** The instance's configuration was replaced; the instance object is the same. */
		REPLACED,

		/** The instance was removed from the registry. */
		REMOVED

	}

}
