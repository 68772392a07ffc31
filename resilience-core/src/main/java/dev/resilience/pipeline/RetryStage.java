package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.retry.Retry;
import org.jspecify.annotations.Nullable;

/**
 * The retry stage: runs the rest of the pipeline again after a failure (or a result)
 * worth retrying; synchronously it waits on the retry's scheduler between attempts,
 * asynchronously it schedules the next attempt there, and a cancel stops further
 * attempts.
 * <p>
 * With a current {@link Deadline} (read after a failed attempt only, so the success path
 * is as without one; asynchronously captured when the execution starts, and made current
 * again on the thread each later attempt runs on), a retry whose wait would leave no time
 * for the next attempt is not made under ENFORCE: the execution ends with the outcome in
 * hand (a failure carries a suppressed {@link DeadlineExceededException} saying why).
 * Under OBSERVE the retry goes on and the listener is told.
 */
final class RetryStage extends PipelineStage {

	private final Retry retry;

	// Null unless the pipeline observes attempts: then the loops tell it each start and
	// end; without it they are what they were, a null check more per attempt.
	private final @Nullable AttemptObserver observer;

	RetryStage(Retry retry, @Nullable AttemptObserver observer) {
		this.retry = retry;
		this.observer = observer;
	}

	@Override
	Pipeline.Stage stage() {
		return Pipeline.Stage.RETRY;
	}

	@Override
	@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
		AttemptObserver observer = this.observer;
		for (int attempt = 1;; attempt++) {
			Object result;
			long wait;
			Object token = (observer != null) ? observer.started(context, attempt) : null;
			try {
				result = (this.inner != null)
						? this.inner.execute(pipeline, next + 1, context, rateLimiterKey, bulkheadKey, invoker)
						: invoker.invoke(context);
			}
			catch (Throwable ex) {
				if (observer != null) {
					observer.ended(context, token, ex);
				}
				wait = decide(pipeline.deadlines(), Deadline.current(), attempt, null, ex);
				if (wait < 0) {
					throw ex;
				}
				pause(wait, ex);
				continue;
			}
			if (observer != null) {
				observer.ended(context, token, null);
			}
			wait = decide(pipeline.deadlines(), Deadline.current(), attempt, result, null);
			if (wait < 0) {
				return result;
			}
			pause(wait, null);
		}
	}

	/**
	 * Asks the retry about an attempt's outcome, within what is left of the deadline if
	 * there is one.
	 * @return the wait before the next attempt, or less than zero to end the execution
	 */
	private long decide(DeadlineConfig deadlines, @Nullable Deadline deadline, int attempt, @Nullable Object result,
			@Nullable Throwable failure) {
		if (deadline == null) {
			return (failure != null) ? this.retry.onFailure(attempt, failure) : this.retry.onResult(attempt, result);
		}
		long left = deadline.remainingNanos();
		if (!DeadlineChecks.enforced(deadlines)) {
			long wait = (failure != null) ? this.retry.onFailure(attempt, failure)
					: this.retry.onResult(attempt, result);
			if (wait >= left) {
				DeadlineChecks.report(deadlines, DeadlineStage.RETRY, this.retry.name(), left);
			}
			return wait;
		}
		long wait = (failure != null) ? this.retry.onFailure(attempt, failure, left)
				: this.retry.onResult(attempt, result, left);
		if (wait == Retry.NO_TIME) {
			DeadlineExceededException why = DeadlineChecks.refusal(deadlines, DeadlineStage.RETRY, this.retry.name(),
					left);
			if (failure != null && failure != why) {
				failure.addSuppressed(why);
			}
		}
		return wait;
	}

	private void pause(long waitNanos, @Nullable Throwable failure) throws Throwable {
		if (waitNanos <= 0) {
			return;
		}
		try {
			this.retry.scheduler().sleep(waitNanos);
		}
		catch (InterruptedException ex) {
			// Interrupted between attempts: stop retrying, keep the interrupt for the
			// caller, and report the last failure (or the interruption if the last
			// attempt returned a result that was to be retried).
			Thread.currentThread().interrupt();
			if (failure != null) {
				failure.addSuppressed(ex);
				throw failure;
			}
			throw ex;
		}
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
		// Captured on the caller's thread: later attempts run on the scheduler's (or on
		// whichever completed the last one), where it is made current again.
		attempt(pipeline, next, context, rateLimiterKey, bulkheadKey, invoker, 1, result, Deadline.current());
		return result;
	}

	private void attempt(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, AsyncInvoker<?> invoker, int attempt,
			CancellableFuture<@Nullable Object> result, @Nullable Deadline deadline) {
		if (result.isDone()) {
			// The caller cancelled (or otherwise completed) the execution: no more
			// attempts.
			return;
		}
		AttemptObserver observer = this.observer;
		Object token = (observer != null) ? observer.started(context, attempt) : null;
		CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
				invoker);
		result.waitOn(inner);
		inner.whenComplete((value, failure) -> {
			if (observer != null) {
				// First, so that an attempt cut short by a cancel is seen to end too.
				observer.ended(context, token, (failure != null) ? CancellableFuture.unwrap(failure) : null);
			}
			if (result.isDone()) {
				return;
			}
			long wait;
			try {
				wait = decide(pipeline.deadlines(), deadline, attempt, value,
						(failure != null) ? CancellableFuture.unwrap(failure) : null);
			}
			catch (Throwable ex) {
				// As the synchronous loop would throw it.
				result.completeExceptionally(ex);
				return;
			}
			if (wait < 0) {
				result.completeWith(value, failure);
				return;
			}
			Runnable nextAttempt = DeadlineChecks.within(deadline, () -> attempt(pipeline, next, context,
					rateLimiterKey, bulkheadKey, invoker, attempt + 1, result, deadline));
			if (wait <= 0) {
				nextAttempt.run();
			}
			else {
				result.waitOn(this.retry.scheduler().schedule(nextAttempt, wait));
			}
		});
	}

}
