package dev.resilience.boot.redis;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterEvent;

/**
 * The limiter of one key of a {@link RedisRateLimiter}: its own bucket in Redis, the
 * instance's configuration, counters and events. Its figures are its bucket's level as
 * its last decision found it, and the instance's counters. Thread-safe.
 */
final class KeyLimiter implements RateLimiter {

	private final RedisRateLimiter instance;

	private final RedisRateLimiter.Bucket bucket;

	KeyLimiter(RedisRateLimiter instance, RedisRateLimiter.Bucket bucket) {
		this.instance = instance;
		this.bucket = bucket;
	}

	@Override
	public String name() {
		return this.instance.name();
	}

	@Override
	public RateLimiterConfig config() {
		return this.instance.config();
	}

	@Override
	public void reconfigure(RateLimiterConfig config) {
		this.instance.reconfigure(config);
	}

	@Override
	public void reset() {
		this.instance.reset();
	}

	@Override
	public EventPublisher<RateLimiterEvent> events() {
		return this.instance.events();
	}

	@Override
	public void acquirePermission(int permits) {
		this.instance.acquire(this.bucket, permits);
	}

	@Override
	public boolean tryAcquirePermission(int permits) {
		return this.instance.tryAcquire(this.bucket, permits);
	}

	@Override
	public long reservePermission(int permits) {
		return this.instance.reservePermission(this.bucket, permits);
	}

	@Override
	public Reservation reserve(int permits) {
		return this.instance.reserve(this.bucket, permits);
	}

	@Override
	public RateLimiter forKey(Object key) {
		throw new UnsupportedOperationException("The limiter of a key has no keys of its own");
	}

	@Override
	public Scheduler scheduler() {
		return this.instance.scheduler();
	}

	@Override
	public Metrics metrics() {
		return this.instance.metrics(this.bucket);
	}

}
