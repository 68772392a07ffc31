package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits concurrent calls to the method with the named bulkhead
 * ({@code resilience.bulkhead.instances.<name>.*}).
 * <p>
 * On a method, or on a class or interface (then every public business method, never
 * {@code toString}, {@code equals}, {@code hashCode} or another of {@code Object}'s
 * methods; a method's own annotation wins).
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Bulkhead {

	/**
	 * The instance name; methods naming the same instance share its places.
	 * @return the name
	 */
	String name();

	/**
	 * The kind of bulkhead: a semaphore (any return type) or a thread pool (asynchronous
	 * return types only, checked at startup).
	 * @return the kind
	 */
	Type type() default Type.SEMAPHORE;

	/**
	 * A SpEL expression over the method's arguments ({@code #tenant}, {@code #args[0]},
	 * {@code #p0}) that selects a separate bulkhead per key value. Parsed and checked
	 * once at startup. Evaluated once per call, before any stage: an expression that
	 * fails for a call fails it with {@link dev.resilience.core.KeyEvaluationException},
	 * the caller's error, which no stage counts or retries and the fallback does not
	 * answer. A {@code null} key uses the shared bulkhead. Empty: one bulkhead for all
	 * calls.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * The kinds of bulkhead.
	 */
	enum Type {

		/**
		 * Calls run on the caller's thread; at most {@code max-concurrent-calls} at once.
		 */
		SEMAPHORE,

		/** Calls run on the bulkhead's own thread pool, isolated from the caller's. */
		THREAD_POOL

	}

}
