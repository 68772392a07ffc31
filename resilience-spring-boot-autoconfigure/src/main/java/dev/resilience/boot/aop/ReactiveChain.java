package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.Invoker;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import dev.resilience.core.ResilienceException;
import dev.resilience.core.Scheduler;
import dev.resilience.fallback.Fallback;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.Retry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutExceededException;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Signal;
import reactor.core.publisher.SynchronousSink;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import org.springframework.core.ReactiveAdapter;

/*
 * Design. The stages of a Mono or Flux method are Reactor operators around the method's
 * publisher, in the pipeline's order, compiled once per method at startup into one Flux.
 * A call only attaches its MethodInvocation to the Reactor Context (contextWrite), where
 * the stages that need it (keys, the method itself, the fallback) read it. Every
 * subscription then runs the stages: a stage takes its permit when it is subscribed
 * (Flux.defer), so a publisher subscribed twice is protected twice, and Reactor's
 * operators carry the subscriber's Context up to the method's publisher.
 *
 * A Flux streams: elements go downstream as they come. A Mono is a Flux of at most one
 * element whose element is its outcome (a Mono's subscriber may cancel right after the
 * value, before the completion, as next() does), so the stages of a Mono decide at the
 * element; those of a Flux
 * decide at completion or error.
 *
 * Each stage's state for one subscription is an Outcome, an AtomicBoolean: completion,
 * error and cancellation (and, for a Mono, the element) race to set it, and only the
 * winner completes the primitive's permit, so every permit is completed exactly once
 * whatever order the signals arrive in on whatever threads. A cancellation completes it as
 * "neither": the breaker's permit is released uncounted, the bulkhead's place given back;
 * rate-limiter permits reserved for a delayed subscription are given back if the cancel
 * comes before they fall due, and are consumed once the inner chain was subscribed.
 *
 * The retry resubscribes its inner chain (running the inner stages again) only while the
 * attempt has emitted nothing: its decision is taken at the attempt's first element (the
 * result its predicate sees), at an empty completion, or at an error before any element.
 * Once an element went downstream, the attempt has succeeded for the retry and a later
 * error is final. Waits (retry backoff, rate-limit reservations, deadlines) are scheduled
 * on the primitive's own Scheduler, so injected time drives them.
 */
/**
 * The stages of a {@code Mono} or {@code Flux} method (or one of another reactive type,
 * adapted to them), built from Reactor operators.
 */
final class ReactiveChain {

	/** Where a call's {@link MethodInvocation} travels in the Reactor Context. */
	private static final Object INVOCATION = new Object() {

		@Override
		public String toString() {
			return "resilience.invocation";
		}

	};

	/** Where a subscription's keys travel in the Reactor Context. */
	private static final Object KEYS = new Object() {

		@Override
		public String toString() {
			return "resilience.keys";
		}

	};

	private static final CompletionStage<@Nullable Object> SUBSCRIBED = CompletableFuture.completedFuture(null);

	private final Flux<Object> flux;

	private final Mono<Object> mono;

	private final boolean single;

	/**
	 * Compiles the chain.
	 * @param stages the method's stages
	 * @param proceed how a subscription calls the method (down the rest of the
	 * interceptor chain)
	 * @param single whether the result holds one value at most (a {@code Mono}) or a
	 * stream (a {@code Flux})
	 * @param adapter for a return type other than {@code Mono} and {@code Flux}: turns
	 * the method's (and the fallback's) result into a publisher; {@code null} for
	 * Reactor's own types
	 */
	ReactiveChain(MethodStages stages, Invoker<MethodInvocation> proceed, boolean single,
			@Nullable ReactiveAdapter adapter) {
		this.single = single;
		Flux<Object> chain = Flux.deferContextual((context) -> call(proceed, invocation(context), adapter));
		List<Pipeline.Stage> order = stages.order;
		for (int i = order.size() - 1; i >= 0; i--) {
			chain = stage(order.get(i), stages, chain, single);
		}
		Fallback fallback = stages.fallback;
		if (fallback != null) {
			chain = chain.onErrorResume((failure) -> Flux
				.deferContextual((context) -> fallback(fallback, invocation(context), failure, adapter)));
		}
		if (stages.rateLimiterKeys != null || stages.bulkheadKeys != null) {
			chain = keys(stages.rateLimiterKeys, stages.bulkheadKeys, chain);
		}
		this.flux = chain;
		this.mono = Mono.fromDirect(chain);
	}

	/**
	 * Returns what the method returns for one call: the compiled chain, with the
	 * invocation in its Context.
	 * @param invocation the call
	 * @return a {@code Mono} or {@code Flux}
	 */
	Publisher<Object> invoke(MethodInvocation invocation) {
		Function<Context, Context> withInvocation = (context) -> context.put(INVOCATION, invocation);
		return this.single ? this.mono.contextWrite(withInvocation) : this.flux.contextWrite(withInvocation);
	}

