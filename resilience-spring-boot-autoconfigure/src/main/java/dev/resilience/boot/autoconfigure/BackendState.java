package dev.resilience.boot.autoconfigure;

/**
 * The state of the store behind an instance whose state lives outside the JVM (a rate
 * limiter on Redis), for health, metrics and the Actuator endpoints.
 */
public interface BackendState {

	/**
	 * Returns the kind of store, in lower case ({@code redis}).
	 * @return the backend
	 */
	String backend();

	/**
	 * Tells whether the store answered the last request.
	 * @return {@code false} during an outage
	 */
	boolean backendAvailable();

	/**
	 * Returns how many requests the store failed to answer in time.
	 * @return the count since creation
	 */
	long backendFailures();

	/**
	 * Returns what a decision does while the store does not answer: allow the call (fail
	 * open) or reject it (fail closed).
	 * @return the failure policy, fixed for the instance's life
	 */
	ResilienceProperties.OnBackendFailure onBackendFailure();

}
