package dev.resilience.ratelimiter;

import dev.resilience.core.ResilienceException;

/**
 * Thrown when a rate limiter cannot grant permits within the caller's timeout. Created
 * without a stack trace.
 */
public class RequestNotPermittedException extends ResilienceException {

	private final long retryAfterNanos;

	/**
	 * Creates the exception.
	 * @param instanceName the rate limiter's name
	 * @param retryAfterNanos how long until the permits could be had, in nanoseconds
	 * ({@code 0} if unknown)
	 */
	public RequestNotPermittedException(String instanceName, long retryAfterNanos) {
		super("RateLimiter '" + instanceName + "' does not permit further calls", instanceName, false, null);
		this.retryAfterNanos = retryAfterNanos;
	}

	/**
	 * Returns how long until the requested permits could be had, as a hint for a
	 * {@code Retry-After} answer.
	 * @return the wait in nanoseconds, {@code 0} if unknown
	 */
	public long retryAfterNanos() {
		return this.retryAfterNanos;
	}

	@Override
	public boolean isRejection() {
		return true;
	}

}
