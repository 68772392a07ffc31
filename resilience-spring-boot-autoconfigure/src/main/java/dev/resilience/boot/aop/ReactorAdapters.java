package dev.resilience.boot.aop;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.Invoker;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.reactor.ResilienceOperator;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * Reactive return types; loaded only when reactor-core is on the class path.
 * <p>
 * A {@code Mono} or {@code Flux} is served by resilience-reactor's
 * {@link ResilienceOperator} applied at startup to the method's pipeline: Reactor
 * operators around the method's publisher, so a {@code Flux} streams (an endless one
 * included) and each subscription runs the stages. Every other type that Spring's shared
 * {@link ReactiveAdapterRegistry} knows (a plain Reactive Streams {@code Publisher},
 * {@code java.util.concurrent.Flow.Publisher}, RxJava, Mutiny, Kotlin's {@code Flow}...)
 * is adapted to a {@code Flux} (multi-value types) or a {@code Mono} (single- and
 * no-value types), served by the same chain, and adapted back to the declared type.
 * {@code CompletionStage} is left to the pipeline.
 */
final class ReactorAdapters {

	private ReactorAdapters() {
	}

	/**
	 * Returns the adapter for a reactive return type.
	 * @param type the declared return type
	 * @param declared the declared return type, as written, for messages
	 * @param subject the method, for messages
	 * @param proceed how each subscription proceeds down the interceptor chain
	 * @return the adapter, or {@code null} if the type is not reactive (or a
	 * {@code CompletionStage})
	 * @throws ResilienceConfigurationException for a reactive type that cannot be served:
	 * a subtype of a known reactive type (such as {@code ConnectableFlux}), or a
	 * publisher the registry does not know, which could not be rebuilt as the declared
	 * type
	 */
	static @Nullable ReturnAdapter of(Class<?> type, String declared, String subject,
			Invoker<MethodInvocation> proceed) {
		if (type == Mono.class) {
			return new ReactorAdapter(proceed, true, null);
		}
		if (type == Flux.class) {
			return new ReactorAdapter(proceed, false, null);
		}
		ReactiveAdapter adapter = ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
		if (adapter == null) {
			if (Publisher.class.isAssignableFrom(type) || Flow.Publisher.class.isAssignableFrom(type)) {
				throw new ResilienceConfigurationException(subject,
						"the return type " + declared + " is a publisher that Spring's ReactiveAdapterRegistry does "
								+ "not know, so the protected result could not be returned as a " + type.getName(),
						"Declare org.reactivestreams.Publisher, Mono or Flux as the return type, or register the "
								+ "type with ReactiveAdapterRegistry.getSharedInstance().");
			}
			return null;
		}
		if (CompletionStage.class.isAssignableFrom(adapter.getReactiveType())) {
			return null;
		}
		if (adapter.getReactiveType() != type) {
			throw new ResilienceConfigurationException(subject,
					"the return type " + declared + " is a subtype of the reactive type "
							+ adapter.getReactiveType().getName()
							+ ": the protected result is rebuilt from a publisher, which gives a "
							+ adapter.getReactiveType().getSimpleName() + ", not a " + type.getName(),
					"Declare " + adapter.getReactiveType().getName() + " as the return type.");
		}
		return new ReactorAdapter(proceed, !adapter.isMultiValue(), adapter);
	}

	/**
	 * Returns the adapter for a Kotlin {@code suspend fun}, whose invocation Spring's AOP
	 * proceeds as a {@code Mono} of its result, or as a {@code Flux} when it returns a
	 * {@code Flow} or a multi-value publisher; the proxy awaits (or turns into a
	 * {@code Flow}) what the adapter returns.
	 * @param returnType the function's declared (Kotlin) return type
	 * @return the adapter
	 */
	static ReturnAdapter ofSuspending(Class<?> returnType) {
		boolean many = returnType.getName().equals("kotlinx.coroutines.flow.Flow")
				|| (Publisher.class.isAssignableFrom(returnType) && !Mono.class.isAssignableFrom(returnType));
		// The publisher goes back to the proxy as it is; a Flow that a plain fallback
		// returns becomes a publisher through the Flow's adapter.
		ReactiveAdapter fallbackAdapter = many ? ReactiveAdapterRegistry.getSharedInstance().getAdapter(returnType)
				: null;
		return new ReactorAdapter(ReturnAdapter.PROCEED_AGAIN, !many, fallbackAdapter, true, null, null, null);
	}

	/*
	 * Design. The stages are resilience-reactor's operators (ResilienceOperator), applied
	 * once at startup, by bind, around a publisher that calls the method:
	 * Flux.deferContextual reads the call's MethodInvocation from the Reactor Context,
	 * where invoke puts it (contextWrite), and proceeds down the interceptor chain. The
	 * operator gets the same invocation from the Context as the call context of the key
	 * expressions and the fallback method. So every subscription proceeds once per
	 * attempt, and the stages, the Context keeping and the streaming are
	 * resilience-reactor's, shared with code-built pipelines; what is left here is the
	 * method: its invocation, its result type's adapter.
	 */
	private static final class ReactorAdapter extends ReturnAdapter {

		/** Where a call's {@link MethodInvocation} travels in the Reactor Context. */
		private static final Object INVOCATION = new Object() {

			@Override
			public String toString() {
				return "resilience.invocation";
			}

		};

		private static final Function<ContextView, Object> INVOCATION_OF = (context) -> context.get(INVOCATION);

		private final Invoker<MethodInvocation> proceed;

		private final boolean mono;

		// The declared type's adapter; null for Mono and Flux, served as they are.
		private final @Nullable ReactiveAdapter adapter;

		// A suspend function: the proxy takes the publisher (and awaits it, or turns it
		// into a Flow), so it is not adapted back to the declared type.
		private final boolean suspending;

		// The compiled stages; null until bind.
		private final @Nullable Mono<Object> monoChain;

		private final @Nullable Flux<Object> fluxChain;

		// Observes every subscription; null if calls are not observed.
		private final @Nullable MethodObserver observer;

		ReactorAdapter(Invoker<MethodInvocation> proceed, boolean mono, @Nullable ReactiveAdapter adapter) {
			this(proceed, mono, adapter, false, null, null, null);
		}

		private ReactorAdapter(Invoker<MethodInvocation> proceed, boolean mono, @Nullable ReactiveAdapter adapter,
				boolean suspending, @Nullable Mono<Object> monoChain, @Nullable Flux<Object> fluxChain,
				@Nullable MethodObserver observer) {
			this.proceed = proceed;
			this.mono = mono;
			this.adapter = adapter;
			this.suspending = suspending;
			this.monoChain = monoChain;
			this.fluxChain = fluxChain;
			this.observer = observer;
		}

		@Override
		ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer) {
			ReactiveAdapter adapter = this.adapter;
			Invoker<MethodInvocation> proceed = (observer != null) ? MethodObserver.proceed(this.proceed)
					: this.proceed;
			Flux<Object> call = (observer != null)
					? Flux.deferContextual((context) -> observedCall(proceed, context.get(INVOCATION), adapter))
					: Flux.deferContextual((context) -> call(proceed, context.get(INVOCATION), adapter));
			ResilienceOperator<Object> stages = ResilienceOperator.of(pipeline, INVOCATION_OF);
			if (this.mono) {
				return new ReactorAdapter(proceed, true, adapter, this.suspending,
						(Mono<Object>) stages.apply(Mono.fromDirect(call)), null, observer);
			}
			return new ReactorAdapter(proceed, false, adapter, this.suspending, null, (Flux<Object>) stages.apply(call),
					observer);
		}

		@Override
		Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			Publisher<?> published;
			MethodObserver observer = this.observer;
			if (observer != null) {
				published = observed(invocation, observer);
			}
			else {
				Function<Context, Context> withInvocation = (context) -> context.put(INVOCATION, invocation);
				if (this.monoChain != null) {
					published = this.monoChain.contextWrite(withInvocation);
				}
				else if (this.fluxChain != null) {
					published = this.fluxChain.contextWrite(withInvocation);
				}
				else {
					throw new IllegalStateException("The reactive chain is compiled by bind(pipeline) before any call");
				}
			}
			ReactiveAdapter adapter = this.adapter;
			return (adapter != null && !this.suspending) ? adapter.fromPublisher(published) : published;
		}

		/**
		 * The chain with an observation per subscription: a child of the subscriber's
		 * (from its Context, where Reactor's observability keeps it), the parent of what
		 * the chain's stages and the method observe, stopped once at the first of
		 * completion, error and cancellation (after an element: a result; before any: a
		 * cancelled call).
		 */
		private Publisher<?> observed(MethodInvocation invocation, MethodObserver observer) {
			Mono<Object> monoChain = this.monoChain;
			Flux<Object> fluxChain = this.fluxChain;
			if (monoChain == null && fluxChain == null) {
				throw new IllegalStateException("The reactive chain is compiled by bind(pipeline) before any call");
			}
			Flux<Object> observed = Flux.<Object>deferContextual((subscriber) -> {
				Observation parent = subscriber.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
				ObservedCall call = observer.start(invocation, parent);
				Function<Context, Context> withCall = (context) -> context.put(INVOCATION, call)
					.put(ObservationThreadLocalAccessor.KEY, call.observation());
				if (monoChain != null) {
					// A Mono's outcome is its element, as for its stages: its subscriber
					// may have what it waited for before the completion arrives.
					return monoChain.contextWrite(withCall)
						.doOnNext((element) -> observer.stop(call, null))
						.doOnSuccess((element) -> observer.stop(call, null))
						.doOnError((failure) -> observer.stop(call, failure))
						.doOnCancel(() -> cancelled(observer, call));
				}
				return fluxChain.contextWrite(withCall)
					.doOnNext((element) -> call.emitted())
					.doOnComplete(() -> observer.stop(call, null))
					.doOnError((failure) -> observer.stop(call, failure))
					.doOnCancel(() -> cancelled(observer, call));
			});
			return (monoChain != null) ? Mono.fromDirect(observed) : observed;
		}

		/**
		 * A cancel stops the call's observation if nothing else did: after an element (a
		 * Mono's subscriber cancels after the value), a result; before any, a cancelled
		 * call.
		 */
		private static void cancelled(MethodObserver observer, ObservedCall call) {
			if (!call.isStopped()) {
				observer.stop(call, call.hasEmitted() ? null : new CancellationException("The call was cancelled"));
			}
		}

		/**
		 * A fallback method's result as the stages take it: a publisher; another reactive
		 * type through the declared type's adapter.
		 */
		@Override
		@Nullable Object adaptFallbackResult(@Nullable Object result) {
			ReactiveAdapter adapter = this.adapter;
			return (adapter != null && result != null && !(result instanceof Publisher<?>))
					? adapter.toPublisher(result) : result;
		}

		@Override
		boolean isAsynchronous() {
			return true;
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

		/**
		 * Calls the method of an observed call: what the method's publisher observes (a
		 * WebClient exchange) is a child of the current attempt, or of the call without a
		 * retry.
		 */
		private static Publisher<Object> observedCall(Invoker<MethodInvocation> proceed, ObservedCall call,
				@Nullable ReactiveAdapter adapter) {
			Observation current = call.current();
			Publisher<Object> published = call(proceed, call, adapter);
			// In the Context for what reads it there (WebClient), and current on the
			// thread while the method's publisher is subscribed, for what does its work
			// then (a Mono.fromCallable, an RxJava Single).
			Publisher<Object> scoped = (subscriber) -> {
				try (Observation.Scope scope = current.openScope()) {
					published.subscribe(subscriber);
				}
			};
			return Flux.from(scoped)
				.contextWrite((context) -> context.put(ObservationThreadLocalAccessor.KEY, current));
		}

		/**
		 * The method's result as a publisher: a Mono or Flux as it is, another reactive
		 * type through its adapter, nothing as an empty one.
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

	}

}
