package dev.resilience.reactor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.resilience.bulkhead.ThreadPoolBulkhead;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
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

	static Flux<Object> apply(ThreadPoolBulkhead bulkhead, Flux<Object> inner) {
		// The subscription (where blocking work such as Mono.fromCallable runs, and for
		// the starter the method's invocation) happens on a pool thread; as for a
		// CompletableFuture, the thread is free again once subscribe returns. The
		// subscriber is passed on as it is, so its Context still reaches the source.
		Publisher<Object> pooled = (subscriber) -> {
			CompletableFuture<@Nullable Object> accepted = bulkhead.submit(() -> {
				inner.subscribe(subscriber);
				return SUBSCRIBED;
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
