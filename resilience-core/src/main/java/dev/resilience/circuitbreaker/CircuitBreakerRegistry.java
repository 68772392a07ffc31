package dev.resilience.circuitbreaker;

import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * The named {@link CircuitBreaker}s of an application and the named configurations they
 * are made from; see {@link Registry} for the get-or-create, reconfiguration and event
 * behaviour. Thread-safe.
 */
public final class CircuitBreakerRegistry extends Registry<CircuitBreaker, CircuitBreakerConfig> {

	private CircuitBreakerRegistry(CircuitBreakerConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		super(defaultConfig, ticker, scheduler);
	}

	/**
	 * Creates a registry whose default configuration is
	 * {@link CircuitBreakerConfig#ofDefaults()}, on the system clock.
	 * @return the registry
	 */
	public static CircuitBreakerRegistry ofDefaults() {
		return of(CircuitBreakerConfig.ofDefaults());
	}

	/**
	 * Creates a registry on the system clock.
	 * @param defaultConfig the configuration of circuit breakers created without one
	 * @return the registry
	 */
	public static CircuitBreakerRegistry of(CircuitBreakerConfig defaultConfig) {
		return of(defaultConfig, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of circuit breakers created without one
	 * @param ticker the time source of every circuit breaker
	 * @param scheduler the scheduler of every circuit breaker
	 * @return the registry
	 */
	public static CircuitBreakerRegistry of(CircuitBreakerConfig defaultConfig, Ticker ticker, Scheduler scheduler) {
		return new CircuitBreakerRegistry(defaultConfig, ticker, scheduler);
	}

	@Override
	protected CircuitBreaker create(String name, CircuitBreakerConfig config, Ticker ticker, Scheduler scheduler) {
		return CircuitBreaker.of(name, config, ticker, scheduler);
	}

}
