package dev.resilience.reactor;

import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import reactor.core.publisher.Flux;

/**
 * The rate limiter as a Reactor operator: each subscription reserves its permits (of its
 * key, if per key) and subscribes when they fall due, waiting on the limiter's scheduler
 * without blocking; a cancel before then gives them back. With a deadline, permits that
 * fall due after it are not reserved (ENFORCE: the subscription fails with a
 * {@link dev.resilience.deadline.DeadlineExceededException}) or are reported (OBSERVE).
 */
final class ReactiveRateLimiterStage {

	private ReactiveRateLimiterStage() {
	}

	static Flux<Object> apply(RateLimiter shared, int permits, boolean keyed, Flux<Object> inner,
			DeadlineConfig deadlines) {
		return Flux.deferContextual((context) -> {
			RateLimiter limiter = keyed ? PerKeyInstances.rateLimiter(shared, ReactivePipeline.rateLimiterKey(context))
					: shared;
			Deadline deadline = ReactiveDeadlines.of(context);
			RateLimiter.Reservation reservation;
			if (deadline == null) {
				reservation = limiter.reserve(permits);
			}
			else {
				// Permits to be had at once need no look at the clock for the time left.
				reservation = limiter.reserve(permits, 0);
				long left = 0;
				if (reservation == null) {
					left = deadline.remainingNanos();
					reservation = limiter.reserve(permits, left);
				}
				if (reservation == null) {
					if (ReactiveDeadlines.enforced(deadlines)) {
						return Flux.error(
								ReactiveDeadlines.refusal(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left));
					}
					ReactiveDeadlines.report(deadlines, DeadlineStage.RATE_LIMITER, limiter.name(), left);
					reservation = limiter.reserve(permits);
				}
			}
			if (!reservation.isGranted()) {
				return Flux.error(new RequestNotPermittedException(shared.name(), reservation.waitNanos()));
			}
			long wait = reservation.waitNanos();
			return (wait <= 0) ? inner : inner.delaySubscription(Delays.delay(shared.scheduler(), wait, reservation));
		});
	}

}
