package dev.resilience.boot.aop;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.Invoker;
import dev.resilience.pipeline.Pipeline;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;

/**
 * Reactive return types; loaded only when reactor-core is on the class path.
 * <p>
 * A {@code Mono} or {@code Flux} is served by a {@link ReactiveChain} compiled at startup
 * from the method's stages: Reactor operators applied to the method's publisher, so a
 * {@code Flux} streams (an endless one included) and each subscription runs the stages.
 * Every other type that Spring's shared {@link ReactiveAdapterRegistry} knows (a plain
 * Reactive Streams {@code Publisher}, {@code java.util.concurrent.Flow.Publisher},
 * RxJava, Mutiny, Kotlin's {@code Flow}...) is adapted to a {@code Flux} (multi-value
 * types) or a {@code Mono} (single- and no-value types), served by the same chain, and
 * adapted back to the declared type. {@code CompletionStage} is left to the pipeline.
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
			return new ReactorAdapter(proceed, true, null, null);
		}
		if (type == Flux.class) {
			return new ReactorAdapter(proceed, false, null, null);
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
		return new ReactorAdapter(proceed, !adapter.isMultiValue(), adapter, null);
	}

	private static final class ReactorAdapter extends ReturnAdapter {

		private final Invoker<MethodInvocation> proceed;

		private final boolean mono;

		// The declared type's adapter; null for Mono and Flux, served as they are.
		private final @Nullable ReactiveAdapter adapter;

		private final @Nullable ReactiveChain chain;

		ReactorAdapter(Invoker<MethodInvocation> proceed, boolean mono, @Nullable ReactiveAdapter adapter,
				@Nullable ReactiveChain chain) {
			this.proceed = proceed;
			this.mono = mono;
			this.adapter = adapter;
			this.chain = chain;
		}

		@Override
		ReturnAdapter bind(MethodStages stages) {
			return new ReactorAdapter(this.proceed, this.mono, this.adapter,
					new ReactiveChain(stages, this.proceed, this.mono, this.adapter));
		}

		@Override
		Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			ReactiveChain chain = this.chain;
			if (chain == null) {
				throw new IllegalStateException("The reactive chain is compiled by bind(stages) before any call");
			}
			Publisher<?> published = chain.invoke(invocation);
			ReactiveAdapter adapter = this.adapter;
			return (adapter != null) ? adapter.fromPublisher(published) : published;
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

}
