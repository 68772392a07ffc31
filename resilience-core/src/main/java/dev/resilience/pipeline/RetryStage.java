package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.Invoker;
import dev.resilience.retry.Retry;
import org.jspecify.annotations.Nullable;

/**
 * The retry stage: runs the rest of the pipeline again after a failure (or a result)
 * worth retrying; synchronously it waits on the retry's scheduler between attempts,
 * asynchronously it schedules the next attempt there, and a cancel stops further
 * attempts.
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
				result = pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
			}
			catch (Throwable ex) {
				if (observer != null) {
					observer.ended(context, token, ex);
				}
				wait = this.retry.onFailure(attempt, ex);
				if (wait == Retry.NO_RETRY) {
					throw ex;
				}
				pause(wait, ex);
				continue;
			}
			if (observer != null) {
				observer.ended(context, token, null);
			}
			wait = this.retry.onResult(attempt, result);
			if (wait == Retry.NO_RETRY) {
				return result;
			}
			pause(wait, null);
		}
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
		attempt(pipeline, next, context, rateLimiterKey, bulkheadKey, invoker, 1, result);
		return result;
	}

	private void attempt(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, AsyncInvoker<?> invoker, int attempt,
			CancellableFuture<@Nullable Object> result) {
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
				wait = (failure != null) ? this.retry.onFailure(attempt, CancellableFuture.unwrap(failure))
						: this.retry.onResult(attempt, value);
			}
			catch (Throwable ex) {
				// As the synchronous loop would throw it.
				result.completeExceptionally(ex);
				return;
			}
			if (wait == Retry.NO_RETRY) {
				result.completeWith(value, failure);
				return;
			}
			Runnable nextAttempt = () -> attempt(pipeline, next, context, rateLimiterKey, bulkheadKey, invoker,
					attempt + 1, result);
			if (wait <= 0) {
				nextAttempt.run();
			}
			else {
				result.waitOn(this.retry.scheduler().schedule(nextAttempt, wait));
			}
		});
	}

}
