package dev.resilience.reactor;

import java.util.Objects;
import java.util.function.Function;

import dev.resilience.pipeline.Pipeline;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Applies a {@link Pipeline}'s stages to a {@code Mono} or a {@code Flux} as Reactor
 * operators:
 *
 * <pre class="code">
 * Mono&lt;Quote&gt; quote = client.quote(id).transformDeferred(ResilienceOperator.of(pipeline));
 * Flux&lt;Price&gt; prices = client.prices().transformDeferred(ResilienceOperator.of(pipeline));
 * </pre>
 *
 * Given a {@code Mono}, {@link #apply} returns a {@code Mono}; given a {@code Flux} (or
 * any other publisher), a {@code Flux}. The stages apply in the pipeline's order
 * ({@link Pipeline#stages()}), the fallback outermost, with the pipeline's semantics:
 * <ul>
 * <li><b>Per subscription.</b> Every subscription runs the stages: the circuit breaker's
 * permit, the rate limiter's permits and the bulkhead's place are taken when it
 * subscribes and completed exactly once, at its outcome or its cancellation (a
 * cancellation is not counted by the breaker and gives back the place, and permits
 * reserved for a later start).</li>
 * <li><b>Streaming.</b> A {@code Flux} is never collected: its elements go downstream as
 * they come, and its stages decide at its completion or error (a timeout bounds the time
 * to each element). A {@code Mono}'s stages decide at its element.</li>
 * <li><b>Retry.</b> An attempt is a subscription of the source, so the source must be
 * lazy (a {@code Mono.fromCallable}, a {@code WebClient} call, a {@code Mono.defer}...).
 * The retry subscribes again only while the attempt has emitted nothing; once an element
 * went downstream, a later error is final.</li>
 * <li><b>Time.</b> Retry waits, rate-limit waits and deadlines are scheduled on the
 * primitives' {@link dev.resilience.core.Scheduler}, never blocking a thread, so a fake
 * scheduler drives them in tests. A thread-pool bulkhead subscribes on a pool
 * thread.</li>
 * <li><b>Context.</b> The subscriber's Reactor {@code Context} reaches the source
 * unchanged.</li>
 * <li><b>Chaos.</b> The pipeline's {@link dev.resilience.chaos.Chaos} site, if any,
 * applies innermost, around the source, per subscription: an exception fault fails the
 * subscription without subscribing the source, a latency fault delays its subscription on
 * the site's scheduler, a result fault emits the rule's value instead (a
 * {@code Publisher} as it is, {@code null} as empty, any other value as the only element;
 * for a {@code Mono}, one element at most).</li>
 * <li><b>Fallback.</b> The pipeline's fallback answers a failure: a {@code Publisher} it
 * returns is subscribed (for a {@code Mono}, its first element), {@code null} means
 * empty, any other value is the only element.</li>
 * </ul>
 * <p>
 * <b>The call context.</b> The pipeline's {@link dev.resilience.core.KeySelector}s (a
 * per-key rate limiter or bulkhead) and its fallback get a context, the
 * {@code Object context} of {@link Pipeline#execute}. Here it is computed once per
 * subscription, before any stage runs, from the subscriber's Reactor Context: by default
 * ({@link #of(Pipeline)}) it is that {@link ContextView} itself, so a selector reads what
 * the subscriber wrote ({@code (context) -> ((ContextView) context).get("tenant")}, with
 * {@code contextWrite(Context.of("tenant", id))} downstream);
 * {@link #of(Pipeline, Function)} computes another value from it (or ignores it, for a
 * fixed value). A key selector that throws fails the subscription with a
 * {@link dev.resilience.core.KeyEvaluationException}, the caller's error: no stage counts
 * or retries it and the fallback does not answer it.
 * <p>
 * Immutable and thread-safe: one operator serves any number of publishers and
 * subscriptions. {@code apply} assembles a few Reactor operators; with
 * {@code transformDeferred} that happens per subscription, with {@code transform} once.
 *
 * @param <T> the element type
 */
public final class ResilienceOperator<T> implements Function<Publisher<T>, Publisher<T>> {

	private static final Function<ContextView, Object> SUBSCRIBER_CONTEXT = (context) -> context;

	private final Pipeline pipeline;

	private final Function<? super ContextView, ?> context;

	private ResilienceOperator(Pipeline pipeline, Function<? super ContextView, ?> context) {
		this.pipeline = Objects.requireNonNull(pipeline, "pipeline must not be null");
		this.context = Objects.requireNonNull(context, "context must not be null");
	}

	/**
	 * Returns an operator for a pipeline whose key selectors and fallback get the
	 * subscriber's {@link ContextView} as the call context.
	 * @param <T> the element type
	 * @param pipeline the stages
	 * @return the operator
	 */
	public static <T> ResilienceOperator<T> of(Pipeline pipeline) {
		return new ResilienceOperator<>(pipeline, SUBSCRIBER_CONTEXT);
	}

	/**
	 * Returns an operator for a pipeline whose key selectors and fallback get the call
	 * context that {@code context} computes, once per subscription, from the subscriber's
	 * Reactor Context.
	 * @param <T> the element type
	 * @param pipeline the stages
	 * @param context computes the call context; must not return {@code null} (the
	 * subscription then fails with a {@code NullPointerException}); what it throws fails
	 * the subscription, as the caller's error
	 * @return the operator
	 */
	public static <T> ResilienceOperator<T> of(Pipeline pipeline, Function<? super ContextView, ?> context) {
		return new ResilienceOperator<>(pipeline, context);
	}

	/**
	 * Applies the stages to a publisher.
	 * @param source the protected publisher (subscribed again by a retry)
	 * @return a {@code Mono} if {@code source} is one, otherwise a {@code Flux}
	 */
	@Override
	@SuppressWarnings("unchecked")
	public Publisher<T> apply(Publisher<T> source) {
		Objects.requireNonNull(source, "source must not be null");
		Flux<Object> upstream = Flux.from((Publisher<Object>) source);
		if (source instanceof Mono<?>) {
			// The chain emits one element at most, as its source (and the fallback's
			// Mono.from) do.
			return (Mono<T>) Mono.fromDirect(ReactivePipeline.around(upstream, this.pipeline, true, this.context));
		}
		return (Flux<T>) ReactivePipeline.around(upstream, this.pipeline, false, this.context);
	}

}
