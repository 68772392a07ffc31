package dev.resilience.bulkhead;

import java.util.Optional;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link ThreadPoolBulkhead}s of an application and the named configurations
 * they are made from. Thread-safe.
 * <p>
 * The registry owns the pools: {@link #remove(String)} closes the removed bulkhead and
 * {@link #close()} closes every bulkhead. Thread-pool bulkheads measure no time
 * themselves, so the ticker and scheduler a registry is given are not used by its
 * bulkheads.
 */
public final class ThreadPoolBulkheadRegistry extends Registry<ThreadPoolBulkhead, ThreadPoolBulkheadConfig>
		implements AutoCloseable {

	private ThreadPoolBulkheadRegistry(ThreadPoolBulkheadConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is
	 * {@link ThreadPoolBulkheadConfig#ofDefaults()}.
	 * @return the registry
	 */
	public static ThreadPoolBulkheadRegistry ofDefaults() {
		return of(ThreadPoolBulkheadConfig.ofDefaults());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @return the registry
	 */
	public static ThreadPoolBulkheadRegistry of(ThreadPoolBulkheadConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry. The ticker and scheduler are not used by thread-pool bulkheads.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker ignored
	 * @param scheduler ignored
	 * @return the registry
	 */
	public static ThreadPoolBulkheadRegistry of(ThreadPoolBulkheadConfig defaultConfig, Ticker ticker,
			Scheduler scheduler) {
		return new ThreadPoolBulkheadRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected ThreadPoolBulkhead create(String name, ThreadPoolBulkheadConfig config, Ticker ticker,
			Scheduler scheduler) {
		return ThreadPoolBulkhead.of(name, config);
	}

	/**
	 * Removes the bulkhead with this name and closes it.
	 * @param name the instance name
	 * @return the removed (and closed) bulkhead, or empty if there was none
	 */
	@Override
	public Optional<ThreadPoolBulkhead> remove(String name) {
		Optional<ThreadPoolBulkhead> removed = super.remove(name);
		removed.ifPresent(ThreadPoolBulkhead::close);
		return removed;
	}

	/**
	 * Closes every bulkhead in the registry; they stay registered. Closing twice is
	 * harmless.
	 */
	@Override
	public void close() {
		all().forEach(ThreadPoolBulkhead::close);
	}

}