	private static MethodInvocation invocation(ContextView context) {
		return context.get(INVOCATION);
	}

	private static Keys keys(ContextView context) {
		return context.get(KEYS);
	}

	/**
	 * Outermost, before the fallback: computes the subscription's keys for the stages
	 * inside, so that a key that cannot be computed fails the subscription as the
	 * caller's error, which no stage counts or retries and the fallback does not answer
	 * (as the pipeline does).
	 */
	private static Flux<Object> keys(@Nullable KeySelector rateLimiterKeys, @Nullable KeySelector bulkheadKeys,
			Flux<Object> inner) {
		return Flux.deferContextual((context) -> {
			MethodInvocation invocation = invocation(context);
			Keys keys;
			try {
				keys = new Keys(key(rateLimiterKeys, invocation), key(bulkheadKeys, invocation));
			}
			catch (RuntimeException ex) {
				return Flux.error(ex);
			}
			return inner.contextWrite((outer) -> outer.put(KEYS, keys));
		});
	}

	private static @Nullable Object key(@Nullable KeySelector keys, MethodInvocation invocation) {
		if (keys == null) {
			return null;
		}
		try {
			return keys.key(invocation);
		}
		catch (KeyEvaluationException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new KeyEvaluationException("The key could not be computed for this call: " + ex, ex);
		}
	}

	private static Publisher<Object> call(Invoker<MethodInvocation> proceed, MethodInvocation invocation,
			@Nullable ReactiveAdapter adapter) {
		Object result;
		try {
			result = proceed.invoke(invocation);
		}
		catch (Throwable ex) {
			return Flux.error(ex);
		}
		return publisher(result, adapter);
	}

	private static Publisher<Object> fallback(Fallback fallback, MethodInvocation invocation, Throwable failure,
			@Nullable ReactiveAdapter adapter) {
		Object result;
		try {
			result = fallback.apply(invocation, failure);
		}
		catch (Throwable ex) {
			return Flux.error(ex);
		}
		return publisher(result, adapter);
	}

	/**
	 * The method's or the fallback's result as a publisher: a Mono or Flux as it is,
	 * another reactive type through its adapter, nothing as an empty one.
	 */
	@SuppressWarnings("unchecked")
	private static Publisher<Object> publisher(@Nullable Object result, @Nullable ReactiveAdapter adapter) {
		if (result == null) {
			return Flux.empty();
		}
		if (result instanceof Publisher<?> publisher) {
			return (Publisher<Object>) publisher;
		}
		if (adapter != null) {
			return adapter.toPublisher(result);
		}
		return Flux.just(result);
	}

	private static Flux<Object> stage(Pipeline.Stage stage, MethodStages stages, Flux<Object> inner, boolean single) {
		return switch (stage) {
			case RETRY -> (stages.retry != null) ? retry(stages.retry, inner) : inner;
			case CIRCUIT_BREAKER ->
				(stages.circuitBreaker != null) ? circuitBreaker(stages.circuitBreaker, inner, single) : inner;
			case RATE_LIMITER -> (stages.rateLimiter != null)
					? rateLimiter(stages.rateLimiter, stages.permits, stages.rateLimiterKeys != null, inner) : inner;
			case TIMEOUT -> (stages.timeout != null) ? timeout(stages.timeout, inner, single) : inner;
			case BULKHEAD ->
				(stages.bulkhead != null) ? bulkhead(stages.bulkhead, stages.bulkheadKeys != null, inner, single)
						: (stages.threadPoolBulkhead != null) ? threadPoolBulkhead(stages.threadPoolBulkhead, inner)
								: inner;
		};
	}

	// Stages

	private static Flux<Object> retry(Retry retry, Flux<Object> inner) {
		return Flux.defer(() -> {
			RetryCall call = new RetryCall(retry);
			return inner.doOnSubscribe(call)
				.handle(call)
				.switchIfEmpty(Flux.defer(call::completedEmpty))
				.retryWhen(call);
		});
	}

	private static Flux<Object> circuitBreaker(CircuitBreaker breaker, Flux<Object> inner, boolean single) {
		return Flux.defer(() -> {
			CircuitBreaker.Permit permit = breaker.acquirePermit();
			return new BreakerCall(permit, breaker.startTime(), single).observe(inner);
		});
	}

	private static Flux<Object> rateLimiter(RateLimiter rateLimiter, int permits, boolean keyed, Flux<Object> inner) {
		return Flux.deferContextual((context) -> {
			RateLimiter limiter = rateLimiter;
			if (keyed) {
				Object key = keys(context).rateLimiter();
				limiter = (key != null) ? rateLimiter.forKey(key) : rateLimiter;
			}
			RateLimiter.Reservation reservation = limiter.reserve(permits);
			if (!reservation.isGranted()) {
				return Flux.error(new RequestNotPermittedException(rateLimiter.name(), reservation.waitNanos()));
			}
			// The permits are reserved: subscribe when they fall due, without blocking. A
			// subscriber that cancels before then gives them back.
			long wait = reservation.waitNanos();
			return (wait <= 0) ? inner : inner.delaySubscription(delay(rateLimiter.scheduler(), wait, reservation));
		});
	}

