package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a compiled {@link Pipeline}, the implementation of one
 * {@link Pipeline.Stage} (one file per kind: {@link RetryStage},
 * {@link CircuitBreakerStage}, {@link RateLimiterStage}, {@link TimeoutStage},
 * {@link BulkheadStage}, {@link ThreadPoolBulkheadStage}; and innermost the
 * {@link ChaosStage}). Each synchronous {@code execute} completes its primitive's permit
 * on every path (return, throw); each asynchronous one does the same when the inner stage
 * completes, and returns a {@link dev.resilience.internal.CancellableFuture} whose
 * cancellation reaches the inner stage (or the scheduled wait), so that a cancelled
 * execution gives back everything it holds and starts nothing more.
 * <p>
 * A stage applies its primitive around the rest of the pipeline, which it reaches through
 * its {@link #inner} stage (synchronously; see there why) or {@link Pipeline#run} /
 * {@link Pipeline#runAsync} with the index of the next stage, so that no per-call object
 * links the stages. The call's keys, computed by the pipeline before any stage runs, are
 * passed down the same way ({@code null}: the instance's shared state).
 */
abstract class PipelineStage {

	/**
	 * The next stage inward, {@code null} in the innermost one (whose inside is the call
	 * itself); linked once by the pipeline's constructor, before the pipeline is
	 * published through its final fields.
	 * <p>
	 * The synchronous {@code execute} of the stages on the success path calls it from its
	 * own code ({@code inner.execute(...)}, or the invoker in the innermost) rather than
	 * through {@link Pipeline#run}: a call site per stage class sees the few kinds of
	 * stage that follow that kind in the application's pipelines, so the JIT can inline
	 * them, where the one site in {@code Pipeline.run} sees every kind and dispatches
	 * through the virtual table on every stage of every call.
	 */
	@Nullable PipelineStage inner;

	/**
	 * The stage this implements; {@code null} for the {@link ChaosStage}, which is no
	 * {@link Pipeline.Stage} (always innermost, not reported by
	 * {@link Pipeline#stages()}).
	 */
	abstract Pipeline.@Nullable Stage stage();

	abstract @Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable;

	abstract CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker);

}
