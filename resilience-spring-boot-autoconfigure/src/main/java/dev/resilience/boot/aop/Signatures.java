package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.springframework.util.ClassUtils;

/**
 * How the aop package names a method in messages: its declaring class's qualified name,
 * its name and its parameters' simple type names, e.g.
 * {@code com.example.Service.find(String, int)}. Used at startup and in
 * {@code toString()} only, never per call.
 */
final class Signatures {

	private Signatures() {
	}

	static String describe(Method method) {
		return ClassUtils.getQualifiedMethodName(method) + "("
				+ Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "))
				+ ")";
	}

}
