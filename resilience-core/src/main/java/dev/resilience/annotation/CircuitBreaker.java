package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Protects the method with the named circuit breaker
 * ({@code resilience.circuitbreaker.instances.<name>.*}).
 * <p>
 * On a method, or on a class or interface (then every public business method, never
 * {@code toString}, {@code equals}, {@code hashCode} or another of {@code Object}'s
 * methods; a method's own annotation wins). Works for synchronous,
 * {@code CompletionStage} and Reactor return types.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CircuitBreaker {

	/**
	 * The instance name; instances of the same name share state.
	 * @return the name
	 */
	String name();

}
