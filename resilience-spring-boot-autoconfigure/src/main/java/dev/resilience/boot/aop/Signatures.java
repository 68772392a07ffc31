package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.util.ClassUtils;

/**
 * How the aop package names a method in messages: its declaring class's qualified name,
 * its name and its parameters' simple type names, e.g.
 * {@code com.example.Service.find(String, int)}; a Kotlin {@code suspend fun} is named
 * {@code suspend com.example.Service.find(String)}, without the {@code Continuation} the
 * compiler adds. Also what a caller passes and gets back, which a {@code suspend fun}'s
 * compiled signature hides. Used at startup and in {@code toString()} only, never per
 * call.
 */
final class Signatures {

	private Signatures() {
	}

	static String describe(Method method) {
		boolean suspending = KotlinDetector.isSuspendingFunction(method);
		return (suspending ? "suspend " : "") + ClassUtils.getQualifiedMethodName(method) + "("
				+ Arrays.stream(valueParameterTypes(method)).map(Class::getSimpleName).collect(Collectors.joining(", "))
				+ ")";
	}

	/**
	 * Returns the parameter types a caller passes: for a Kotlin {@code suspend fun},
	 * without the {@code Continuation} the compiler adds last.
	 * @param method the method
	 * @return its value parameters' types
	 */
	static Class<?>[] valueParameterTypes(Method method) {
		Class<?>[] types = method.getParameterTypes();
		return KotlinDetector.isSuspendingFunction(method) ? Arrays.copyOf(types, types.length - 1) : types;
	}

	/**
	 * Returns what a method returns to its caller: for a Kotlin {@code suspend fun}, the
	 * declared Kotlin type ({@code void} for {@code Unit}), which the compiled method's
	 * {@code Object} hides.
	 * @param method the method
	 * @return the return type
	 */
	static Class<?> suspendedReturnType(Method method) {
		return KotlinDetector.isSuspendingFunction(method) ? new MethodParameter(method, -1).getParameterType()
				: method.getReturnType();
	}

	/**
	 * Returns the generic form of {@link #suspendedReturnType}, for messages and element
	 * types.
	 * @param method the method
	 * @return the generic return type
	 */
	static Type suspendedGenericReturnType(Method method) {
		if (!KotlinDetector.isSuspendingFunction(method)) {
			return method.getGenericReturnType();
		}
		Type type = new MethodParameter(method, -1).getGenericParameterType();
		// Unit is what a suspend function without a result declares; the caller gets
		// nothing, as from a void method.
		return (type instanceof Class<?> declared && declared.getName().equals("kotlin.Unit")) ? void.class : type;
	}

}
