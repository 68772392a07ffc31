package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import org.jspecify.annotations.Nullable;

/**
 * The thread-pool bulkhead stage: runs the rest of the pipeline on the bulkhead's pool;
 * asynchronous calls only.
 */
final class ThreadPoolBulkheadStage extends PipelineStage {

	private final ThreadPoolBulkhead bulkhead;

	ThreadPoolBulkheadStage(ThreadPoolBulkhead bulkhead) {
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
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			return this.bulkhead.submit(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
		}
		DeadlineConfig deadlines = pipeline.deadlines();
		return this.bulkhead.submit(() -> {
			// On the pool's thread: the deadline is current there too, and a call that
			// waited in the queue past it does not start.
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				if (deadline.isExpired()) {
					if (DeadlineChecks.enforced(deadlines)) {
						return CompletableFuture.failedFuture(
								DeadlineChecks.refusal(deadlines, DeadlineStage.BULKHEAD, this.bulkhead.name(), 0));
					}
					DeadlineChecks.report(deadlines, DeadlineStage.BULKHEAD, this.bulkhead.name(), 0);
				}
				return pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker);
			}
		});
	}

}
