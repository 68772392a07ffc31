package dev.resilience.reactor;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.resilience.retry.Retry;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/*
 * Design. Per subscription, a RetryCall counts the attempts (each a subscription of the
 * inner chain) and decides at the attempt's first element, at an empty completion, or at
 * an error before any element; retryWhen resubscribes after the wait, scheduled on the
 * retry's scheduler. Attempts are sequential but may run on different threads (after a
 * wait), hence the volatile fields. Once an element went downstream, the attempt has
 * succeeded for the retry and a later error is final: what a subscriber saw is never
 * replayed.
 */
/**
 * The retry as a Reactor operator: resubscribes its inner chain while the attempt has
 * emitted nothing.
 */
final class ReactiveRetryStage {

	private ReactiveRetryStage() {
	}

	static Flux<Object> apply(Retry retry, Flux<Object> inner) {
		return Flux.defer(() -> {
			RetryCall call = new RetryCall(retry);
			return inner.doOnSubscribe(call)
				.handle(call)
				.switchIfEmpty(Flux.defer(call::completedEmpty))
				.retryWhen(call);
		});
	}

	/**
	 * One subscription through a retry: counts the attempts, decides at each attempt's
	 * first element, empty completion or early error, and tells retryWhen whether (and
	 * after what wait, on the retry's scheduler) to resubscribe.
	 */
	private static final class RetryCall extends reactor.util.retry.Retry
			implements Consumer<Subscription>, BiConsumer<Object, SynchronousSink<Object>> {

		private final Retry retry;

		// Attempts are sequential, but may run on different threads (after a wait).
		private volatile int attempt;

		private volatile boolean emitted;

		RetryCall(Retry retry) {
			this.retry = retry;
		}

		/** An attempt starts. */
		@Override
		public void accept(Subscription subscription) {
			this.attempt++;
			this.emitted = false;
		}

		/** An element of the current attempt. */
		@Override
		public void accept(Object element, SynchronousSink<Object> sink) {
			if (this.emitted) {
				sink.next(element);
				return;
			}
			long wait = this.retry.onResult(this.attempt, element);
			if (wait == Retry.NO_RETRY) {
				this.emitted = true;
				sink.next(element);
			}
			else {
				// Nothing went downstream yet: drop the element and try again.
				sink.error(new RetryOnResult(wait));
			}
		}

		Flux<Object> completedEmpty() {
			long wait = this.retry.onResult(this.attempt, null);
			return (wait == Retry.NO_RETRY) ? Flux.empty() : Flux.error(new RetryOnResult(wait));
		}

		@Override
		public Publisher<?> generateCompanion(Flux<RetrySignal> signals) {
			return signals.concatMap((signal) -> {
				Throwable failure = signal.failure();
				long wait;
				if (failure instanceof RetryOnResult onResult) {
					wait = onResult.wait;
				}
				else if (this.emitted) {
					// Elements already went downstream: the failure is final.
					return Mono.error(failure);
				}
				else {
					wait = this.retry.onFailure(this.attempt, failure);
					if (wait == Retry.NO_RETRY) {
						return Mono.error(failure);
					}
				}
				return (wait <= 0) ? Mono.just(0L) : Delays.delay(this.retry.scheduler(), wait);
			});
		}

	}

	/**
	 * Ends an attempt whose result is to be retried; never leaves the retry stage.
	 */
	@SuppressWarnings("serial")
	private static final class RetryOnResult extends RuntimeException {

		final long wait;

		RetryOnResult(long wait) {
			super("retry on result", null, false, false);
			this.wait = wait;
		}

	}

}
