package dev.resilience.reactor;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.internal.PerKeyInstances;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The semaphore bulkhead as a Reactor operator: a place (of the subscription's key, if
 * per key) per subscription, given back once, at its outcome or cancellation, with the
 * latency sample of an adaptive limit (a failure or a cancel counts as a drop). With a
 * deadline, the wait for a place is bounded by it (ENFORCE) or a wait past it reported
 * (OBSERVE).
 */
final class ReactiveBulkheadStage {

	private ReactiveBulkheadStage() {
	}

	static Flux<Object> apply(Bulkhead shared, boolean keyed, Flux<Object> inner, boolean single,
			DeadlineConfig deadlines) {
		return Flux.deferContextual((context) -> {
			// The key's bulkhead is the one released, not looked up again (see
			// PerKeyInstances).
			Bulkhead bulkhead = keyed ? PerKeyInstances.bulkhead(shared, ReactivePipeline.bulkheadKey(context))
					: shared;
			Deadline deadline = ReactiveDeadlines.of(context);
			if (deadline == null) {
				bulkhead.acquirePermission();
			}
			else if (ReactiveDeadlines.enforced(deadlines)) {
				// A place free at once needs no look at the clock; otherwise wait no
				// longer than the deadline.
				if (!bulkhead.acquirePermission(0)) {
					long left = deadline.remainingNanos();
					if (!bulkhead.acquirePermission(left)) {
						return Flux
							.error(ReactiveDeadlines.refusal(deadlines, DeadlineStage.BULKHEAD, bulkhead.name(), left));
					}
				}
			}
			else {
				try {
					bulkhead.acquirePermission();
				}
				finally {
					// Observed: a wait that ran past the deadline is told.
					if (!bulkhead.config().maxWaitDuration().isZero() && deadline.isExpired()) {
						ReactiveDeadlines.report(deadlines, DeadlineStage.BULKHEAD, bulkhead.name(), 0);
					}
				}
			}
			return new Place(bulkhead, bulkhead.sampleStart(), single).observe(inner);
		});
	}

	@SuppressWarnings("serial")
	private static final class Place extends Outcome {

		private final Bulkhead bulkhead;

		// The start of the latency sample (0 for a fixed bulkhead, which reads no clock).
		private final long sampleStart;

		Place(Bulkhead bulkhead, long sampleStart, boolean single) {
			super(single);
			this.bulkhead = bulkhead;
			this.sampleStart = sampleStart;
		}

		@Override
		void onSuccess(@Nullable Object result) {
			this.bulkhead.releasePermission(this.sampleStart, false);
		}

		@Override
		void onFailure(Throwable failure) {
			this.bulkhead.releasePermission(this.sampleStart, true);
		}

		@Override
		void onCancel() {
			// A cancel is a call whose outcome never came: a drop for the limit.
			this.bulkhead.releasePermission(this.sampleStart, true);
		}

	}

}
