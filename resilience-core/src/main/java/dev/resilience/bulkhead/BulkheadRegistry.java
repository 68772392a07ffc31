package dev.resilience.bulkhead;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named semaphore {@link Bulkhead}s of an application and the named configurations
 * they are made from. Thread-safe.
 * <p>
 * The scheduler a registry is given ends the waits of callers waiting for a place (a
 * bulkhead reads no clock on its fast path).
 */
public final class BulkheadRegistry extends Registry<Bulkhead, BulkheadConfig> {

	private BulkheadRegistry(BulkheadConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is
	 * {@link BulkheadConfig#ofDefaults()}.
	 * @return the registry
	 */
	public static BulkheadRegistry ofDefaults() {
		return of(BulkheadConfig.ofDefaults());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @return the registry
	 */
	public static BulkheadRegistry of(BulkheadConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source of its bulkheads
	 * @param scheduler the scheduler that ends their waits
	 * @return the registry
	 */
	public static BulkheadRegistry of(BulkheadConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new BulkheadRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected Bulkhead create(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler) {
		return Bulkhead.of(name, config, ticker, scheduler);
	}

}
