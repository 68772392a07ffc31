package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Retries the method with the named retry ({@code resilience.retry.instances.<name>.*}).
 * <p>
 * On a method, or on a class or interface (then every public business method, never
 * {@code toString}, {@code equals}, {@code hashCode} or another of {@code Object}'s
 * methods; a method's own annotation wins). Asynchronous methods are retried without
 * blocking a thread.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Retry {

	/**
	 * The instance name.
	 * @return the name
	 */
	String name();

}
