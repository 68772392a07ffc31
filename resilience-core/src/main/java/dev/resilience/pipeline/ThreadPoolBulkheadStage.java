package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
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
		return this.bulkhead.submit(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
	}

}
