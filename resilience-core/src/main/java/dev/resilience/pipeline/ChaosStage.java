package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.resilience.chaos.Chaos;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.core.Scheduler;
import dev.resilience.deadline.Deadline;
import dev.resilience.internal.CancellableFuture;
import org.jspecify.annotations.Nullable;

/*
 * Design. Innermost, always, so that every other stage sees an injected fault as the
 * call's own outcome. A call the site's rules do not affect costs one volatile read
 * (Chaos.decide) and goes on. An asynchronous latency is a task scheduled on the site's
 * scheduler that starts the call: the result future waits on the task, then on the call
 * (CancellableFuture.waitOn), so a cancel before the task runs unschedules it and the
 * call is never made, and a cancel after reaches the call; the task checks the result
 * first, in case a cancel raced with its start.
 */
/**
 * The chaos stage: applies the fault a {@link Chaos} site's rules decide, around the call
 * itself. Not one of {@link Pipeline.Stage}: it is always innermost, whatever the order.
 * <ul>
 * <li>exception: the call is not made; the rule's exception is thrown (asynchronously: a
 * failed future);</li>
 * <li>latency: the call is made after the wait (synchronously a sleep on the site's
 * scheduler, which an interrupt ends: the call is then not made and the interrupt is kept
 * for the caller; asynchronously a scheduled start, never a blocked thread);</li>
 * <li>result: the call is not made; the rule's value is returned (asynchronously: as a
 * completed future, or the outcome of the {@link CompletionStage} it is).</li>
 * </ul>
 */
final class ChaosStage extends PipelineStage {

	private final Chaos chaos;

	ChaosStage(Chaos chaos) {
		this.chaos = chaos;
	}

	@Override
	Pipeline.@Nullable Stage stage() {
		return null;
	}

	@Override
	@Nullable Object execute(Pipeline pipeline, int next, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, Invoker<Object> invoker) throws Throwable {
		// Always innermost (the builder adds it last): inside it is the call itself.
		Chaos.Injection injection = this.chaos.decide();
		if (injection == null) {
			return invoker.invoke(context);
		}
		switch (injection.fault()) {
			case EXCEPTION -> throw injection.exception();
			case RESULT -> {
				return injection.result();
			}
			case LATENCY -> {
				pause(injection.latencyNanos());
				return invoker.invoke(context);
			}
		}
		throw new IllegalStateException("Unknown fault " + injection.fault());
	}

	private void pause(long nanos) throws InterruptedException {
		try {
			this.chaos.scheduler().sleep(nanos);
		}
		catch (InterruptedException ex) {
			// Interrupted during the wait (a timeout's deadline, a shutdown): the call
			// is not made, and the interrupt is kept for the caller, as the retry's
			// pause does.
			Thread.currentThread().interrupt();
			throw ex;
		}
		// A scheduler whose sleep does not throw when the thread is interrupted during
		// it (a fake one that only moves time) has the same answer.
		if (Thread.currentThread().isInterrupted()) {
			throw new InterruptedException("chaos: interrupted during the latency of site " + this.chaos.name());
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		Chaos.Injection injection = this.chaos.decide();
		if (injection == null) {
			return pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey, invoker);
		}
		switch (injection.fault()) {
			case EXCEPTION -> {
				return CompletableFuture.failedFuture(injection.exception());
			}
			case RESULT -> {
				Object value = injection.result();
				if (value instanceof CompletionStage<?> stage) {
					return (CompletableFuture<@Nullable Object>) stage.toCompletableFuture();
				}
				return CompletableFuture.completedFuture(value);
			}
			case LATENCY -> {
				return later(pipeline, next, context, rateLimiterKey, bulkheadKey, invoker, injection.latencyNanos());
			}
		}
		return CompletableFuture.failedFuture(new IllegalStateException("Unknown fault " + injection.fault()));
	}

	private CompletableFuture<@Nullable Object> later(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker, long nanos) {
		CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
		// Captured on the caller's thread, made current again on the scheduler's.
		Deadline deadline = Deadline.current();
		Scheduler.Cancellable start = this.chaos.scheduler().schedule(DeadlineChecks.within(deadline, () -> {
			if (result.isDone()) {
				return;
			}
			CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
					invoker);
			result.waitOn(inner);
			inner.whenComplete(result::completeWith);
		}), nanos);
		result.waitOn(start);
		return result;
	}

}
