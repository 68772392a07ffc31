package dev.resilience.boot.aop;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.pipeline.Pipeline;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reactor return types; loaded only when reactor-core is on the class path.
 * <p>
 * Each subscription runs the pipeline once. A {@code Mono} maps onto one asynchronous
 * outcome directly. A {@code Flux}'s outcome is known only when it completes, so each
 * attempt's elements are collected and emitted once the pipeline has decided: the
 * annotations suit finite streams (a page of results), not endless ones.
 */
final class ReactorAdapters {

	private ReactorAdapters() {
	}

	static @Nullable ReturnAdapter of(Class<?> type, Invoker<MethodInvocation> proceed) {
		if (type == Mono.class) {
			return new MonoAdapter(proceed);
		}
		if (type == Flux.class) {
			return new FluxAdapter(proceed);
		}
		return null;
	}

	private static final class MonoAdapter extends ReturnAdapter {

		private final AsyncInvoker<MethodInvocation> proceed;

		MonoAdapter(Invoker<MethodInvocation> proceed) {
			this.proceed = (invocation) -> {
				Object result = proceed.invoke(invocation);
				return (result != null) ? ((Mono<?>) result).toFuture() : CompletableFuture.completedFuture(null);
			};
		}

		@Override
		Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			return Mono.defer(() -> Mono.fromFuture(pipeline.executeAsync(invocation, this.proceed)));
		}

		@Override
		@Nullable Object adaptFallbackResult(@Nullable Object result) {
			return (result instanceof Mono<?> mono) ? mono.toFuture() : result;
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

	private static final class FluxAdapter extends ReturnAdapter {

		private final AsyncInvoker<MethodInvocation> proceed;

		FluxAdapter(Invoker<MethodInvocation> proceed) {
			this.proceed = (invocation) -> {
				Object result = proceed.invoke(invocation);
				return (result != null) ? ((Flux<?>) result).collectList().toFuture()
						: CompletableFuture.completedFuture(List.of());
			};
		}

		@Override
		Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			return Flux.defer(() -> Mono.fromFuture(pipeline.executeAsync(invocation, this.proceed))
				.flatMapIterable((elements) -> (List<?>) elements));
		}

		@Override
		@Nullable Object adaptFallbackResult(@Nullable Object result) {
			return (result instanceof Flux<?> flux) ? flux.collectList().toFuture() : result;
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

}
