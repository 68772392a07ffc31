/**
 * The fake time of {@code resilience-test}: a {@link dev.resilience.core.Ticker} that
 * moves only when told to and a {@link dev.resilience.core.Scheduler} driven by it, so
 * that time-dependent behaviour is tested without sleeping. For Spring Boot applications,
 * {@link dev.resilience.testing.spring} puts the starter on this fake time and resets its
 * state between tests.
 */
package dev.resilience.testing;
