package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a compiled {@link Pipeline}: it applies its primitive around the rest of
 * the pipeline, which it reaches through {@link Pipeline#run} / {@link Pipeline#runAsync}
 * with the index of the next stage, so that no per-call object links the stages. The
 * call's keys, computed by the pipeline before any stage runs, are passed down the same
 * way ({@code null}: the instance's shared state).
 */
abstract class Step {

	abstract Pipeline.Stage stage();

	abstract @Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable;

	abstract CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker);

}
