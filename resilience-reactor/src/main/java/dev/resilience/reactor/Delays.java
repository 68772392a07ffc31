package dev.resilience.reactor;

import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import reactor.core.publisher.Mono;

/**
 * Waits as Reactor publishers, scheduled on a resilience {@link Scheduler}, so that
 * deadlines and waits follow the primitives' (possibly fake) time.
 */
final class Delays {

	private Delays() {
	}

	/**
	 * Emits one element after {@code nanos}; cancelling it cancels the scheduled task.
	 */
	static Mono<Long> delay(Scheduler scheduler, long nanos) {
		return Mono.create((sink) -> {
			Scheduler.Cancellable task = scheduler.schedule(() -> sink.success(0L), nanos);
			sink.onCancel(task::cancel);
		});
	}

	/**
	 * A delay for reserved permits: cancelled before it ends, it gives them back.
	 */
	static Mono<Long> delay(Scheduler scheduler, long nanos, RateLimiter.Reservation reservation) {
		return Mono.create((sink) -> {
			Scheduler.Cancellable task = scheduler.schedule(() -> sink.success(0L), nanos);
			sink.onCancel(() -> {
				if (task.cancel()) {
					reservation.cancel();
				}
			});
		});
	}

}
