package dev.resilience.reactor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The thread-pool bulkhead as a Reactor operator: the subscription happens on a pool
 * thread.
 */
final class ReactiveThreadPoolBulkheadStage {

	private static final CompletionStage<@Nullable Object> SUBSCRIBED = CompletableFuture.completedFuture(null);

	private ReactiveThreadPoolBulkheadStage() {
	}

	static Flux<Object> apply(ThreadPoolBulkhead bulkhead, Flux<Object> inner, DeadlineConfig deadlines) {
		// The subscription (where blocking work such as Mono.fromCallable runs, and for
		// the starter the method's invocation) happens on a pool thread; as for a
		// CompletableFuture, the thread is free again once subscribe returns. The
		// subscriber is passed on as it is, so its Context still reaches the source.
		Publisher<Object> pooled = (subscriber) -> {
			Deadline deadline = (subscriber instanceof CoreSubscriber<?> core)
					? ReactiveDeadlines.of(core.currentContext()) : null;
			CompletableFuture<@Nullable Object> accepted = bulkhead.submit(() -> {
				if (deadline == null) {
					inner.subscribe(subscriber);
					return SUBSCRIBED;
				}
				// On the pool's thread the deadline is current too (blocking work done on
				// subscribe sees it), and a subscription that waited in the queue past it
				// does not start.
				try (Deadline.Scope scope = Deadline.enter(deadline)) {
					if (deadline.isExpired()) {
						ReactiveDeadlines.report(deadlines, DeadlineStage.BULKHEAD, bulkhead.name(), 0);
						if (ReactiveDeadlines.enforced(deadlines)) {
							Operators.error(subscriber,
									ReactiveDeadlines.exception(DeadlineStage.BULKHEAD, bulkhead.name(), 0));
							return SUBSCRIBED;
						}
					}
					inner.subscribe(subscriber);
					return SUBSCRIBED;
				}
			});
			if (accepted.isCompletedExceptionally()) {
				// Rejected (BulkheadFullException) or closed: the task never runs.
				try {
					accepted.join();
				}
				catch (CompletionException ex) {
					Operators.error(subscriber, (ex.getCause() != null) ? ex.getCause() : ex);
				}
			}
		};
		return Flux.from(pooled);
	}

}
