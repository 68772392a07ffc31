package dev.resilience.reactor;

import java.util.concurrent.CancellationException;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.core.ResilienceException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The circuit breaker as a Reactor operator: a permit per subscription, completed once
 * with the subscription's outcome (a Mono's at its element, a Flux's at its end).
 */
final class ReactiveCircuitBreakerStage {

	private ReactiveCircuitBreakerStage() {
	}

	static Flux<Object> apply(CircuitBreaker breaker, Flux<Object> inner, boolean single) {
		return Flux.defer(() -> {
			CircuitBreaker.Permit permit = breaker.acquirePermit();
			return new BreakerCall(permit, breaker.startTime(), single).observe(inner);
		});
	}

	@SuppressWarnings("serial")
	private static final class BreakerCall extends Outcome {

		private final CircuitBreaker.Permit permit;

		private final long start;

		BreakerCall(CircuitBreaker.Permit permit, long start, boolean single) {
			super(single);
			this.permit = permit;
			this.start = start;
		}

		@Override
		void onSuccess(@Nullable Object result) {
			this.permit.onSuccess(this.start, result);
		}

		@Override
		void onFailure(Throwable failure) {
			// As in the pipeline: a rejection by an inner stage or a cancellation says
			// nothing about the dependency, so it is not counted.
			if (failure instanceof CancellationException
					|| (failure instanceof ResilienceException resilience && resilience.isRejection())) {
				this.permit.release();
			}
			else {
				this.permit.onFailure(this.start, failure);
			}
		}

		@Override
		void onCancel() {
			this.permit.release();
		}

	}

}
