package dev.resilience.reactor;

import dev.resilience.internal.PerKeyInstances;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import reactor.core.publisher.Flux;

/**
 * The rate limiter as a Reactor operator: each subscription reserves its permits (of its
 * key, if per key) and subscribes when they fall due, waiting on the limiter's scheduler
 * without blocking; a cancel before then gives them back.
 */
final class ReactiveRateLimiterStage {

	private ReactiveRateLimiterStage() {
	}

	static Flux<Object> apply(RateLimiter shared, int permits, boolean keyed, Flux<Object> inner) {
		return Flux.deferContextual((context) -> {
			RateLimiter limiter = keyed ? PerKeyInstances.rateLimiter(shared, ReactivePipeline.rateLimiterKey(context))
					: shared;
			RateLimiter.Reservation reservation = limiter.reserve(permits);
			if (!reservation.isGranted()) {
				return Flux.error(new RequestNotPermittedException(shared.name(), reservation.waitNanos()));
			}
			long wait = reservation.waitNanos();
			return (wait <= 0) ? inner : inner.delaySubscription(Delays.delay(shared.scheduler(), wait, reservation));
		});
	}

}
