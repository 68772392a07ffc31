package dev.resilience.reactor;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.pipeline.AttemptObserver;
import dev.resilience.retry.Retry;
import org.jspecify.annotations.Nullable;
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

	static Flux<Object> apply(Retry retry, @Nullable AttemptObserver observer, Flux<Object> inner,
			DeadlineConfig deadlines) {
		return Flux.deferContextual((context) -> {
			RetryCall call = new RetryCall(retry, ReactiveDeadlines.of(context), deadlines);
			Flux<Object> attempts = (observer != null) ? observed(inner, observer, call) : inner;
			return attempts.doOnSubscribe(call)
				.handle(call)
				.switchIfEmpty(Flux.defer(call::completedEmpty))
				.retryWhen(call);
		});
	}

	/**
	 * Tells the observer of every subscription of the inner chain (an attempt): its start
	 * when it is subscribed, and its end exactly once, at its completion, its error, or
	 * its cancellation (after an element: a result, as a Mono's subscriber cancels after
	 * the value and the retry after a result it retries; before any: a cancelled
	 * attempt).
	 */
	private static Flux<Object> observed(Flux<Object> inner, AttemptObserver observer, RetryCall call) {
		return Flux.deferContextual((subscriber) -> {
			Object context = ReactivePipeline.callContext(subscriber);
			ObservedAttempt attempt = new ObservedAttempt(observer, context,
					observer.started(context, ++call.observed));
			return inner.doOnNext(attempt)
				.doOnComplete(attempt::completed)
				.doOnError(attempt::failed)
				.doOnCancel(attempt::cancelled);
		});
	}

	/**
	 * One observed attempt: whichever of its terminal signals comes first ends it.
	 */
	@SuppressWarnings("serial")
	private static final class ObservedAttempt extends AtomicBoolean implements Consumer<Object> {

		private final AttemptObserver observer;

		private final Object context;

		private final @Nullable Object token;

		private volatile boolean emitted;

		ObservedAttempt(AttemptObserver observer, Object context, @Nullable Object token) {
			this.observer = observer;
			this.context = context;
			this.token = token;
		}

		@Override
		public void accept(Object element) {
			if (!this.emitted) {
				this.emitted = true;
			}
		}

		void completed() {
			end(null);
		}

		void failed(Throwable failure) {
			end(failure);
		}

		void cancelled() {
			end(this.emitted ? null : new CancellationException("The attempt was cancelled"));
		}

		private void end(@Nullable Throwable failure) {
			if (compareAndSet(false, true)) {
				this.observer.ended(this.context, this.token, failure);
			}
		}

	}

	/**
	 * One subscription through a retry: counts the attempts, decides at each attempt's
	 * first element, empty completion or early error, and tells retryWhen whether (and
	 * after what wait, on the retry's scheduler) to resubscribe.
	 */
	private static final class RetryCall extends reactor.util.retry.Retry
			implements Consumer<Subscription>, BiConsumer<Object, SynchronousSink<Object>> {

		private final Retry retry;

		private final @Nullable Deadline deadline;

		private final DeadlineConfig deadlines;

		// Attempts are sequential, but may run on different threads (after a wait).
		private volatile int attempt;

		// The attempts told to an AttemptObserver (counted apart: the observer is told
		// before doOnSubscribe counts the attempt).
		volatile int observed;

		private volatile boolean emitted;

		RetryCall(Retry retry, @Nullable Deadline deadline, DeadlineConfig deadlines) {
			this.retry = retry;
			this.deadline = deadline;
			this.deadlines = deadlines;
		}

		/**
		 * Asks the retry, within what is left of the deadline if there is one (as the
		 * pipeline's retry stage does).
		 * @return the wait before the next attempt, or less than zero to end
		 */
		private long decide(@Nullable Object result, @Nullable Throwable failure) {
			Deadline deadline = this.deadline;
			int attempt = this.attempt;
			if (deadline == null) {
				return (failure != null) ? this.retry.onFailure(attempt, failure)
						: this.retry.onResult(attempt, result);
			}
			long left = deadline.remainingNanos();
			if (!ReactiveDeadlines.enforced(this.deadlines)) {
				long wait = (failure != null) ? this.retry.onFailure(attempt, failure)
						: this.retry.onResult(attempt, result);
				if (wait >= left) {
					ReactiveDeadlines.report(this.deadlines, DeadlineStage.RETRY, this.retry.name(), left);
				}
				return wait;
			}
			long wait = (failure != null) ? this.retry.onFailure(attempt, failure, left)
					: this.retry.onResult(attempt, result, left);
			if (wait == Retry.NO_TIME) {
				DeadlineExceededException why = ReactiveDeadlines.refusal(this.deadlines, DeadlineStage.RETRY,
						this.retry.name(), left);
				if (failure != null && failure != why) {
					failure.addSuppressed(why);
				}
			}
			return wait;
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
			long wait = decide(element, null);
			if (wait < 0) {
				this.emitted = true;
				sink.next(element);
			}
			else {
				// Nothing went downstream yet: drop the element and try again.
				sink.error(new RetryOnResult(wait));
			}
		}

		Flux<Object> completedEmpty() {
			long wait = decide(null, null);
			return (wait < 0) ? Flux.empty() : Flux.error(new RetryOnResult(wait));
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
					wait = decide(null, failure);
					if (wait < 0) {
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
