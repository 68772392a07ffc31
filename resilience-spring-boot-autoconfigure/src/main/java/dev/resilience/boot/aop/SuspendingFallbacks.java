package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import kotlin.coroutines.Continuation;
import kotlin.coroutines.CoroutineContext;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.Job;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.CoroutinesUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Fallbacks where a Kotlin {@code suspend fun} is involved: a suspend function protected
 * by a plain or a suspend fallback, or a suspend fallback for a plain method. Loaded only
 * for such a pair; the types of kotlinx-coroutines and Reactor are named only by the
 * nested class that calls a suspend fallback, so the startup check runs without them.
 * <p>
 * The types fit when the value the fallback gives (a suspend function's declared Kotlin
 * return type, boxed) can be assigned to the value the protected method gives its caller:
 * a suspend function's declared type, the element of a {@code CompletionStage},
 * {@code Mono} or other single-value reactive type, or a plain method's return type. A
 * suspend fallback of a multi-value method ({@code Flux}, {@code Flow}) must return that
 * type itself. A suspend fallback runs in the protected suspend function's coroutine
 * context (its dispatcher and elements, not its Job) or, for a plain method, unconfined;
 * its answer reaches a {@code CompletionStage} method as a future and a plain method as
 * the value, awaited on the calling thread (which a plain method holds anyway).
 */
final class SuspendingFallbacks {

	private static final String FLOW = "kotlinx.coroutines.flow.Flow";

	private SuspendingFallbacks() {
	}

	/** How a suspend fallback's answer reaches the protected method's return path. */
	enum Answer {

		/**
		 * As the publisher: the Reactor path of a suspend or reactive method takes it.
		 */
		PUBLISHER,

		/** As a future: a {@code CompletionStage} method's pipeline composes it. */
		FUTURE,

		/** As the value, awaited: a plain method returns it. */
		VALUE;

		static Answer of(Method method) {
			if (KotlinDetector.isSuspendingFunction(method)) {
				return PUBLISHER;
			}
			Class<?> type = method.getReturnType();
			if (CompletionStage.class.isAssignableFrom(type)) {
				return FUTURE;
			}
			return (reactive(type) != null || Publisher.class.isAssignableFrom(type)) ? PUBLISHER : VALUE;
		}

	}

	/**
	 * Returns how a suspend fallback method is called.
	 * @param candidate the suspend fallback
	 * @param methodSuspends whether the protected method is a suspend function too
	 * @param answer how its answer reaches the protected method's return path
	 * @return the invocation
	 */
	static FallbackMethods.Invocation invocation(Method candidate, boolean methodSuspends, Answer answer) {
		return (target, arguments, caller) -> Coroutines.invoke(candidate, target, arguments,
				methodSuspends ? caller : null, answer);
	}

	/**
	 * What names kotlinx-coroutines and Reactor types: loaded only once a suspend
	 * fallback is called, which startup allows only with kotlinx-coroutines-reactor on
	 * the class path (the check above needs neither).
	 */
	private static final class Coroutines {

		private Coroutines() {
		}

		static @Nullable Object invoke(Method candidate, @Nullable Object target, @Nullable Object[] arguments,
				@Nullable Object caller, Answer answer) throws Throwable {
			CoroutineContext context = (caller instanceof Continuation<?> continuation)
					? continuation.getContext().minusKey(Job.Key) : Dispatchers.getUnconfined();
			Publisher<?> answered = CoroutinesUtils.invokeSuspendingFunction(context, candidate, target, arguments);
			return switch (answer) {
				case PUBLISHER -> answered;
				case FUTURE -> Mono.from(answered).toFuture();
				case VALUE -> awaited(answered);
			};
		}

		private static @Nullable Object awaited(Publisher<?> answered) throws Throwable {
			try {
				return Mono.from(answered).toFuture().get();
			}
			catch (ExecutionException ex) {
				throw (ex.getCause() != null) ? ex.getCause() : ex;
			}
		}

	}

	/**
	 * Returns why a fallback's result does not fit the protected method, or {@code null}
	 * if it does; one of the two is a suspend function.
	 * @param method the protected method
	 * @param candidate the fallback candidate
	 * @return the problem, or {@code null}
	 */
	static @Nullable String returnProblem(Method method, Method candidate) {
		boolean candidateSuspends = KotlinDetector.isSuspendingFunction(candidate);
		if (candidateSuspends && !ReturnAdapter.COROUTINES_REACTOR_PRESENT) {
			return "is a suspend function, which is called with kotlinx-coroutines-reactor, not on the class path";
		}
		ResolvableType given = ResolvableType.forType(Signatures.suspendedGenericReturnType(candidate));
		ResolvableType expected = expectedValue(method, candidateSuspends);
		if (expected == null) {
			if (ClassUtils.isAssignable(method.getReturnType(), given.toClass())) {
				return null;
			}
			return "is a suspend function, which gives one value, and " + Signatures.describe(method) + " returns "
					+ method.getGenericReturnType().getTypeName()
					+ ", a stream; a suspend fallback of it must return that type itself";
		}
		Class<?> expectedType = ClassUtils.resolvePrimitiveIfNecessary(expected.toClass());
		Class<?> givenType = ClassUtils.resolvePrimitiveIfNecessary(given.toClass());
		boolean fits = (expectedType == void.class || givenType == void.class) ? expectedType == givenType
				: ClassUtils.isAssignable(expectedType, givenType);
		return fits ? null : "returns " + given + ", expected " + expected;
	}

	/**
	 * The value a fallback must give for a method: a suspend function's declared type;
	 * for a suspend fallback of a plain method, the element of its single-value type or
	 * the plain type, or the multi-value type itself ({@code null} when the fallback does
	 * not return it, only one value).
	 */
	private static @Nullable ResolvableType expectedValue(Method method, boolean candidateSuspends) {
		ResolvableType declared = ResolvableType.forType(Signatures.suspendedGenericReturnType(method));
		if (KotlinDetector.isSuspendingFunction(method) || !candidateSuspends) {
			return declared;
		}
		Class<?> type = method.getReturnType();
		if (CompletionStage.class.isAssignableFrom(type)) {
			return declared.as(CompletionStage.class).getGeneric(0);
		}
		ReactiveAdapter adapter = reactive(type);
		if (adapter != null && !adapter.isMultiValue()) {
			return declared.getGeneric(0);
		}
		if (adapter != null || Publisher.class.isAssignableFrom(type) || type.getName().equals(FLOW)) {
			return null;
		}
		return declared;
	}

	private static @Nullable ReactiveAdapter reactive(Class<?> type) {
		return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
	}

}
