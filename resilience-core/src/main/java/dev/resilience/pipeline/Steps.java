package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.Invoker;
import dev.resilience.core.ResilienceException;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.Retry;
import dev.resilience.timeout.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The stage implementations, one per primitive. Each synchronous {@code execute}
 * completes its primitive's permit on every path (return, throw); each asynchronous one
 * does the same when the inner stage completes, and returns a {@link CancellableFuture}
 * whose cancellation reaches the inner stage (or the scheduled wait), so that a cancelled
 * execution gives back everything it holds and starts nothing more. The per-key stages
 * get their key from the pipeline, computed before the first stage.
 */
final class Steps {

	private Steps() {
	}

	static final class RetryStep extends Step {

		private final Retry retry;

		RetryStep(Retry retry) {
			this.retry = retry;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.RETRY;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
			for (int attempt = 1;; attempt++) {
				Object result;
				long wait;
				try {
					result = pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
				}
				catch (Throwable ex) {
					wait = this.retry.onFailure(attempt, ex);
					if (wait == Retry.NO_RETRY) {
						throw ex;
					}
					pause(wait, ex);
					continue;
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
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			result.waitOn(inner);
			inner.whenComplete((value, failure) -> {
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

	static final class CircuitBreakerStep extends Step {

		private final CircuitBreaker circuitBreaker;

		CircuitBreakerStep(CircuitBreaker circuitBreaker) {
			this.circuitBreaker = circuitBreaker;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.CIRCUIT_BREAKER;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
			CircuitBreaker.Permit permit = this.circuitBreaker.acquirePermit();
			long start = this.circuitBreaker.startTime();
			Object result;
			try {
				result = pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
			}
			catch (Throwable ex) {
				complete(permit, start, ex);
				throw ex;
			}
			permit.onSuccess(start, result);
			return result;
		}

		@Override
		CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
				@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
			CircuitBreaker.Permit permit = this.circuitBreaker.acquirePermit();
			long start = this.circuitBreaker.startTime();
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
			result.waitOn(inner);
			inner.whenComplete((value, failure) -> {
				try {
					if (failure == null) {
						permit.onSuccess(start, value);
					}
					else {
						complete(permit, start, CancellableFuture.unwrap(failure));
					}
				}
				finally {
					result.completeWith(value, failure);
				}
			});
			return result;
		}

		private static void complete(CircuitBreaker.Permit permit, long start, Throwable failure) {
			// A rejection by an inner rate limiter or bulkhead, or a cancellation by the
			// caller, says nothing about the dependency's health: the call never reached
			// it,
			// so the breaker must not count it (or our own rate limiter could open it).
			if (failure instanceof CancellationException
					|| (failure instanceof ResilienceException resilience && resilience.isRejection())) {
				permit.release();
			}
			else {
				permit.onFailure(start, failure);
			}
		}

	}

	static final class RateLimiterStep extends Step {

		private final RateLimiter rateLimiter;

		private final int permits;

		RateLimiterStep(RateLimiter rateLimiter, int permits) {
			this.rateLimiter = rateLimiter;
			this.permits = permits;
		}

		private RateLimiter limiter(@Nullable Object key) {
			return (key != null) ? this.rateLimiter.forKey(key) : this.rateLimiter;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.RATE_LIMITER;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
			limiter(rateLimiterKey).acquirePermission(this.permits);
			return pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
		}

		@Override
		CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
				@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
			RateLimiter.Reservation reservation = limiter(rateLimiterKey).reserve(this.permits);
			if (!reservation.isGranted()) {
				return CompletableFuture
					.failedFuture(new RequestNotPermittedException(this.rateLimiter.name(), reservation.waitNanos()));
			}
			if (reservation.waitNanos() <= 0) {
				return pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker);
			}
			// The permits are reserved; start the call when they fall due, without
			// blocking. A cancel before then unschedules the start and gives the permits
			// back.
			CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
			Scheduler.Cancellable start = this.rateLimiter.scheduler().schedule(() -> {
				if (result.isDone()) {
					reservation.cancel();
					return;
				}
				CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey,
						bulkheadKey, invoker);
				result.waitOn(inner);
				inner.whenComplete(result::completeWith);
			}, reservation.waitNanos());
			result.waitOn(() -> start.cancel() && reservation.cancel());
			return result;
		}

	}

	static final class TimeoutStep extends Step {

		private final Timeout timeout;

		TimeoutStep(Timeout timeout) {
			this.timeout = timeout;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.TIMEOUT;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
			// Arming a deadline allocates a timer task anyway, so one lambda more costs
			// little.
			return this.timeout.execute(() -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
		}

		@Override
		CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
				@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
			return this.timeout
				.executeAsync(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		}

	}

	static final class BulkheadStep extends Step {

		private final Bulkhead bulkhead;

		BulkheadStep(Bulkhead bulkhead) {
			this.bulkhead = bulkhead;
		}

		private Bulkhead bulkhead(@Nullable Object key) {
			return (key != null) ? this.bulkhead.forKey(key) : this.bulkhead;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.BULKHEAD;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
			// The key's bulkhead is released, not looked up again: it may have been
			// forgotten and recreated meanwhile.
			Bulkhead bulkhead = bulkhead(bulkheadKey);
			bulkhead.acquirePermission();
			try {
				return pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
			}
			finally {
				bulkhead.releasePermission();
			}
		}

		@Override
		CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
				@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
			Bulkhead bulkhead = bulkhead(bulkheadKey);
			bulkhead.acquirePermission();
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
			result.waitOn(inner);
			// A cancel completes the inner stage, which gives the place back here, once.
			inner.whenComplete((value, failure) -> {
				try {
					bulkhead.releasePermission();
				}
				finally {
					result.completeWith(value, failure);
				}
			});
			return result;
		}

	}

	static final class ThreadPoolBulkheadStep extends Step {

		private final ThreadPoolBulkhead bulkhead;

		ThreadPoolBulkheadStep(ThreadPoolBulkhead bulkhead) {
			this.bulkhead = bulkhead;
		}

		@Override
		Pipeline.Stage stage() {
			return Pipeline.Stage.BULKHEAD;
		}

		@Override
		@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
				@Nullable Object bulkheadKey, Invoker<Object> invoker) {
			throw new UnsupportedOperationException("A thread-pool bulkhead isolates asynchronous calls only");
		}

		@Override
		CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
				@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
			return this.bulkhead.submit(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		}

	}

}
