package dev.resilience.reactor;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.internal.PerKeyInstances;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The semaphore bulkhead as a Reactor operator: a place (of the subscription's key, if
 * per key) per subscription, given back once, at its outcome or cancellation.
 */
final class ReactiveBulkheadStage {

	private ReactiveBulkheadStage() {
	}

	static Flux<Object> apply(Bulkhead shared, boolean keyed, Flux<Object> inner, boolean single) {
		return Flux.deferContextual((context) -> {
			// The key's bulkhead is the one released, not looked up again (see
			// PerKeyInstances).
			Bulkhead bulkhead = keyed ? PerKeyInstances.bulkhead(shared, ReactivePipeline.bulkheadKey(context))
					: shared;
			bulkhead.acquirePermission();
			return new Place(bulkhead, single).observe(inner);
		});
	}

	@SuppressWarnings("serial")
	private static final class Place extends Outcome {

		private final Bulkhead bulkhead;

		Place(Bulkhead bulkhead, boolean single) {
			super(single);
			this.bulkhead = bulkhead;
		}

		@Override
		void onSuccess(@Nullable Object result) {
			this.bulkhead.releasePermission();
		}

		@Override
		void onFailure(Throwable failure) {
			this.bulkhead.releasePermission();
		}

		@Override
		void onCancel() {
			this.bulkhead.releasePermission();
		}

	}

}
