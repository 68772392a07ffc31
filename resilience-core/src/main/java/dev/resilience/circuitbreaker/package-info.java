/**
 * The circuit breaker: stops calling a dependency that keeps failing or keeps being slow,
 * and probes it with a few trial calls after a while.
 * <p>
 * {@link dev.resilience.circuitbreaker.CircuitBreaker} is the runtime interface (permits,
 * state, metrics, events), {@link dev.resilience.circuitbreaker.CircuitBreakerConfig} its
 * immutable configuration and
 * {@link dev.resilience.circuitbreaker.CircuitBreakerRegistry} the named instances of an
 * application.
 */
@NullMarked
package dev.resilience.circuitbreaker;

import org.jspecify.annotations.NullMarked;
