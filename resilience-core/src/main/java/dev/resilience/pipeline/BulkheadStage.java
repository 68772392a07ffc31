package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.core.Invoker;
import org.jspecify.annotations.Nullable;

/**
 * The semaphore bulkhead stage: holds a place (of the call's key, if per key) while the
 * rest of the pipeline runs, and gives it back once, on every path.
 */
final class BulkheadStage extends PipelineStage {

	private final Bulkhead bulkhead;

	BulkheadStage(Bulkhead bulkhead) {
		this.bulkhead = bulkhead;
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
		Bulkhead bulkhead = PerKeyInstances.bulkhead(this.bulkhead, bulkheadKey);
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
		Bulkhead bulkhead = PerKeyInstances.bulkhead(this.bulkhead, bulkheadKey);
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
