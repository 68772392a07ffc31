package dev.resilience.timeout;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link Timeout} instances of an application and the named configurations they
 * are made from. Thread-safe.
 */
public final class TimeoutRegistry extends Registry<Timeout, TimeoutConfig> {

	private TimeoutRegistry(TimeoutConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is
	 * {@link TimeoutConfig#ofDefaults()}, on the system clock and scheduler.
	 * @return the registry
	 */
	public static TimeoutRegistry ofDefaults() {
		return of(TimeoutConfig.ofDefaults());
	}

	/**
	 * Creates a registry on the system clock and scheduler.
	 * @param defaultConfig the configuration of instances created without one
	 * @return the registry
	 */
	public static TimeoutRegistry of(TimeoutConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source handed to every instance
	 * @param scheduler the scheduler that fires every instance's deadlines
	 * @return the registry
	 */
	public static TimeoutRegistry of(TimeoutConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new TimeoutRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected Timeout create(String name, TimeoutConfig config, Ticker ticker, Scheduler scheduler) {
		return Timeout.of(name, config, ticker, scheduler);
	}

}
