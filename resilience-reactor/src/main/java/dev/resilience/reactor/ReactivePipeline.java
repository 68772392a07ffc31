package dev.resilience.reactor;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.resilience.core.KeySelector;
import dev.resilience.fallback.Fallback;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.pipeline.Pipeline;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/*
 * Design. A pipeline's stages become Reactor operators around the source publisher, in
 * the pipeline's order, assembled once (by ResilienceOperator.apply) into one Flux.
 * Every subscription then runs the stages: a stage takes its permit when it is
 * subscribed (Flux.defer), so a publisher subscribed twice is protected twice, and
 * Reactor's operators carry the subscriber's Context up to the source, so whatever the
 * subscriber put there (the starter's MethodInvocation, a user's tenant) reaches it.
 *
 * A Flux streams: elements go downstream as they come. A Mono is a Flux of at most one
 * element whose element is its outcome (a Mono's subscriber may cancel right after the
 * value, before the completion, as next() does), so the stages of a Mono decide at the
 * element; those of a Flux decide at completion or error.
 *
 * Each stage's state for one subscription is an Outcome, an AtomicBoolean: completion,
 * error and cancellation (and, for a Mono, the element) race to set it, and only the
 * winner completes the primitive's permit, so every permit is completed exactly once
 * whatever order the signals arrive in on whatever threads. A cancellation completes it
 * as "neither": the breaker's permit is released uncounted, the bulkhead's place given
 * back; rate-limiter permits reserved for a delayed subscription are given back if the
 * cancel comes before they fall due, and are consumed once the inner chain was
 * subscribed.
 *
 * The retry resubscribes its inner chain (running the inner stages again) only while the
 * attempt has emitted nothing: its decision is taken at the attempt's first element (the
 * result its predicate sees), at an empty completion, or at an error before any element.
 * Once an element went downstream, the attempt has succeeded for the retry and a later
 * error is final. Waits (retry backoff, rate-limit reservations, deadlines) are scheduled
 * on the primitive's own Scheduler, so injected time drives them.
 *
 * Innermost, around the source itself whatever the order, the pipeline's chaos site (if
 * any) decides each subscription (ReactiveChaosStage): every stage outside then sees an
 * injected fault as the source's own outcome.
 *
 * Outermost, before the fallback, one subscription's call context is computed from the
 * subscriber's Context, and from it the per-key stages' keys (PerKeyInstances, as the
 * pipeline does); they travel to those stages in the Context. A key that cannot be
 * computed fails the subscription as the caller's error, which no stage counts or
 * retries and the fallback does not answer. The fallback gets the same call context.
 */
/**
 * Compiles a {@link Pipeline} into Reactor operators; see {@link ResilienceOperator}.
 */
final class ReactivePipeline {

	/** Where a subscription's keys travel in the Reactor Context. */
	private static final Object KEYS = new Object() {

		@Override
		public String toString() {
			return "resilience.keys";
		}

	};

	private ReactivePipeline() {
	}

	/**
	 * Applies the pipeline's stages around a source.
	 * @param source the protected publisher; resubscribed by a retry
	 * @param pipeline the stages
	 * @param single whether the source holds one value at most (a {@code Mono}) or a
	 * stream (a {@code Flux})
	 * @param context computes a subscription's call context (for key selectors and the
	 * fallback) from the subscriber's Context
	 * @return the protected publisher
	 */
	static Flux<Object> around(Flux<Object> source, Pipeline pipeline, boolean single,
			Function<? super ContextView, ?> context) {
		// The chaos stage is innermost, around the source itself, whatever the order.
		Flux<Object> chain = (pipeline.chaos() != null)
				? ReactiveChaosStage.apply(Objects.requireNonNull(pipeline.chaos()), source, single) : source;
		List<Pipeline.Stage> order = pipeline.stages();
		for (int i = order.size() - 1; i >= 0; i--) {
			chain = stage(order.get(i), pipeline, chain, single);
		}
		chain = ReactiveDeadlines.around(chain, pipeline.deadlines(), pipeline.name());
		if (pipeline.fallback() != null || pipeline.rateLimiterKeys() != null || pipeline.bulkheadKeys() != null
				|| (pipeline.attemptObserver() != null && pipeline.retry() != null)) {
			chain = call(pipeline, context, chain, single);
		}
		return chain;
	}

