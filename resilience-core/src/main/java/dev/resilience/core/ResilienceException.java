package dev.resilience.core;

import org.jspecify.annotations.Nullable;

/**
 * The parent of every exception a primitive throws on its own account: a call rejected by
 * a circuit breaker, rate limiter or bulkhead, or cut off by a timeout. It names the
 * instance that threw it.
 * <p>
 * Rejections are control flow, thrown at high rates when a dependency is down, so they
 * are created without a stack trace; {@link #isRejection()} tells them apart from
 * failures of the call itself (a retry does not retry a rejection unless told to).
 * <p>
 * A rejection may be one instance that a primitive throws again and again (the in-memory
 * circuit breaker, rate limiter and semaphore bulkhead do, so that a rejection allocates
 * nothing): do not rely on its identity, and do not expect to change it. Nothing a
 * catcher does changes it: it has no stack trace to set, takes no suppressed exceptions,
 * and its cause is fixed.
 * <p>
 * Thread-safe: an instance may be thrown by any number of threads at once.
 */
public abstract class ResilienceException extends RuntimeException {

	private final String instanceName;

	/**
	 * Creates an exception.
	 * @param message the message, which should name the instance
	 * @param instanceName the name of the instance that threw it
	 * @param writableStackTrace whether to capture a stack trace
	 * @param cause the cause, or {@code null}
	 */
	protected ResilienceException(String message, String instanceName, boolean writableStackTrace,
			@Nullable Throwable cause) {
		super(message, cause, false, writableStackTrace);
		this.instanceName = instanceName;
	}

	/**
	 * Returns the name of the instance that threw this exception.
	 * @return the instance name
	 */
	public String instanceName() {
		return this.instanceName;
	}

	/**
	 * Tells whether the call was rejected before it ran (open circuit, no rate-limit
	 * permit, full bulkhead) rather than run and failed.
	 * @return {@code true} for a rejection
	 */
	public abstract boolean isRejection();

}
