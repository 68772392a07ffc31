package dev.resilience.circuitbreaker;

import dev.resilience.core.ResilienceException;

/**
 * Thrown when a circuit breaker rejects a call: it is open, forced open, or half-open
 * with all trial calls taken. Created without a stack trace (it is thrown at high rates
 * while a dependency is down). A breaker throws one instance per rejecting state, made on
 * the first such rejection, so that a rejection allocates nothing (see
 * {@link ResilienceException}).
 */
public class CallNotPermittedException extends ResilienceException {

	private final CircuitBreaker.State state;

	/**
	 * Creates the exception.
	 * @param instanceName the circuit breaker's name
	 * @param state the state that rejected the call
	 */
	public CallNotPermittedException(String instanceName, CircuitBreaker.State state) {
		super("CircuitBreaker '" + instanceName + "' is " + state + " and does not permit further calls", instanceName,
				false, null);
		this.state = state;
	}

	/**
	 * Returns the state that rejected the call.
	 * @return the state
	 */
	public CircuitBreaker.State state() {
		return this.state;
	}

	@Override
	public boolean isRejection() {
		return true;
	}

}
