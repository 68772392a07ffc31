package dev.resilience.pipeline;

import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import org.jspecify.annotations.Nullable;

/**
 * The semaphore bulkhead stage: holds a place (of the call's key, if per key) while the
 * rest of the pipeline runs, and gives it back once, on every path, with the call's
 * latency sample for an adaptive limit (an exception, an exceptional completion or a
 * cancel counts as failed; a fixed bulkhead reads no clock).
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
		acquire(pipeline.deadlines(), bulkhead);
		long start = bulkhead.sampleStart();
		boolean failed = true;
		try {
			Object result = (this.inner != null)
					? this.inner.execute(pipeline, next + 1, context, rateLimiterKey, bulkheadKey, invoker)
					: invoker.invoke(context);
			failed = false;
			return result;
		}
		finally {
			bulkhead.releasePermission(start, failed);
		}
	}

	/**
	 * Takes a place; with a current deadline, waits no longer than what is left of it
	 * (ENFORCE) or reports a wait that outlived it (OBSERVE).
	 */
	private static void acquire(DeadlineConfig deadlines, Bulkhead bulkhead) {
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			bulkhead.acquirePermission();
			return;
		}
		if (DeadlineChecks.enforced(deadlines)) {
			// A place free at once needs no look at the clock for the time left.
			if (bulkhead.acquirePermission(0)) {
				return;
			}
			long left = deadline.remainingNanos();
			if (!bulkhead.acquirePermission(left)) {
				throw DeadlineChecks.refusal(deadlines, DeadlineStage.BULKHEAD, bulkhead.name(), left);
			}
			return;
		}
		try {
			bulkhead.acquirePermission();
		}
		finally {
			// Observed: the wait is the bulkhead's own; tell whether it ran past the
			// deadline (it could not have without a wait, a place being free at once).
			if (!bulkhead.config().maxWaitDuration().isZero() && deadline.isExpired()) {
				DeadlineChecks.report(deadlines, DeadlineStage.BULKHEAD, bulkhead.name(), 0);
			}
		}
	}

	@Override
	CompletableFuture<@Nullable Object> executeAsync(Pipeline pipeline, int next, Object context,
			@Nullable Object rateLimiterKey, @Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		Bulkhead bulkhead = PerKeyInstances.bulkhead(this.bulkhead, bulkheadKey);
		acquire(pipeline.deadlines(), bulkhead);
		long start = bulkhead.sampleStart();
		// runAsync never throws: a failure is its stage's.
		CompletableFuture<@Nullable Object> inner = pipeline.runAsync(next, context, rateLimiterKey, bulkheadKey,
				invoker);
		CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
		result.waitOn(inner);
		// A cancel completes the inner stage (exceptionally: a drop), which gives the
		// place back here, once.
		inner.whenComplete((value, failure) -> {
			try {
				bulkhead.releasePermission(start, failure != null);
			}
			finally {
				result.completeWith(value, failure);
			}
		});
		return result;
	}

}
