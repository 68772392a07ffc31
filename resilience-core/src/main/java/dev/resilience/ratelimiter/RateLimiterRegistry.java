package dev.resilience.ratelimiter;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link RateLimiter}s of an application and the named configurations they are
 * made from. Thread-safe.
 */
public final class RateLimiterRegistry extends Registry<RateLimiter, RateLimiterConfig> {

	private final Factory factory;

	private RateLimiterRegistry(RateLimiterConfig defaultConfig, Ticker ticker, Scheduler scheduler, Factory factory) {
		super(defaultConfig, ticker, scheduler);
		this.factory = factory;
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
		return of(defaultConfig, ticker, scheduler, RateLimiter::of);
	}

	/**
	 * Creates a registry whose instances are made by {@code factory}: another kind of
	 * rate limiter for some names (one whose state lives in a shared store, say).
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source
	 * @param scheduler the scheduler synchronous callers wait on
	 * @param factory makes each instance
	 * @return the registry
	 */
	public static RateLimiterRegistry of(RateLimiterConfig defaultConfig, Ticker ticker, Scheduler scheduler,
			Factory factory) {
		return new RateLimiterRegistry(defaultConfig, ticker, scheduler,
				java.util.Objects.requireNonNull(factory, "factory must not be null"));
	}

	@Override
	protected RateLimiter create(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		return this.factory.create(name, config, ticker, scheduler);
	}

	/**
	 * Makes the rate limiter of a name.
	 */
	@FunctionalInterface
	public interface Factory {

		/**
		 * Makes a rate limiter.
		 * @param name the instance name
		 * @param config its configuration
		 * @param ticker the registry's time source
		 * @param scheduler the registry's scheduler
		 * @return the rate limiter
		 */
		RateLimiter create(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler);

	}

}
