package dev.resilience.retry;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link Retry} instances of an application and the named configurations they
 * are made from. Thread-safe.
 */
public final class RetryRegistry extends Registry<Retry, RetryConfig> {

	private RetryRegistry(RetryConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is {@link RetryConfig#ofDefaults()},
	 * on the system clock and scheduler.
	 * @return the registry
	 */
	public static RetryRegistry ofDefaults() {
		return of(RetryConfig.ofDefaults());
	}

	/**
	 * Creates a registry on the system clock and scheduler.
	 * @param defaultConfig the configuration of instances created without one
	 * @return the registry
	 */
	public static RetryRegistry of(RetryConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source handed to every instance
	 * @param scheduler the scheduler every instance's callers wait on
	 * @return the registry
	 */
	public static RetryRegistry of(RetryConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new RetryRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected Retry create(String name, RetryConfig config, Ticker ticker, Scheduler scheduler) {
		return Retry.of(name, config, ticker, scheduler);
	}

}
