package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.timeout.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The timeout stage: bounds the rest of the pipeline with the timeout's deadline.
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
		// Arming a deadline allocates a timer task anyway, so one lambda more costs
		// little.
		return this.timeout.execute(() -> pipeline.run(next, context, rateLimiterKey, bulkheadKey, invoker));
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		return this.timeout.executeAsync(() -> pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker));
	}

}
