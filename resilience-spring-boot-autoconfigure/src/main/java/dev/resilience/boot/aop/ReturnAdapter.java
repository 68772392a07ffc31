package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.core.Invoker;
import dev.resilience.pipeline.Pipeline;
import io.micrometer.observation.Observation;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.core.KotlinDetector;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.util.ClassUtils;

/**
 * How a method's return type runs through the pipeline: synchronously on the caller's
 * thread, or as an asynchronous outcome ({@code CompletionStage}, Reactor
 * {@code Mono}/{@code Flux}, or another reactive type that Spring's
 * {@link ReactiveAdapterRegistry} knows, or a Kotlin {@code suspend fun}, which Spring's
 * AOP proceeds as a {@code Mono}) with the same semantics. Chosen once per method at
 * startup.
 */
abstract class ReturnAdapter {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			ReturnAdapter.class.getClassLoader());

	// The operators that serve reactive types: an optional dependency of this module, as
	// reactor-core is (the starter brings it, without reactor-core).
	private static final boolean OPERATORS_PRESENT = ClassUtils.isPresent("dev.resilience.reactor.ResilienceOperator",
			ReturnAdapter.class.getClassLoader());

	// What Spring's AOP needs to hand a suspend function to advice as a Mono (and to
	// await the Mono the advice returns): without it, a proxied suspend function's
	// invocation returns whatever the Kotlin calling convention gives, which no stage
	// could judge.
	static final boolean COROUTINES_REACTOR_PRESENT = ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt",
			ReturnAdapter.class.getClassLoader());

	/** Proceeds down the rest of the interceptor chain once. */
	static final Invoker<MethodInvocation> PROCEED = MethodInvocation::proceed;

	/**
	 * Proceeds so that it can be done again: on a fresh copy of the invocation when
	 * interceptors follow ours, so that every attempt of a retry runs them again (a
	 * transaction per attempt, say), and on the invocation itself when none does (see
	 * {@link InvocationChain}).
	 */
	static final Invoker<MethodInvocation> PROCEED_AGAIN = InvocationChain::proceedAgain;

	/**
	 * Runs the invocation through the pipeline and returns what the method returns.
	 * @param pipeline the method's pipeline
	 * @param invocation the invocation
	 * @return the method's result
	 * @throws Throwable the method's or a primitive's failure
	 */
	abstract @Nullable Object invoke(Pipeline pipeline, MethodInvocation invocation) throws Throwable;

	/**
	 * Turns a fallback method's result into what the pipeline expects for this return
	 * type.
	 * @param result the fallback's result
	 * @return the adapted result
	 */
	@Nullable Object adaptFallbackResult(@Nullable Object result) {
		return result;
	}

	/**
	 * Returns the adapter that serves the method once its pipeline is built: this one for
	 * return types served by the {@link Pipeline} itself, one holding the pipeline
	 * compiled into Reactor operators for reactive types; with an observer, one that
	 * observes every call.
	 * @param pipeline the method's pipeline
	 * @param observer observes the method's calls, or {@code null} if they are not
	 * observed (then nothing is added to the call path)
	 * @return the adapter to invoke
	 */
	abstract ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer);

	/**
	 * Tells whether the return type is served asynchronously.
	 * @return {@code true} for asynchronous return types
	 */
	abstract boolean isAsynchronous();

	/**
	 * Chooses the adapter for a method.
	 * @param method the method
	 * @param retried whether the method's pipeline retries (each attempt then proceeds so
	 * that the interceptors after ours run again)
	 * @param subject the method, for messages
	 * @return the adapter, or {@code null} if the return type cannot be served (a
	 * {@link Future} that is not a {@link CompletionStage}, or a {@link CompletionStage}
	 * type the pipeline's {@link CompletableFuture} cannot be assigned to)
	 * @throws ResilienceConfigurationException for a reactive type that cannot be served
	 */
	static @Nullable ReturnAdapter of(Method method, boolean retried, String subject) {
		if (KotlinDetector.isSuspendingFunction(method)) {
			return suspending(method, subject);
		}
		Class<?> type = method.getReturnType();
		Invoker<MethodInvocation> proceed = retried ? PROCEED_AGAIN : PROCEED;
		if (REACTOR_PRESENT && OPERATORS_PRESENT) {
			// Every subscription proceeds again (see InvocationChain): a publisher may be
			// subscribed more than once, and each subscription runs the stages again.
			ReturnAdapter reactive = ReactorAdapters.of(type, method.getGenericReturnType().getTypeName(), subject,
					PROCEED_AGAIN);
			if (reactive != null) {
				return reactive;
			}
		}
		else if (REACTOR_PRESENT && isReactive(type)) {
			throw new ResilienceConfigurationException(subject,
					"the return type " + method.getGenericReturnType().getTypeName()
							+ " is reactive, and reactive types are protected with the Reactor operators of "
							+ "resilience-reactor, which is not on the class path",
					"Add dev.resilience:resilience-reactor to the application (resilience-spring-boot-starter "
							+ "brings it), or return a CompletableFuture.");
		}
		else if (isReactive(type)) {
			throw new ResilienceConfigurationException(subject,
					"the return type " + method.getGenericReturnType().getTypeName()
							+ " is reactive, and reactive types are protected with Reactor operators, but "
							+ "reactor-core is not on the class path",
					"Add io.projectreactor:reactor-core to the application, or return a CompletableFuture.");
		}
		if (CompletionStage.class.isAssignableFrom(type)) {
			return type.isAssignableFrom(CompletableFuture.class) ? new StageAdapter(proceed) : null;
		}
		if (Future.class.isAssignableFrom(type)) {
			return null;
		}
		return new SyncAdapter(proceed);
	}

	/**
	 * A Kotlin {@code suspend fun}: Spring's AOP proceeds it as a {@code Mono} of its
	 * result (a {@code Flux} for one that returns a {@code Flow}) and awaits the
	 * publisher the advice returns, so it is served on the Reactor path, and its outcome
	 * is the coroutine's, not the publisher's creation.
	 */
	private static ReturnAdapter suspending(Method method, String subject) {
		if (!COROUTINES_REACTOR_PRESENT || !REACTOR_PRESENT || !OPERATORS_PRESENT) {
			throw new ResilienceConfigurationException(subject,
					"it is a Kotlin suspend function, which Spring's AOP hands to advice as a Mono only with "
							+ "kotlinx-coroutines-reactor on the class path, and which is protected with the Reactor "
							+ "operators of resilience-reactor",
					"Add org.jetbrains.kotlinx:kotlinx-coroutines-reactor to the application (and "
							+ "dev.resilience:resilience-reactor, which resilience-spring-boot-starter brings).");
		}
		return ReactorAdapters.ofSuspending(Signatures.suspendedReturnType(method));
	}

	/**
	 * Without Reactor: a publisher (by name, the interface may be absent) or a type that
	 * Spring's {@link ReactiveAdapterRegistry} knows, other than a
	 * {@code CompletionStage}.
	 */
	private static boolean isReactive(Class<?> type) {
		if (CompletionStage.class.isAssignableFrom(type)) {
			return false;
		}
		if (Flow.Publisher.class.isAssignableFrom(type)) {
			return true;
		}
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			if (ClassUtils.getAllInterfacesForClassAsSet(candidate)
				.stream()
				.anyMatch((implemented) -> implemented.getName().equals("org.reactivestreams.Publisher"))
					|| candidate.getName().equals("org.reactivestreams.Publisher")) {
				return true;
			}
		}
		return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type) != null;
	}

	private static final class SyncAdapter extends ReturnAdapter {

		private final Invoker<MethodInvocation> proceed;

		SyncAdapter(Invoker<MethodInvocation> proceed) {
			this.proceed = proceed;
		}

		@Override
		@Nullable Object invoke(Pipeline pipeline, MethodInvocation invocation) throws Throwable {
			return pipeline.execute(invocation, this.proceed);
		}

		@Override
		ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer) {
			return (observer != null) ? new ObservedSyncAdapter(MethodObserver.proceed(this.proceed), observer) : this;
		}

		@Override
		boolean isAsynchronous() {
			return false;
		}

	}

	/**
	 * A plain value, observed: the call's observation is current while the pipeline runs
	 * on the caller's thread, and stops when it returns or throws.
	 */
	private static final class ObservedSyncAdapter extends ReturnAdapter {

		private final Invoker<MethodInvocation> proceed;

		private final MethodObserver observer;

		ObservedSyncAdapter(Invoker<MethodInvocation> proceed, MethodObserver observer) {
			this.proceed = proceed;
			this.observer = observer;
		}

		@Override
		@Nullable Object invoke(Pipeline pipeline, MethodInvocation invocation) throws Throwable {
			ObservedCall call = this.observer.start(invocation, null);
			Throwable failure = null;
			try (Observation.Scope scope = call.observation().openScope()) {
				return pipeline.execute(call, this.proceed);
			}
			catch (Throwable ex) {
				failure = ex;
				throw ex;
			}
			finally {
				this.observer.stop(call, failure);
			}
		}

		@Override
		ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer) {
			return this;
		}

		@Override
		boolean isAsynchronous() {
			return false;
		}

	}

	private static final class StageAdapter extends ReturnAdapter {

		private final Invoker<MethodInvocation> proceed;

		private final AsyncInvoker<MethodInvocation> stage;

		StageAdapter(Invoker<MethodInvocation> proceed) {
			this.proceed = proceed;
			this.stage = stageOf(proceed);
		}

		@Override
		@Nullable Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			return pipeline.executeAsync(invocation, this.stage);
		}

		@Override
		ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer) {
			return (observer != null)
					? new ObservedStageAdapter(stageOf(MethodObserver.proceed(this.proceed)), observer) : this;
		}

		/**
		 * The method's result as the stage the pipeline expects; none for {@code null}.
		 */
		private static AsyncInvoker<MethodInvocation> stageOf(Invoker<MethodInvocation> proceed) {
			return (invocation) -> {
				Object result = proceed.invoke(invocation);
				return (result != null) ? (CompletionStage<?>) result : CompletableFuture.completedFuture(null);
			};
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

	/**
	 * A {@code CompletionStage}, observed: the call's observation is current while the
	 * pipeline starts the call, and stops when the future the caller gets completes.
	 */
	private static final class ObservedStageAdapter extends ReturnAdapter {

		private final AsyncInvoker<MethodInvocation> stage;

		private final MethodObserver observer;

		ObservedStageAdapter(AsyncInvoker<MethodInvocation> stage, MethodObserver observer) {
			this.stage = stage;
			this.observer = observer;
		}

		@Override
		@Nullable Object invoke(Pipeline pipeline, MethodInvocation invocation) {
			ObservedCall call = this.observer.start(invocation, null);
			CompletableFuture<@Nullable Object> result;
			try (Observation.Scope scope = call.observation().openScope()) {
				result = pipeline.executeAsync(call, this.stage);
			}
			this.observer.stopOn(call, result);
			return result;
		}

		@Override
		ReturnAdapter bind(Pipeline pipeline, @Nullable MethodObserver observer) {
			return this;
		}

		@Override
		boolean isAsynchronous() {
			return true;
		}

	}

}
