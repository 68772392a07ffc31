package dev.resilience.core;

import org.jspecify.annotations.Nullable;

/**
 * Picks the key of a call from its context (a user id from a method's arguments, say), so
 * that a rate limiter or bulkhead applies per key. Evaluated once per call, before any
 * stage of the pipeline runs; keep it cheap. A selector that throws fails the call with a
 * {@link KeyEvaluationException}: the caller's error, which no stage counts or retries.
 */
@FunctionalInterface
public interface KeySelector {

	/**
	 * Returns the call's key.
	 * @param context the caller's context
	 * @return the key, or {@code null} to use the instance's shared state
	 */
	@Nullable Object key(Object context);

}
