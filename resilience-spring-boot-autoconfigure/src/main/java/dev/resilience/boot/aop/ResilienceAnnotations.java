package dev.resilience.boot.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The resilience annotations that apply to one method: its own (declared on it, or on a
 * method it overrides or implements) win over those of its class (declared on the class,
 * a superclass or an interface), annotation by annotation.
 *
 * @param method the method
 * @param circuitBreaker {@code @CircuitBreaker}, if any
 * @param retry {@code @Retry}, if any
 * @param rateLimited {@code @RateLimited}, if any
 * @param bulkhead {@code @Bulkhead}, if any
 * @param timeout {@code @Timeout}, if any
 * @param fallback {@code @Fallback}, if any
 * @param onMethod whether at least one annotation is on the method itself
 */
record ResilienceAnnotations(Method method, @Nullable CircuitBreaker circuitBreaker, @Nullable Retry retry,
		@Nullable RateLimited rateLimited, @Nullable Bulkhead bulkhead, @Nullable Timeout timeout,
		@Nullable Fallback fallback, boolean onMethod) {

	static final List<Class<? extends Annotation>> TYPES = List.of(CircuitBreaker.class, Retry.class, RateLimited.class,
			Bulkhead.class, Timeout.class, Fallback.class);

	/**
	 * Finds the annotations that apply to {@code method} as {@code targetClass} exposes
	 * it.
	 * @param method the method, as declared in or inherited by the target class
	 * @param targetClass the bean's class
	 * @return the annotations, or {@code null} if none applies
	 */
	static @Nullable ResilienceAnnotations find(Method method, Class<?> targetClass) {
		boolean classLevelApplies = Modifier.isPublic(method.getModifiers())
				&& !Modifier.isStatic(method.getModifiers());
		Annotation[] found = new Annotation[TYPES.size()];
		boolean any = false;
		boolean onMethod = false;
		for (int i = 0; i < found.length; i++) {
			Class<? extends Annotation> type = TYPES.get(i);
			Annotation annotation = AnnotatedElementUtils.findMergedAnnotation(method, type);
			if (annotation != null) {
				onMethod = true;
			}
			else if (classLevelApplies) {
				annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, type);
				if (annotation == null && method.getDeclaringClass() != targetClass) {
					annotation = AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(), type);
				}
			}
			found[i] = annotation;
			any |= (annotation != null);
		}
		if (!any) {
			return null;
		}
		return new ResilienceAnnotations(method, (CircuitBreaker) found[0], (Retry) found[1], (RateLimited) found[2],
				(Bulkhead) found[3], (Timeout) found[4], (Fallback) found[5], onMethod);
	}

}