	private static Flux<Object> stage(Pipeline.Stage stage, Pipeline pipeline, Flux<Object> inner, boolean single) {
		return switch (stage) {
			case RETRY -> ReactiveRetryStage.apply(Objects.requireNonNull(pipeline.retry()), pipeline.attemptObserver(),
					inner, pipeline.deadlines());
			case CIRCUIT_BREAKER ->
				ReactiveCircuitBreakerStage.apply(Objects.requireNonNull(pipeline.circuitBreaker()), inner, single);
			case RATE_LIMITER -> ReactiveRateLimiterStage.apply(Objects.requireNonNull(pipeline.rateLimiter()),
					pipeline.rateLimiterPermits(), pipeline.rateLimiterKeys() != null, inner, pipeline.deadlines());
			case TIMEOUT -> ReactiveTimeoutStage.apply(Objects.requireNonNull(pipeline.timeout()), inner, single,
					pipeline.deadlines());
			case BULKHEAD -> (pipeline.bulkhead() != null)
					? ReactiveBulkheadStage.apply(pipeline.bulkhead(), pipeline.bulkheadKeys() != null, inner, single,
							pipeline.deadlines())
					: ReactiveThreadPoolBulkheadStage.apply(Objects.requireNonNull(pipeline.threadPoolBulkhead()),
							inner, pipeline.deadlines());
		};
	}

	/**
	 * Outermost: computes the subscription's call context and keys for the stages inside,
	 * then applies the fallback (which does not answer for a key that cannot be
	 * computed).
	 */
	private static Flux<Object> call(Pipeline pipeline, Function<? super ContextView, ?> contexts, Flux<Object> inner,
			boolean single) {
		Fallback fallback = pipeline.fallback();
		KeySelector rateLimiterKeys = pipeline.rateLimiterKeys();
		KeySelector bulkheadKeys = pipeline.bulkheadKeys();
		// The retry's attempt observer gets the call context too, so it travels with the
		// keys.
		boolean travels = rateLimiterKeys != null || bulkheadKeys != null
				|| (pipeline.attemptObserver() != null && pipeline.retry() != null);
		// Described once here, not per subscription.
		String rateLimiterOf = (pipeline.rateLimiter() != null) ? PerKeyInstances.describe(pipeline.rateLimiter()) : "";
		String bulkheadOf = (pipeline.bulkhead() != null) ? PerKeyInstances.describe(pipeline.bulkhead()) : "";
		return Flux.deferContextual((subscriber) -> {
			Object context;
			Keys keys;
			try {
				context = Objects.requireNonNull(contexts.apply(subscriber),
						"The call context computed from the subscriber's Context is null");
				keys = travels ? new Keys(context, PerKeyInstances.key(rateLimiterKeys, context, rateLimiterOf),
						PerKeyInstances.key(bulkheadKeys, context, bulkheadOf)) : null;
			}
			catch (RuntimeException ex) {
				return Flux.error(ex);
			}
			Flux<Object> run = (keys != null) ? inner.contextWrite((outer) -> outer.put(KEYS, keys)) : inner;
			return (fallback != null) ? run.onErrorResume((failure) -> fallback(fallback, context, failure, single))
					: run;
		});
	}

	private static Publisher<Object> fallback(Fallback fallback, Object context, Throwable failure, boolean single) {
		Object result;
		try {
			result = fallback.apply(context, failure);
		}
		catch (Throwable ex) {
			return Flux.error(ex);
		}
		Publisher<Object> published = publisher(result);
		// A Mono's fallback gives one value at most.
		return single ? Mono.from(published) : published;
	}

	/**
	 * A fallback's (or a chaos result fault's) result as a publisher: a publisher as it
	 * is, nothing as an empty one, any other value as the only element.
	 */
	@SuppressWarnings("unchecked")
	static Publisher<Object> publisher(@Nullable Object result) {
		if (result == null) {
			return Flux.empty();
		}
		if (result instanceof Publisher<?> publisher) {
			return (Publisher<Object>) publisher;
		}
		return Flux.just(result);
	}

	/**
	 * Returns the key of the subscription's rate limiter, computed outermost.
	 * @param context the Context the stage was subscribed with
	 * @return the key, or {@code null} for the shared instance
	 */
	static @Nullable Object rateLimiterKey(ContextView context) {
		return context.<Keys>get(KEYS).rateLimiter();
	}

	/**
	 * Returns the key of the subscription's bulkhead, computed outermost.
	 * @param context the Context the stage was subscribed with
	 * @return the key, or {@code null} for the shared instance
	 */
	static @Nullable Object bulkheadKey(ContextView context) {
		return context.<Keys>get(KEYS).bulkhead();
	}

	/**
	 * Returns the subscription's call context, computed outermost.
	 * @param context the Context the stage was subscribed with
	 * @return the call context
	 */
	static Object callContext(ContextView context) {
		return context.<Keys>get(KEYS).context();
	}

	/**
	 * The call context and keys of one subscription, computed before its stages.
	 */
	private record Keys(Object context, @Nullable Object rateLimiter, @Nullable Object bulkhead) {
	}

}
