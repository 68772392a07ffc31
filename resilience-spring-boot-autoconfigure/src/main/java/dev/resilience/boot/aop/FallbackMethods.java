package dev.resilience.boot.aop;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.ExceptionMatcher;
import dev.resilience.fallback.Fallback;
import dev.resilience.timeout.TimeoutExceededException;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.KotlinDetector;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Resolves a {@code @Fallback(method = ...)} at startup into a core {@link Fallback}, or
 * fails with a message that names the protected method and the signature expected.
 * <p>
 * A candidate is a method of that name on the same bean (any visibility, inherited
 * included, static allowed) or, for {@code beanName::method}, on the named bean, that
 * returns a type assignable to the protected method's and takes the protected method's
 * parameters (assignable), optionally followed by one {@code Throwable}-typed parameter.
 * Each candidate handles the failures its last parameter's type accepts
 * ({@code Throwable} without one); the most specific one wins, and a failure no candidate
 * accepts is rethrown. A {@code java.util.concurrent.TimeoutException} parameter also
 * accepts this library's {@link TimeoutExceededException} (as Resilience4j's time limiter
 * threw it). A primitive method needs a fallback of the same primitive type.
 * <p>
 * A fallback on the same bean runs on its target object. One on another bean runs through
 * that bean as the container exposes it (so that its own advice applies), unless it is
 * private or final, which a class proxy cannot intercept: then it runs on the bean's real
 * object, behind its proxies. On a synchronous method, a candidate whose parameter is a
 * checked exception that the method does not declare and no stage throws could never be
 * chosen: it fails startup.
 */
final class FallbackMethods {

	private FallbackMethods() {
	}

	/**
	 * Resolves the fallback of {@code method}.
	 * @param reference the {@code @Fallback} method reference
	 * @param method the protected method
	 * @param target the bean's target object (the fallback is invoked on it, not through
	 * the proxy)
	 * @param targetClass the bean's class
	 * @param beanFactory the bean factory, for {@code beanName::method}
	 * @param resultAdapter turns the fallback method's result into what the pipeline
	 * expects
	 * @param stageFailures for a synchronous method, the checked exception types its
	 * stages may throw besides their unchecked ones ({@link TimeoutExceededException}
	 * with a timeout, which counts as a {@link TimeoutException}); {@code null} for an
	 * asynchronous method, whose outcome may carry any exception
	 * @return the fallback
	 * @throws ResilienceConfigurationException if no candidate fits, two are ambiguous,
	 * or one takes a checked exception that the method can never throw
	 */
	static Fallback resolve(String reference, Method method, Object target, Class<?> targetClass,
			BeanFactory beanFactory, Function<@Nullable Object, @Nullable Object> resultAdapter,
			@Nullable List<Class<? extends Throwable>> stageFailures) {
		String subject = Signatures.describe(method) + " @Fallback(method = \"" + reference + "\")";
		Class<?> fallbackClass;
		Supplier<@Nullable Object> fallbackTarget;
		// For a method the other bean's proxy cannot intercept: its real object.
		Supplier<@Nullable Object> fallbackObject;
		String methodName;
		int separator = reference.indexOf("::");
		if (separator >= 0) {
			String beanName = reference.substring(0, separator);
			methodName = reference.substring(separator + 2);
			if (!beanFactory.containsBean(beanName)) {
				throw new ResilienceConfigurationException(subject, "there is no bean named '" + beanName + "'",
						"Name an existing bean, as beanName::methodName, or a method of the same bean.");
			}
			fallbackClass = ClassUtils.getUserClass(beanFactory.getType(beanName));
			// The other bean is looked up on first use: it may not exist yet while this
			// one
			// is being proxied.
			fallbackTarget = SingletonSupplier.of(() -> beanFactory.getBean(beanName));
			fallbackObject = realObject(fallbackTarget);
		}
		else {
			methodName = reference;
			fallbackClass = targetClass;
			fallbackTarget = () -> target;
			fallbackObject = fallbackTarget;
		}
		if (methodName.isBlank()) {
			throw new ResilienceConfigurationException(subject, "no method name is given",
					"Name the fallback method, for example @Fallback(method = \"" + method.getName() + "Fallback\").");
		}
		Map<Class<?>, Method> byFailureType = new LinkedHashMap<>();
		List<String> rejected = new ArrayList<>();
		for (Method candidate : ReflectionUtils.getUniqueDeclaredMethods(fallbackClass)) {
			if (!candidate.getName().equals(methodName) || candidate.isBridge()) {
				continue;
			}
			String problem = problem(method, candidate);
			if (problem != null) {
				rejected.add(Signatures.describe(candidate) + ": " + problem);
				continue;
			}
			Class<?> failureType = failureType(method, candidate);
			if (stageFailures != null && !canBeThrown(failureType, method, stageFailures)) {
				throw unreachable(subject, method, candidate, failureType);
			}
			Method previous = byFailureType.putIfAbsent(failureType, candidate);
			if (previous != null) {
				throw new ResilienceConfigurationException(subject,
						"fallback methods " + Signatures.describe(previous) + " and " + Signatures.describe(candidate)
								+ " both handle " + failureType.getName(),
						"Keep one fallback method per exception type.");
			}
		}
		if (byFailureType.isEmpty()) {
			throw new ResilienceConfigurationException(subject,
					"no fitting method '" + methodName + "' on " + fallbackClass.getName()
							+ (rejected.isEmpty() ? "" : "; rejected: " + String.join("; ", rejected)),
					"Declare " + expected(method, methodName) + " on " + fallbackClass.getName() + ".");
		}
		Fallback.Builder builder = Fallback.builder();
		byFailureType.forEach((failureType, candidate) -> builder.on(failureType.asSubclass(Throwable.class),
				handler(method, candidate, hasFailureParameter(method, candidate),
						interceptable(candidate) ? fallbackTarget : fallbackObject, resultAdapter)));
		return builder.build();
	}

