package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.core.Invoker;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.jspecify.annotations.Nullable;

/**
 * The rate limiter stage: takes the permits (of the call's key, if per key) before the
 * rest of the pipeline; asynchronously, reserved permits that fall due later start the
 * rest on the limiter's scheduler, and a cancel before then gives them back.
 */
final class RateLimiterStage extends PipelineStage {

	private final RateLimiter rateLimiter;

	private final int permits;

	RateLimiterStage(RateLimiter rateLimiter, int permits) {
		this.rateLimiter = rateLimiter;
		this.permits = permits;
	}

	@Override
	Pipeline.Stage stage() {
		return Pipeline.Stage.RATE_LIMITER;
	}

	@Override
	@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
		PerKeyInstances.rateLimiter(this.rateLimiter, rateLimiterKey).acquirePermission(this.permits);
		return pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker);
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		RateLimiter.Reservation reservation = PerKeyInstances.rateLimiter(this.rateLimiter, rateLimiterKey)
			.reserve(this.permits);
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
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			result.waitOn(inner);
			inner.whenComplete(result::completeWith);
		}, reservation.waitNanos());
		result.waitOn(() -> start.cancel() && reservation.cancel());
		return result;
	}

}
