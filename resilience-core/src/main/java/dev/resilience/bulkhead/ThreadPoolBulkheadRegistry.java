package dev.resilience.bulkhead;

import java.util.Optional;
import java.util.function.UnaryOperator;

import dev.resilience.internal.SettingValidation;
import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: closing must leave no pool running, also for an instance created while the
 * registry closes. close() writes the volatile closed flag, then closes every registered
 * bulkhead; instance() registers first (in the map), then reads the flag and closes what it
 * returns if the flag is set. Of a close and a creation that race, either close() finds the
 * new bulkhead in the map or the creator sees the flag, so every bulkhead is closed at
 * least once (closing again is harmless). A bulkhead starts its threads on demand, so one
 * closed as soon as it is created starts none, unless a call slipped in first (that call
 * still runs, then its thread ends).
 */
/**
 * The named {@link ThreadPoolBulkhead}s of an application and the named configurations
 * they are made from. Thread-safe.
 * <p>
 * The registry owns the pools: {@link #remove(String)} closes the removed bulkhead and
 * {@link #close()} closes every bulkhead. A registry may be given a task decorator
 * ({@link #of(ThreadPoolBulkheadConfig, UnaryOperator)}), which every bulkhead it creates
 * applies to its calls (see {@link ThreadPoolBulkhead}). Thread-pool bulkheads measure no
 * time themselves, so the ticker and scheduler a registry is given are not used by its
 * bulkheads.
 */
public final class ThreadPoolBulkheadRegistry extends Registry<ThreadPoolBulkhead, ThreadPoolBulkheadConfig>
		implements AutoCloseable {

	private final @Nullable UnaryOperator<Runnable> taskDecorator;

	private volatile boolean closed;

	private ThreadPoolBulkheadRegistry(ThreadPoolBulkheadConfig defaultConfig, Ticker ticker, Scheduler scheduler,
			@Nullable UnaryOperator<Runnable> taskDecorator) {
		super(defaultConfig, ticker, scheduler);
		this.taskDecorator = taskDecorator;
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
		return new ThreadPoolBulkheadRegistry(defaultConfig, ticker, scheduler, null);
	}

	/**
	 * Creates a registry whose bulkheads decorate their calls with {@code taskDecorator},
	 * as {@link ThreadPoolBulkhead#of(String, ThreadPoolBulkheadConfig, UnaryOperator)}
	 * describes: typically to carry the caller's thread-local context (logging MDC,
	 * security context, trace) to the pool threads.
	 * @param defaultConfig the configuration of instances created without one
	 * @param taskDecorator applied to each call of every bulkhead of this registry, on
	 * the caller's thread; must be thread-safe
	 * @return the registry
	 */
	public static ThreadPoolBulkheadRegistry of(ThreadPoolBulkheadConfig defaultConfig,
			UnaryOperator<Runnable> taskDecorator) {
		return new ThreadPoolBulkheadRegistry(defaultConfig, Ticker.system(), Scheduler.system(),
				SettingValidation.notNull(taskDecorator, "taskDecorator"));
	}

	@Override
	protected ThreadPoolBulkhead create(String name, ThreadPoolBulkheadConfig config, Ticker ticker,
			Scheduler scheduler) {
		return (this.taskDecorator != null) ? ThreadPoolBulkhead.of(name, config, this.taskDecorator)
				: ThreadPoolBulkhead.of(name, config);
	}

	/**
	 * Returns the bulkhead with this name, creating it with {@code config} if there is
	 * none. Once the registry is closed, the bulkhead returned is closed too: its calls
	 * fail with {@link IllegalStateException}, so no pool outlives the registry.
	 * @param name the instance name
	 * @param config the configuration for a new instance
	 * @return the bulkhead
	 */
	@Override
	public ThreadPoolBulkhead instance(String name, ThreadPoolBulkheadConfig config) {
		ThreadPoolBulkhead result = super.instance(name, config);
		// Registered first, then the flag read: see the design note.
		if (this.closed) {
			result.close();
		}
		return result;
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
	 * Closes every bulkhead in the registry, and every bulkhead it returns from now on;
	 * they stay registered. Each pool shuts down gracefully, as
	 * {@link ThreadPoolBulkhead#close()} does: calls already accepted (running or queued)
	 * still run and complete their futures, new calls are refused, and each thread ends
	 * once no accepted call is left for it. Does not wait for them. Closing twice is
	 * harmless.
	 */
	@Override
	public void close() {
		this.closed = true;
		all().forEach(ThreadPoolBulkhead::close);
	}

}