	private static Flux<Object> timeout(Timeout timeout, Flux<Object> inner, boolean single) {
		return Flux.defer(() -> {
			TimeoutCall call = new TimeoutCall(timeout, single);
			// Armed before the method is called, so that time spent in it counts; the
			// gate
			// catches what Reactor's timeout cannot: a first signal that came late but
			// before it subscribed to the first deadline (work done synchronously on
			// subscribe or request).
			call.arm();
			Flux<Object> gated = inner.handle(call)
				.onErrorMap(call::late)
				.switchIfEmpty(Flux.defer(call::completedEmpty));
			return call.observe(gated.timeout(call.firstDeadline(), call, Flux.defer(call::exceeded)));
		});
	}

	private static Flux<Object> bulkhead(Bulkhead shared, boolean keyed, Flux<Object> inner, boolean single) {
		return Flux.deferContextual((context) -> {
			Bulkhead bulkhead = shared;
			if (keyed) {
				Object key = keys(context).bulkhead();
				bulkhead = (key != null) ? shared.forKey(key) : shared;
			}
			// The key's bulkhead is the one released, not looked up again: it may have
			// been forgotten and recreated meanwhile.
			bulkhead.acquirePermission();
			return new Place(bulkhead, single).observe(inner);
		});
	}

	private static Flux<Object> threadPoolBulkhead(ThreadPoolBulkhead bulkhead, Flux<Object> inner) {
		// The subscription (the method's invocation and its publisher's subscribe, where
		// blocking work such as Mono.fromCallable runs) happens on a pool thread; as for
		// a
		// CompletableFuture, the thread is free again once subscribe returns. The
		// subscriber is passed on as it is, so its Context still reaches the method.
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

	/**
	 * Emits one element after {@code nanos} on a resilience {@link Scheduler}, so that
	 * deadlines and waits follow the primitives' (possibly fake) time; cancelling it
	 * cancels the scheduled task.
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
	private static Mono<Long> delay(Scheduler scheduler, long nanos, RateLimiter.Reservation reservation) {
		return Mono.create((sink) -> {
			Scheduler.Cancellable task = scheduler.schedule(() -> sink.success(0L), nanos);
			sink.onCancel(() -> {
				if (task.cancel()) {
					reservation.cancel();
				}
			});
		});
	}

	/**
	 * One subscription of one stage: the first of completion, error and cancellation (for
	 * a Mono: its element) wins and alone is reported to the primitive.
	 */
	@SuppressWarnings("serial")
	private abstract static class Outcome extends AtomicBoolean implements Consumer<Signal<Object>>, Runnable {

		private final boolean single;

		private @Nullable Object first;

		private boolean seen;

		Outcome(boolean single) {
			this.single = single;
		}

		final Flux<Object> observe(Flux<Object> inner) {
			return inner.doOnEach(this).doOnCancel(this);
		}

		@Override
		public final void accept(Signal<Object> signal) {
			if (signal.isOnNext()) {
				if (this.single) {
					if (compareAndSet(false, true)) {
						onSuccess(signal.get());
					}
				}
				else if (!this.seen) {
					// Signals are serial (Reactive Streams 1.3), so plain fields do.
					this.seen = true;
					this.first = signal.get();
				}
			}
			else if (signal.isOnComplete()) {
				if (compareAndSet(false, true)) {
					onSuccess(this.first);
				}
			}
			else if (signal.isOnError()) {
				Throwable failure = signal.getThrowable();
				if (failure != null && compareAndSet(false, true)) {
					onFailure(failure);
				}
			}
		}

		/** The subscriber cancelled. */
		@Override
		public final void run() {
			if (compareAndSet(false, true)) {
				onCancel();
			}
		}

		/**
		 * The subscription succeeded.
		 * @param result its result: a Mono's element, a Flux's first element, or
		 * {@code null} if it completed empty
		 */
		abstract void onSuccess(@Nullable Object result);

		abstract void onFailure(Throwable failure);

		abstract void onCancel();

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

		private volatile @Nullable TimeoutExceededException exceeded;

		TimeoutCall(Timeout timeout, boolean single) {
			super(single);
			this.timeout = timeout;
			this.duration = timeout.config().timeoutDuration();
			this.nanos = SettingValidation.toNanos(this.duration);
			this.single = single;
		}

		void arm() {
			this.firstTask = this.timeout.scheduler().schedule(this::fireFirst, this.nanos);
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
			return this.single ? Mono.never() : delay(this.timeout.scheduler(), this.nanos);
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
				return (wait <= 0) ? Mono.just(0L) : delay(this.retry.scheduler(), wait);
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

	/**
	 * The keys of one subscription, computed before its stages.
	 */
	private record Keys(@Nullable Object rateLimiter, @Nullable Object bulkhead) {
	}

}
