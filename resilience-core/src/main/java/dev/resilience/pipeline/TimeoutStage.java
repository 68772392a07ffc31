package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutExceededException;
import org.jspecify.annotations.Nullable;

/**
 * The timeout stage: bounds the rest of the pipeline with the timeout's duration, or with
 * what is left of the current {@link Deadline} when that is shorter. Under ENFORCE a call
 * cut at the deadline fails with a {@link DeadlineExceededException} (its cause the
 * timeout's exception); under OBSERVE it runs under its own timeout, and one that
 * outlives the deadline is reported.
 */
final class TimeoutStage extends PipelineStage {

	private final Timeout timeout;

	TimeoutStage(Timeout timeout) {
		this.timeout = timeout;
	}

	@Override
	Pipeline.Stage stage() {
		return Pipeline.Stage.TIMEOUT;
	}

	@Override
	@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			// Arming a deadline allocates a timer task anyway, so one lambda more costs
			// little.
			return this.timeout.execute(() -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		long left = deadline.remainingNanos();
		if (left >= this.timeout.config().timeoutDuration().toNanos()) {
			return this.timeout.execute(() -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		DeadlineConfig deadlines = pipeline.deadlines();
		if (!DeadlineChecks.enforced(deadlines)) {
			try {
				return this.timeout.execute(() -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
			}
			finally {
				if (deadline.isExpired()) {
					DeadlineChecks.report(deadlines, DeadlineStage.TIMEOUT, this.timeout.name(), 0);
				}
			}
		}
		if (left <= 0) {
			throw DeadlineChecks.refusal(deadlines, DeadlineStage.TIMEOUT, this.timeout.name(), 0);
		}
		try {
			return this.timeout.execute(left, () -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		catch (TimeoutExceededException ex) {
			throw cut(deadlines, ex);
		}
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			return this.timeout
				.executeAsync(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		long left = deadline.remainingNanos();
		if (left >= this.timeout.config().timeoutDuration().toNanos()) {
			return this.timeout
				.executeAsync(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		DeadlineConfig deadlines = pipeline.deadlines();
		if (!DeadlineChecks.enforced(deadlines)) {
			CompletableFuture<@Nullable Object> inner = this.timeout
				.executeAsync(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
			inner.whenComplete((value, failure) -> {
				if (deadline.isExpired()) {
					DeadlineChecks.report(deadlines, DeadlineStage.TIMEOUT, this.timeout.name(), 0);
				}
			});
			return inner;
		}
		if (left <= 0) {
			return CompletableFuture
				.failedFuture(DeadlineChecks.refusal(deadlines, DeadlineStage.TIMEOUT, this.timeout.name(), 0));
		}
		CompletableFuture<@Nullable Object> inner = this.timeout.executeAsync(left,
				() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
		result.waitOn(inner);
		inner.whenComplete((value, failure) -> {
			Throwable cause = (failure != null) ? CancellableFuture.unwrap(failure) : null;
			if (isOurs(cause)) {
				result.completeExceptionally(cut(deadlines, (TimeoutExceededException) cause));
			}
			else {
				result.completeWith(value, failure);
			}
		});
		return result;
	}

	/**
	 * Tells a timeout of this stage (cut at the deadline) from one the call itself threw.
	 */
	private boolean isOurs(@Nullable Throwable failure) {
		return failure instanceof TimeoutExceededException timedOut
				&& timedOut.instanceName().equals(this.timeout.name());
	}

	private DeadlineExceededException cut(DeadlineConfig deadlines, TimeoutExceededException timedOut)
			throws TimeoutExceededException {
		if (!timedOut.instanceName().equals(this.timeout.name())) {
			// Thrown by the call itself (another timeout inside it): its own outcome.
			throw timedOut;
		}
		DeadlineChecks.report(deadlines, DeadlineStage.TIMEOUT, this.timeout.name(), 0);
		return new DeadlineExceededException(this.timeout.name(), DeadlineStage.TIMEOUT, timedOut);
	}

}
