package dev.resilience.reactor;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Function;

import dev.resilience.core.Scheduler;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.internal.SettingValidation;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutExceededException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.SynchronousSink;

/*
 * Design. Per subscription, a TimeoutCall: a deadline for the first element, armed on the
 * timeout's scheduler before the source is subscribed (so that work done on subscribe
 * counts), and one after each element for the next (a Mono's only element ends it),
 * through Reactor's timeout(first, next, fallback). The first deadline's task may fire on
 * the scheduler's thread while the source signals on another: the flags it sets are
 * volatile, and the gate (handle) turns a first signal that came after the deadline fired,
 * but before Reactor's timeout saw it, into the timeout it is.
 *
 * With a deadline in the subscriber's Context that ends before the timeout would, under
 * ENFORCE each armed wait is the shorter of the timeout and what is left of the deadline,
 * and a timeout that fired at the deadline reaches the subscriber as a
 * DeadlineExceededException (its cause the timeout's exception; the timeout counts it as
 * a timeout); under OBSERVE the timeout is its own, and a subscription that ends after the
 * deadline is reported.
 */
/**
 * The timeout as a Reactor operator: bounds the time to each element (and to the end) on
 * the timeout's scheduler.
 */
final class ReactiveTimeoutStage {

	private ReactiveTimeoutStage() {
	}

	static Flux<Object> apply(Timeout timeout, Flux<Object> inner, boolean single, DeadlineConfig deadlines) {
		return Flux.deferContextual((context) -> {
			Deadline deadline = ReactiveDeadlines.of(context);
			if (deadline == null) {
				return timed(new TimeoutCall(timeout, single, null), inner);
			}
			long left = deadline.remainingNanos();
			if (left >= SettingValidation.toNanos(timeout.config().timeoutDuration())) {
				return timed(new TimeoutCall(timeout, single, null), inner);
			}
			if (!ReactiveDeadlines.enforced(deadlines)) {
				return timed(new TimeoutCall(timeout, single, null), inner).doFinally((signal) -> {
					if (deadline.isExpired()) {
						ReactiveDeadlines.report(deadlines, DeadlineStage.TIMEOUT, timeout.name(), 0);
					}
				});
			}
			if (left <= 0) {
				return Flux.error(ReactiveDeadlines.refusal(deadlines, DeadlineStage.TIMEOUT, timeout.name(), 0));
			}
			TimeoutCall call = new TimeoutCall(timeout, single, deadline);
			return timed(call, inner).onErrorMap((failure) -> {
				if (failure == call.exceeded && call.byDeadline) {
					ReactiveDeadlines.report(deadlines, DeadlineStage.TIMEOUT, timeout.name(), 0);
					return new DeadlineExceededException(timeout.name(), DeadlineStage.TIMEOUT, failure);
				}
				return failure;
			});
		});
	}

	private static Flux<Object> timed(TimeoutCall call, Flux<Object> inner) {
		// Armed before the source is subscribed, so that time spent there counts; the
		// gate catches what Reactor's timeout cannot: a first signal that came late but
		// before it subscribed to the first deadline (work done synchronously on
		// subscribe or request).
		call.arm();
		Flux<Object> gated = inner.handle(call).onErrorMap(call::late).switchIfEmpty(Flux.defer(call::completedEmpty));
		return call.observe(gated.timeout(call.firstDeadline(), call, Flux.defer(call::exceeded)));
	}

	/**
	 * One subscription through a timeout: a deadline for the first element, counted from
	 * the subscription, and one after each element for the next (a Mono's only element
	 * ends it).
	 */
	@SuppressWarnings("serial")
	private static final class TimeoutCall extends Outcome
			implements Function<Object, Publisher<Long>>, BiConsumer<Object, SynchronousSink<Object>> {

		private final Timeout timeout;

		private final Duration duration;

		private final long nanos;

		private final boolean single;

		private volatile Scheduler.@Nullable Cancellable firstTask;

		private volatile boolean firstFired;

		private volatile @Nullable MonoSink<Long> firstSink;

		// Signals before the first element are serial, so a plain field does.
		private boolean started;

		volatile @Nullable TimeoutExceededException exceeded;

		// Enforced and ending before the timeout would: each wait is bounded by it.
		private final @Nullable Deadline deadline;

		// Whether the wait armed last was the deadline's rather than the timeout's.
		volatile boolean byDeadline;

		TimeoutCall(Timeout timeout, boolean single, @Nullable Deadline deadline) {
			super(single);
			this.timeout = timeout;
			this.duration = timeout.config().timeoutDuration();
			this.nanos = SettingValidation.toNanos(this.duration);
			this.single = single;
			this.deadline = deadline;
		}

		/** The wait to arm now: the timeout's, or what is left of the deadline. */
		private long armedWait() {
			Deadline deadline = this.deadline;
			if (deadline == null) {
				return this.nanos;
			}
			long left = deadline.remainingNanos();
			this.byDeadline = left < this.nanos;
			return Math.min(left, this.nanos);
		}

		void arm() {
			this.firstTask = this.timeout.scheduler().schedule(this::fireFirst, armedWait());
		}

		private void fireFirst() {
			this.firstFired = true;
			MonoSink<Long> sink = this.firstSink;
			if (sink != null) {
				sink.success(0L);
			}
		}

		private void cancelFirst() {
			Scheduler.Cancellable task = this.firstTask;
			if (task != null) {
				task.cancel();
			}
		}

		/**
		 * The first deadline, as Reactor's timeout expects it: fires once armed one did.
		 */
		Mono<Long> firstDeadline() {
			return Mono.create((sink) -> {
				this.firstSink = sink;
				if (this.firstFired) {
					sink.success(0L);
				}
			});
		}

		/** The deadline for the element after {@code element}. */
		@Override
		public Publisher<Long> apply(Object element) {
			return this.single ? Mono.never() : Delays.delay(this.timeout.scheduler(), armedWait());
		}

		/** The gate for elements: the first one is late if the first deadline fired. */
		@Override
		public void accept(Object element, SynchronousSink<Object> sink) {
			if (!this.started) {
				this.started = true;
				if (this.firstFired) {
					sink.error(exceededBy(null));
					return;
				}
				cancelFirst();
			}
			sink.next(element);
		}

		/** The gate for a failure before any element: late, it is a timeout. */
		Throwable late(Throwable failure) {
			return (!this.started && this.firstFired && failure != this.exceeded) ? exceededBy(failure) : failure;
		}

		Flux<Object> completedEmpty() {
			return this.firstFired ? Flux.error(exceededBy(null)) : Flux.empty();
		}

		Flux<Object> exceeded() {
			return Flux.error(exceededBy(null));
		}

		private TimeoutExceededException exceededBy(@Nullable Throwable cause) {
			TimeoutExceededException exception = new TimeoutExceededException(this.timeout.name(), this.duration,
					cause);
			this.exceeded = exception;
			return exception;
		}

		@Override
		void onSuccess(@Nullable Object result) {
			cancelFirst();
			this.timeout.onSuccess();
		}

		@Override
		void onFailure(Throwable failure) {
			cancelFirst();
			TimeoutExceededException exceeded = this.exceeded;
			if (failure == exceeded) {
				this.timeout.onTimeout(exceeded);
			}
			else {
				this.timeout.onFailure(failure);
			}
		}

		@Override
		void onCancel() {
			// Neither in time nor late: the subscriber lost interest.
			cancelFirst();
		}

	}

}