	/**
	 * Tells whether a class proxy can intercept a method: a call through it then runs the
	 * bean's own advice (its transaction, say) and reaches its real object. A private or
	 * final method would run on the proxy instance itself, whose fields are not the
	 * bean's.
	 */
	private static boolean interceptable(Method candidate) {
		int modifiers = candidate.getModifiers();
		return !Modifier.isPrivate(modifiers) && !Modifier.isFinal(modifiers);
	}

	/**
	 * The real object behind a bean that may be an AOP proxy (proxies of proxies
	 * included): looked up once for a singleton target, on every call for another target
	 * source (a scoped proxy's current object).
	 */
	private static Supplier<@Nullable Object> realObject(Supplier<@Nullable Object> bean) {
		Supplier<@Nullable Object> singleton = SingletonSupplier.of(() -> {
			Object current = bean.get();
			while (current instanceof Advised advised && advised.getTargetSource().isStatic()) {
				Object target = AopProxyUtils.getSingletonTarget(current);
				if (target == null) {
					break;
				}
				current = target;
			}
			return current;
		});
		return () -> {
			Object current = singleton.get();
			while (current instanceof Advised advised) {
				try {
					Object target = advised.getTargetSource().getTarget();
					if (target == null) {
						break;
					}
					current = target;
				}
				catch (Exception ex) {
					throw new IllegalStateException("The target of the fallback's bean could not be had", ex);
				}
			}
			return current;
		};
	}

	private static Fallback.Handler handler(Method method, Method candidate, boolean passFailure,
			Supplier<@Nullable Object> fallbackTarget, Function<@Nullable Object, @Nullable Object> resultAdapter) {
		ReflectionUtils.makeAccessible(candidate);
		boolean isStatic = Modifier.isStatic(candidate.getModifiers());
		boolean methodSuspends = KotlinDetector.isSuspendingFunction(method);
		// The caller passes the protected method's value arguments (a suspend function's
		// Continuation is not one), then the failure if the fallback takes it.
		int values = Signatures.valueParameterTypes(method).length;
		Invocation invocation = KotlinDetector.isSuspendingFunction(candidate)
				? SuspendingFallbacks.invocation(candidate, methodSuspends, SuspendingFallbacks.Answer.of(method))
				: (target, arguments, caller) -> candidate.invoke(target, arguments);
		return (context, failure) -> {
			@Nullable Object[] given = ((MethodInvocation) context).getArguments();
			// The invocation's own arguments when they are the fallback's (no failure
			// passed, no Continuation to drop): no copy.
			@Nullable Object[] arguments = (!passFailure && values == given.length) ? given
					: Arrays.copyOf(given, passFailure ? values + 1 : values);
			if (passFailure) {
				arguments[values] = failure;
			}
			Object caller = methodSuspends ? given[given.length - 1] : null;
			if (context instanceof ObservedCall call) {
				// An observed call: the fallback answers it (its outcome is "fallback" if
				// the answer succeeds), and runs in the call's observation.
				try (AutoCloseable scope = call.answeredByFallback(failure)) {
					return invoke(invocation, isStatic, fallbackTarget, arguments, caller, resultAdapter);
				}
			}
			return invoke(invocation, isStatic, fallbackTarget, arguments, caller, resultAdapter);
		};
	}

