package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a compiled {@link Pipeline}: it applies its primitive around the rest of
 * the pipeline, which it reaches through {@link Pipeline#run} / {@link Pipeline#runAsync}
 * with the index of the next stage, so that no per-call object links the stages.
 */
abstract class Step {

	abstract Pipeline.Stage stage();

	abstract @Nullable Object execute(Pipeline pipeline, int next, Object context, Invoker<Object> invoker)
			throws Throwable;

	abstract CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			AsyncInvoker<?> invoker);

}
