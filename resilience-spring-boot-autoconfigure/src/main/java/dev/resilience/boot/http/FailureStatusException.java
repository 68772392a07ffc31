package dev.resilience.boot.http;

/**
 * Carries a response whose status is a failure through the stages of a policy set, so
 * that the circuit breaker counts it and the retry decides on it; the interceptor (or the
 * exchange filter) unwraps it at the boundary and hands the response to the client as it
 * came, which then handles the status as it would without us. Never seen by callers.
 */
final class FailureStatusException extends RuntimeException {

	private final transient Object response;

	private final int status;

	private final boolean retryable;

	private final long retryAfterNanos;

	FailureStatusException(Object response, int status, boolean retryable, long retryAfterNanos) {
		super("HTTP status " + status, null, false, false);
		this.response = response;
		this.status = status;
		this.retryable = retryable;
		this.retryAfterNanos = retryAfterNanos;
	}

	Object response() {
		return this.response;
	}

	int status() {
		return this.status;
	}

	boolean retryable() {
		return this.retryable;
	}

	long retryAfterNanos() {
		return this.retryAfterNanos;
	}

}
