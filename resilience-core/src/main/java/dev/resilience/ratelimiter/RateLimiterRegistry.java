package dev.resilience.ratelimiter;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link RateLimiter}s of an application and the named configurations they are
 * made from. Thread-safe.
 */
public final class RateLimiterRegistry extends Registry<RateLimiter, RateLimiterConfig> {

	private RateLimiterRegistry(RateLimiterConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is
	 * {@link RateLimiterConfig#ofDefaults()}, on the system clock.
	 * @return the registry
	 */
	public static RateLimiterRegistry ofDefaults() {
		return of(RateLimiterConfig.ofDefaults());
	}

	/**
	 * Creates a registry on the system clock.
	 * @param defaultConfig the configuration of instances created without one
	 * @return the registry
	 */
	public static RateLimiterRegistry of(RateLimiterConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry whose instances use the given time source and scheduler.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source
	 * @param scheduler the scheduler synchronous callers wait on
	 * @return the registry
	 */
	public static RateLimiterRegistry of(RateLimiterConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new RateLimiterRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected RateLimiter create(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		return RateLimiter.of(name, config, ticker, scheduler);
	}

}
