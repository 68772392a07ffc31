package dev.resilience.retry;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/**
 * Something a {@link Retry} decided: a retry scheduled, or the end of an execution that
 * was retried or failed. A success at the first attempt publishes nothing, so a listener
 * sees only what retrying did. Immutable.
 */
public final class RetryEvent extends ResilienceEvent {

	private final Type type;

	private final int attempt;

	private final long waitNanos;

	private final @Nullable Throwable failure;

	RetryEvent(String instanceName, Type type, int attempt, long waitNanos, @Nullable Throwable failure) {
		super(instanceName);
		this.type = type;
		this.attempt = attempt;
		this.waitNanos = waitNanos;
		this.failure = failure;
	}

	@Override
	public String primitive() {
		return "retry";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * Returns the number (from 1) of the attempt that just finished: for
	 * {@link Type#RETRY} the attempt that failed, so the next one is
	 * {@code attempt() + 1}.
	 * @return the attempt number
	 */
	public int attempt() {
		return this.attempt;
	}

	/**
	 * Returns the wait before the next attempt, for {@link Type#RETRY}.
	 * @return the wait in nanoseconds, or {@link Retry#NO_RETRY} for the other types
	 */
	public long waitNanos() {
		return this.waitNanos;
	}

	/**
	 * Returns what the attempt threw.
	 * @return the failure, or {@code null} for a success or a result that was retried
	 */
	public @Nullable Throwable failure() {
		return this.failure;
	}

	@Override
	public String toString() {
		return super.toString() + " attempt " + this.attempt
				+ ((this.type == Type.RETRY) ? " wait " + this.waitNanos + " ns" : "")
				+ ((this.failure != null) ? " failure " + this.failure : "");
	}

	/**
	 * The kinds of retry events.
	 */
	public enum Type {

		/** An attempt failed and the next one is scheduled after {@link #waitNanos()}. */
		RETRY,

		/** The execution succeeded after at least one retry. */
		SUCCESS,

		/**
		 * The execution failed with a retryable failure (or a result that is retried) and
		 * no attempts were left.
		 */
		ERROR,

		/**
		 * The execution failed with a failure the configuration does not retry (an
		 * exception the matcher refuses, or a rejection).
		 */
		IGNORED_ERROR,

		/** The execution failed and the retry budget refused a retry. */
		BUDGET_EXHAUSTED,

		/**
		 * The execution failed (or returned a result that is retried) and what was left
		 * of the request's deadline could not hold the wait and the next attempt.
		 */
		DEADLINE_EXCEEDED

	}

}
