package dev.resilience.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * Sees every attempt that a pipeline's retry makes: told when an attempt starts, and
 * exactly once when it ends, however it ends. An attempt is one run of the stages inside
 * the retry and of the call, so an attempt that an inner stage rejects (an open circuit
 * breaker, a full bulkhead) is seen too. For tracing and metrics per attempt (the
 * starter's {@code resilience.attempt} observation); set with
 * {@link Pipeline.Builder#attemptObserver}.
 * <p>
 * Without an observer a pipeline does nothing of this: no call, no allocation. With one,
 * the calls are made on the thread the attempt starts and ends on (for an asynchronous
 * execution, the thread that completes it), never concurrently for one execution, as the
 * attempts of one execution are sequential. Implementations must be thread-safe across
 * executions and must not throw (what they throw is not caught and would replace the
 * attempt's outcome).
 */
public interface AttemptObserver {

	/**
	 * An attempt starts.
	 * @param context the execution's context, as given to {@link Pipeline#execute} or
	 * {@link Pipeline#executeAsync} (the call context of resilience-reactor's operator)
	 * @param attempt the attempt's number, from 1
	 * @return a token handed back to {@link #ended} for this attempt; may be {@code null}
	 */
	@Nullable Object started(Object context, int attempt);

	/**
	 * The attempt ended: it returned (or, for a stream, completed or was cancelled after
	 * its first element), failed, or was cancelled.
	 * @param context the execution's context
	 * @param token what {@link #started} returned for this attempt
	 * @param failure what the attempt failed with
	 * ({@link java.util.concurrent.CancellationException} when it was cancelled before
	 * giving a result), or {@code null} if it gave a result (even one the retry retries)
	 */
	void ended(Object context, @Nullable Object token, @Nullable Throwable failure);

}
