package dev.resilience.ratelimiter;

import dev.resilience.core.ResilienceEvent;

/**
 * A decision of a {@link RateLimiter}: permits granted (possibly after a wait) or
 * refused. Published only when someone listens. Immutable.
 */
public final class RateLimiterEvent extends ResilienceEvent {

	private final Type type;

	private final int permits;

	/**
	 * Creates an event; public so that rate limiters kept elsewhere (in Redis, say)
	 * publish the same events.
	 * @param instanceName the rate limiter's name
	 * @param type what happened
	 * @param permits the permits asked for
	 */
	public RateLimiterEvent(String instanceName, Type type, int permits) {
		super(instanceName);
		this.type = type;
		this.permits = permits;
	}

	@Override
	public String primitive() {
		return "ratelimiter";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * Returns how many permits the caller asked for.
	 * @return the permits, at least 1
	 */
	public int permits() {
		return this.permits;
	}

	@Override
	public String toString() {
		return super.toString() + " (" + this.permits + " permits)";
	}

	/**
	 * What the rate limiter decided.
	 */
	public enum Type {

		/**
		 * The permits were granted: at once, after the synchronous caller's wait, or (for
		 * {@link RateLimiter#reservePermission(int)}) reserved.
		 */
		PERMITTED,

		/**
		 * The permits could not be had within the caller's timeout, or the caller was
		 * interrupted while it waited.
		 */
		REJECTED

	}

}
