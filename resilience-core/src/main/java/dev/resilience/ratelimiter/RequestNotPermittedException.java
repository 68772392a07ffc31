package dev.resilience.ratelimiter;

import dev.resilience.core.ResilienceException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a rate limiter cannot grant permits within the caller's timeout. Created
 * without a stack trace. The in-memory limiter throws one instance per bucket (an
 * instance's, or a key's) and permit count, made on the first such rejection, so that a
 * rejection allocates nothing (see {@link ResilienceException}); its
 * {@link #retryAfterNanos()} is then read from the bucket when called.
 */
public class RequestNotPermittedException extends ResilienceException {

	private final long retryAfterNanos;

	// The in-memory limiter's shared rejection (see DefaultRateLimiter's design notes):
	// the hint cannot be a field of an object thrown by many calls, so it is read from
	// the bucket when asked. Null otherwise; not serialized (a copy answers 0: unknown).
	private final transient @Nullable DefaultRateLimiter bucket;

	private final int permits;

	/**
	 * Creates the exception.
	 * @param instanceName the rate limiter's name
	 * @param retryAfterNanos how long until the permits could be had, in nanoseconds
	 * ({@code 0} if unknown)
	 */
	public RequestNotPermittedException(String instanceName, long retryAfterNanos) {
		super("RateLimiter '" + instanceName + "' does not permit further calls", instanceName, false, null);
		this.retryAfterNanos = retryAfterNanos;
		this.bucket = null;
		this.permits = 0;
	}

	/**
	 * Creates the rejection a bucket throws for every refusal of {@code permits}.
	 */
	RequestNotPermittedException(DefaultRateLimiter bucket, int permits) {
		super("RateLimiter '" + bucket.name() + "' does not permit further calls", bucket.name(), false, null);
		this.retryAfterNanos = 0;
		this.bucket = bucket;
		this.permits = permits;
	}

	/** The permit count of a bucket's shared rejection; 0 for the others. */
	int permits() {
		return this.permits;
	}

	/**
	 * Returns how long until the requested permits could be had, as a hint for a
	 * {@code Retry-After} answer. For the in-memory limiter's rejections it is computed
	 * when called, from the bucket's state then: the wait from that moment (so it shrinks
	 * as time passes, and is {@code 0} once the permits could be had); for others (the
	 * Redis limiter, the asynchronous paths) it is the wait when the call was rejected.
	 * @return the wait in nanoseconds, {@code 0} if unknown or over
	 */
	public long retryAfterNanos() {
		DefaultRateLimiter bucket = this.bucket;
		return (bucket != null) ? bucket.nanosUntil(this.permits) : this.retryAfterNanos;
	}

	@Override
	public boolean isRejection() {
		return true;
	}

}
