package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.jspecify.annotations.Nullable;

/**
 * The rate limiter stage: takes the permits (of the call's key, if per key) before the
 * rest of the pipeline; asynchronously, reserved permits that fall due later start the
 * rest on the limiter's scheduler, and a cancel before then gives them back.
 * <p>
 * With a current {@link Deadline}, the wait for permits is bounded by what is left of it:
 * under ENFORCE permits that would fall due later are not taken and the call fails with a
 * {@link dev.resilience.deadline.DeadlineExceededException}; under OBSERVE the listener
 * is told and the call waits as without a deadline. A reserved start runs with the
 * deadline current.
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
		RateLimiter limiter = PerKeyInstances.rateLimiter(this.rateLimiter, rateLimiterKey);
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			limiter.acquirePermission(this.permits);
		}
		else {
			acquireWithin(pipeline.deadlines(), deadline, limiter);
		}
		return (this.inner != null)
				? this.inner.execute(pipeline, next + 1, context, rateLimiterKey, bulkheadKey, invoker)
				: invoker.invoke(context);
	}

	private void acquireWithin(DeadlineConfig deadlines, Deadline deadline, RateLimiter limiter) {
		// Permits to be had at once need no look at the clock for the time left.
		if (limiter.acquirePermission(this.permits, 0)) {
			return;
		}
		long left = deadline.remainingNanos();
		if (limiter.acquirePermission(this.permits, left)) {
			return;
		}
		if (DeadlineChecks.enforced(deadlines)) {
			throw DeadlineChecks.refusal(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left);
		}
		// Observed: nothing was taken by the bounded attempt; wait as without a deadline.
		DeadlineChecks.report(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left);
		limiter.acquirePermission(this.permits);
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		RateLimiter limiter = PerKeyInstances.rateLimiter(this.rateLimiter, rateLimiterKey);
		Deadline deadline = Deadline.current();
		RateLimiter.Reservation reservation;
		if (deadline == null) {
			reservation = limiter.reserve(this.permits);
		}
		else {
			DeadlineConfig deadlines = pipeline.deadlines();
			// Permits to be had at once need no look at the clock for the time left.
			reservation = limiter.reserve(this.permits, 0);
			long left = 0;
			if (reservation == null) {
				left = deadline.remainingNanos();
				reservation = limiter.reserve(this.permits, left);
			}
			if (reservation == null) {
				if (DeadlineChecks.enforced(deadlines)) {
					return CompletableFuture.failedFuture(
							DeadlineChecks.refusal(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left));
				}
				DeadlineChecks.report(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left);
				reservation = limiter.reserve(this.permits);
			}
		}
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
		RateLimiter.Reservation reserved = reservation;
		Scheduler.Cancellable start = this.rateLimiter.scheduler().schedule(DeadlineChecks.within(deadline, () -> {
			if (result.isDone()) {
				reserved.cancel();
				return;
			}
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			result.waitOn(inner);
			inner.whenComplete(result::completeWith);
		}), reservation.waitNanos());
		result.waitOn(() -> start.cancel() && reserved.cancel());
		return result;
	}

}
