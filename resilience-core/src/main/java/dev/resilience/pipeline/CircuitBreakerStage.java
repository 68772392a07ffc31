package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.Invoker;
import dev.resilience.core.ResilienceException;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breaker stage: takes the breaker's permit before the rest of the pipeline
 * and completes it exactly once with the outcome; a rejection by an inner stage or a
 * cancellation is released uncounted.
 */
final class CircuitBreakerStage extends PipelineStage {

	private final CircuitBreaker circuitBreaker;

	CircuitBreakerStage(CircuitBreaker circuitBreaker) {
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
			result = (this.inner != null)
					? this.inner.execute(pipeline, next + 1, context, rateLimiterKey, bulkheadKey, invoker)
					: invoker.invoke(context);
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
