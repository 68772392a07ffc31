package dev.resilience.ratelimiter;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * A rate limiter: a token bucket that holds up to {@code burstCapacity} permits and
 * refills continuously at {@code limitForPeriod} per {@code limitRefreshPeriod}, so there
 * is no double burst at window edges.
 * <p>
 * A caller may wait up to {@code timeoutDuration} for permits. Permits are reserved at
 * once; a caller that cannot be served within its timeout is rejected at once, without
 * waiting. The limit can be changed at run time ({@link #reconfigure}) without losing the
 * bucket's state.
 * <p>
 * The decision is one compare-and-set on one word; nothing is allocated. Thread-safe.
 */
public interface RateLimiter extends Policy<RateLimiterConfig> {

	/**
	 * The answer of {@link #reservePermission(int)} when the permits cannot be had in
	 * time.
	 */
	long REJECTED = -1L;

	/**
	 * Creates a rate limiter on the system clock.
	 * @param name the name
	 * @param config the configuration
	 * @return the rate limiter
	 */
	static RateLimiter of(String name, RateLimiterConfig config) {
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a rate limiter.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler synchronous callers wait on
	 * @return the rate limiter
	 */
	static RateLimiter of(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		return new DefaultRateLimiter(name, config, ticker, scheduler);
	}

	/**
	 * Takes permits, waiting (on the scheduler) up to {@code timeoutDuration} for them.
	 * @param permits how many, at least 1 and at most the burst capacity
	 * @throws RequestNotPermittedException if they cannot be had in time, or the thread
	 * is interrupted while waiting (its interrupt status is kept)
	 */
	void acquirePermission(int permits);

	/**
	 * Takes permits if they are available now; never waits.
	 * @param permits how many
	 * @return {@code true} if taken
	 */
	boolean tryAcquirePermission(int permits);

	/**
	 * Reserves permits for asynchronous callers: the answer is how long to wait before
	 * proceeding (zero: now), or {@link #REJECTED} if they cannot be had within
	 * {@code timeoutDuration} (nothing is reserved then).
	 * @param permits how many
	 * @return the wait in nanoseconds, or {@link #REJECTED}
	 */
	long reservePermission(int permits);

	/**
	 * Returns the limiter of one key (a user, a tenant, an API key): a bucket of its own
	 * with this instance's configuration, counted in this instance's metrics and events,
	 * and reconfigured with it. A key's bucket is forgotten once it has refilled (a full
	 * bucket is the same as a new one), so memory is bounded by the keys that took
	 * permits recently, and at most {@code maxKeys} of them.
	 * @param key the key
	 * @return the key's limiter
	 * @throws RequestNotPermittedException if {@code maxKeys} keys already hold a bucket
	 * that has not refilled: a new key is refused rather than allowed to grow the heap
	 */
	RateLimiter forKey(Object key);

	/**
	 * Returns the scheduler on which callers wait for reserved permits.
	 * @return the scheduler
	 */
	Scheduler scheduler();

	/**
	 * Returns a snapshot of the figures.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<RateLimiterEvent> events();

	/**
	 * A rate limiter's figures.
	 *
	 * @param availablePermissions permits available now (negative when reserved ahead)
	 * @param totalPermittedCalls calls permitted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 * @param liveKeys keys that have a bucket of their own now ({@link #forKey(Object)})
	 */
	record Metrics(long availablePermissions, long totalPermittedCalls, long totalRejectedCalls, long liveKeys) {
	}

}
