package dev.resilience.boot.aop;

import dev.resilience.core.Invoker;
import dev.resilience.pipeline.Pipeline;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reactor return types; loaded only when reactor-core is on the class path.
 * <p>
 * A {@code Mono} or {@code Flux} is served by a {@link ReactiveChain} compiled at startup
 * from the method's stages: Reactor operators applied to the method's publisher, so a
 * {@code Flux} streams (an endless one included) and each subscription runs the stages.
 */
final class ReactorAdapters {

	private ReactorAdapters() {
	}

	static @Nullable ReturnAdapter of(Class<?> type, Invoker<MethodInvocation> proceed) {
		if (type == Mono.class) {
			return new ReactorAdapter(proceed, true, null);
		}
		if (type == Flux.class) {
			return new ReactorAdapter(proceed, false, null);
		}
		return null;
	}

	private static final class ReactorAdapter extends ReturnAdapter {

		private final Invoker<MethodInvocation> proceed;

		private final boolean mono;

		private final @Nullable ReactiveChain chain;

		ReactorAdapter(Invoker<MethodInvocation> proceed, boolean mono, @Nullable ReactiveChain chain) {
			this.proceed = proceed;
			this.mono = mono;
			this.chain = chain;
		}

		@Override
		ReturnAdapter bind(MethodStages stages) {
			return new ReactorAdapter(this.proceed, this.mono, new ReactiveChain(stages, this.proceed, this.mono));
		}

		@Override
		Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			ReactiveChain chain = this.chain;
			if (chain == null) {
				throw new IllegalStateException("The reactive chain is compiled by bind(stages) before any call");
			}
			return chain.invoke(invocation);
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

}
