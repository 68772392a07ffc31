package dev.resilience.bulkhead;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named semaphore {@link Bulkhead}s of an application and the named configurations
 * they are made from. Thread-safe.
 * <p>
 * A semaphore bulkhead measures no time itself (its waits are bounded by the JDK's timed
 * semaphore acquire), so the ticker and scheduler a registry is given are not used by its
 * bulkheads; {@link #of(BulkheadConfig, Ticker, Scheduler)} exists so that every registry
 * is built the same way.
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
	 * Creates a registry. The ticker and scheduler are not used by semaphore bulkheads
	 * (see the class comment).
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker ignored
	 * @param scheduler ignored
	 * @return the registry
	 */
	public static BulkheadRegistry of(BulkheadConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new BulkheadRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected Bulkhead create(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler) {
		return Bulkhead.of(name, config);
	}

}
