/**
 * Test fixtures shipped in {@code resilience-core}'s {@code test-jar}: a fake
 * {@link dev.resilience.core.Ticker} and a {@link dev.resilience.core.Scheduler} driven
 * by it, so that time-dependent behaviour is tested without sleeping.
 */
package dev.resilience.testing;
