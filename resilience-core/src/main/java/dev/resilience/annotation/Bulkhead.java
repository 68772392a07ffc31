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
 * On a method, or on a class or interface (then every public method; a method's own
 * annotation wins).
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
	 * A SpEL expression over the method's arguments that selects a separate bulkhead per
	 * key value. Parsed once at startup. Empty: one bulkhead for all calls.
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
