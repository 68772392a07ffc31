package dev.resilience.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a call's key cannot be computed: the {@link KeySelector} of a per-key rate
 * limiter or bulkhead threw (a key expression that dereferences a {@code null} argument,
 * say). It is the caller's error, not an outcome of the protected call: a
 * {@link dev.resilience.pipeline.Pipeline} computes every key before any stage runs, so
 * the call fails at once with this exception, the call is never made, no permit is taken,
 * a circuit breaker does not count it, a retry does not retry it and the fallback does
 * not answer for it.
 * <p>
 * Not a {@link ResilienceException}: no primitive rejected the call.
 */
public class KeyEvaluationException extends IllegalArgumentException {

	/**
	 * Creates the exception.
	 * @param message what could not be computed, for whom (the method, the key)
	 * @param cause what the key selector threw, or {@code null}
	 */
	public KeyEvaluationException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