	private static @Nullable Object invoke(Invocation invocation, boolean isStatic,
			Supplier<@Nullable Object> fallbackTarget, @Nullable Object[] arguments, @Nullable Object caller,
			Function<@Nullable Object, @Nullable Object> resultAdapter) throws Throwable {
		try {
			return resultAdapter.apply(invocation.invoke(isStatic ? null : fallbackTarget.get(), arguments, caller));
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	/** How a resolved fallback method is called. */
	@FunctionalInterface
	interface Invocation {

		/**
		 * Calls the fallback method.
		 * @param target the object it runs on, {@code null} for a static one
		 * @param arguments its value arguments
		 * @param caller the protected suspend function's {@code Continuation}, or
		 * {@code null} for another method
		 * @return its result, as the protected method's return path takes it
		 * @throws Throwable what reflection throws
		 */
		@Nullable Object invoke(@Nullable Object target, @Nullable Object[] arguments, @Nullable Object caller) throws Throwable;

	}

	private static @Nullable String problem(Method method, Method candidate) {
		Class<?>[] expected = Signatures.valueParameterTypes(method);
		Class<?>[] actual = Signatures.valueParameterTypes(candidate);
		int count = expected.length;
		if (actual.length != count && actual.length != count + 1) {
			return "takes " + actual.length + " parameters, expected " + count + " or " + (count + 1);
		}
		for (int i = 0; i < count; i++) {
			if (!ClassUtils.isAssignable(actual[i], expected[i])) {
				return "parameter " + (i + 1) + " is " + actual[i].getName() + ", expected " + expected[i].getName();
			}
		}
		if (actual.length == count + 1 && !Throwable.class.isAssignableFrom(actual[count])) {
			return "last parameter is " + actual[count].getName() + ", expected a Throwable type";
		}
		if (KotlinDetector.isSuspendingFunction(method) || KotlinDetector.isSuspendingFunction(candidate)) {
			return SuspendingFallbacks.returnProblem(method, candidate);
		}
		if (!returnsCompatibly(method, candidate)) {
			String primitive = method.getReturnType().isPrimitive() && method.getReturnType() != void.class
					? " (a primitive return type needs a fallback that returns " + method.getReturnType().getName()
							+ " itself: a wrapper or Object may return null, which " + method.getReturnType().getName()
							+ " cannot hold)"
					: "";
			return "returns " + candidate.getGenericReturnType().getTypeName() + ", expected "
					+ method.getGenericReturnType().getTypeName() + primitive;
		}
		return null;
	}

	private static boolean returnsCompatibly(Method method, Method candidate) {
		Class<?> expected = method.getReturnType();
		Class<?> actual = candidate.getReturnType();
		if (expected == void.class || actual == void.class || expected.isPrimitive()) {
			// A primitive method takes its own primitive only: a wrapper (or Object) may
			// be null, and a widened primitive is boxed as the wrong wrapper.
			return expected == actual;
		}
		return ClassUtils.isAssignable(expected, actual);
	}

	private static boolean hasFailureParameter(Method method, Method candidate) {
		return Signatures.valueParameterTypes(candidate).length == Signatures.valueParameterTypes(method).length + 1;
	}

	private static Class<?> failureType(Method method, Method candidate) {
		return hasFailureParameter(method, candidate)
				? Signatures.valueParameterTypes(candidate)[Signatures.valueParameterTypes(method).length]
				: Throwable.class;
	}

	/**
	 * Tells whether a synchronous method can fail with {@code failureType} (or a
	 * subtype): an unchecked exception always can (as can {@code Exception} and
	 * {@code Throwable}, which catch them), a checked one only if the method declares a
	 * related type or a stage throws it. Kotlin declares no checked exceptions, so every
	 * type is possible there.
	 */
	private static boolean canBeThrown(Class<?> failureType, Method method,
			List<Class<? extends Throwable>> stageFailures) {
		if (RuntimeException.class.isAssignableFrom(failureType) || Error.class.isAssignableFrom(failureType)
				|| failureType.isAssignableFrom(RuntimeException.class) || failureType.isAssignableFrom(Error.class)
				|| KotlinDetector.isKotlinType(method.getDeclaringClass())) {
			return true;
		}
		for (Class<?> declared : method.getExceptionTypes()) {
			if (failureType.isAssignableFrom(declared) || declared.isAssignableFrom(failureType)) {
				return true;
			}
		}
		for (Class<? extends Throwable> produced : stageFailures) {
			if (ExceptionMatcher.isInstance(failureType, produced)) {
				return true;
			}
		}
		return false;
	}

	private static ResilienceConfigurationException unreachable(String subject, Method method, Method candidate,
			Class<?> failureType) {
		String name = failureType.getName();
		String timeoutHint = failureType.isAssignableFrom(TimeoutException.class)
				? ", or add @Timeout to the method (its TimeoutExceededException goes to a "
						+ failureType.getSimpleName() + " fallback)"
				: "";
		return new ResilienceConfigurationException(subject,
				"fallback method " + Signatures.describe(candidate) + " takes " + name + ", which "
						+ Signatures.describe(method)
						+ " can never throw: it is a checked exception that the method does not declare and no stage"
						+ " of it throws, so the fallback would never be chosen",
				"Take an exception type the method can throw" + timeoutHint + "; if the method throws it undeclared,"
						+ " declare it (throws " + name + ").");
	}

	private static String expected(Method method, String name) {
		String parameters = Arrays.stream(Signatures.valueParameterTypes(method))
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", "));
		String withFailure = parameters.isEmpty() ? "Throwable" : parameters + ", Throwable";
		if (KotlinDetector.isSuspendingFunction(method)) {
			String returned = Signatures.suspendedReturnType(method).getSimpleName();
			return "(suspend) fun " + name + "(" + parameters + "): " + returned + " or (suspend) fun " + name + "("
					+ withFailure + "): " + returned + " (any Throwable subtype)";
		}
		return method.getReturnType().getSimpleName() + " " + name + "(" + parameters + ") or "
				+ method.getReturnType().getSimpleName() + " " + name + "(" + withFailure + ") (any Throwable subtype)";
	}

}
