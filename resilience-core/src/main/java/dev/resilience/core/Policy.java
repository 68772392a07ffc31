package dev.resilience.core;

/**
 * A named runtime instance of a primitive (circuit breaker, retry, rate limiter,
 * bulkhead, timeout) and the configuration it runs with.
 * <p>
 * Implementations are thread-safe. {@link #reconfigure(Object)} may be called while calls
 * are in flight: it replaces the configuration and keeps the state that still has meaning
 * under the new one (each primitive's Javadoc says which).
 *
 * @param <C> the configuration type
 */
public interface Policy<C> {

	/**
	 * Returns the instance's name, unique within its registry.
	 * @return the name
	 */
	String name();

	/**
	 * Returns the configuration in force.
	 * @return the configuration
	 */
	C config();

	/**
	 * Replaces the configuration, keeping state that has meaning under the new one.
	 * @param config the new configuration
	 */
	void reconfigure(C config);

	/**
	 * Puts the instance back in the state of a new one with its current configuration
	 * (for tests: {@code resilience-test} resets every instance of an application's
	 * registries after each test method). The counters of its metrics restart from zero;
	 * the configuration, the event listeners and the calls in flight are kept (each
	 * primitive's Javadoc says what it resets). Thread-safe, but not atomic with calls in
	 * flight: an outcome recorded while the reset runs may or may not survive it.
	 */
	void reset();

	/**
	 * Returns the publisher of this instance's events.
	 * @return the event publisher
	 */
	EventPublisher<? extends ResilienceEvent> events();

}
