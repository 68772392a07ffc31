package dev.resilience.internal;

import dev.resilience.core.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;

/*
 * Design: the target is one volatile field. cancel() completes this future first, then
 * reads the target; waitOn() writes the target first, then reads whether this future was
 * cancelled. Of a cancel and a waitOn that race, at least one sees the other's write, so
 * the target is cancelled at least once (twice at most: cancelling a future or a
 * Cancellable again is harmless).
 */
/**
 * The future of one stage of an asynchronous execution that passes its cancellation on to
 * what the stage waits on now: the future of the stage inside it, or a scheduled task. So
 * cancelling an execution's future reaches every stage inside it, each of which gives
 * back what it holds.
 * <p>
 * For the primitives' asynchronous paths; not meant for application code. Thread-safe.
 *
 * @param <T> the result type
 */
public final class CancellableFuture<T> extends CompletableFuture<T> {

	private volatile @Nullable Object target;

	/**
	 * Says what the stage waits on now; cancelled at once if this future already is.
	 * @param future the inner stage's future
	 */
	public void waitOn(Future<?> future) {
		waitOnTarget(future);
	}

	/**
	 * Says what the stage waits on now; cancelled at once if this future already is.
	 * @param task a scheduled task (or any cancellable wait)
	 */
	public void waitOn(Scheduler.Cancellable task) {
		waitOnTarget(task);
	}

	private void waitOnTarget(Object target) {
		this.target = target;
		if (isCancelled()) {
			cancelTarget(target);
		}
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		boolean cancelled = super.cancel(mayInterruptIfRunning);
		if (cancelled) {
			Object current = this.target;
			if (current != null) {
				cancelTarget(current);
			}
		}
		return cancelled;
	}

	private static void cancelTarget(Object target) {
		if (target instanceof Future<?> future) {
			future.cancel(true);
		}
		else {
			((Scheduler.Cancellable) target).cancel();
		}
	}

	/**
	 * Completes this future as {@code outcome} completed, unwrapping the
	 * {@link java.util.concurrent.CompletionException} that dependent stages add.
	 * @param value the value, if {@code failure} is {@code null}
	 * @param failure the failure, or {@code null}
	 */
	@SuppressWarnings("unchecked")
	public void completeWith(@Nullable Object value, @Nullable Throwable failure) {
		if (failure == null) {
			complete((T) value);
		}
		else {
			completeExceptionally(unwrap(failure));
		}
	}

	/**
	 * Returns the failure inside {@link java.util.concurrent.CompletionException}
	 * wrappers.
	 * @param failure the failure
	 * @return the first failure that is not such a wrapper
	 */
	public static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		while (current instanceof java.util.concurrent.CompletionException && current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		// Dependent stages are plain futures: cancelling one of them is not a cancel of
		// this stage.
		return new CompletableFuture<>();
	}

}
