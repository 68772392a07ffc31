package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits the rate of calls to the method with the named rate limiter
 * ({@code resilience.ratelimiter.instances.<name>.*}).
 * <p>
 * On a method, or on a class or interface (then every public business method, never
 * {@code toString}, {@code equals}, {@code hashCode} or another of {@code Object}'s
 * methods; a method's own annotation wins).
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface RateLimited {

	/**
	 * The instance name; methods naming the same instance share its permits.
	 * @return the name
	 */
	String name();

	/**
	 * How many permits one call takes (a heavier call can cost more); at least 1 and at
	 * most the limiter's burst capacity, checked at startup.
	 * @return the permits per call
	 */
	int permits() default 1;

	/**
	 * A SpEL expression over the method's arguments ({@code #request.userId},
	 * {@code #args[0]}, {@code #p0}) that selects a separate limiter per key value.
	 * Parsed and checked once at startup. Evaluated once per call, before any stage: an
	 * expression that fails for a call fails it with
	 * {@link dev.resilience.core.KeyEvaluationException}, the caller's error, which no
	 * stage counts or retries and the fallback does not answer. A {@code null} key uses
	 * the shared limiter. Empty: one limiter for all calls.
	 * @return the key expression
	 */
	String key() default "";

}
