package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds the method's duration with the named timeout
 * ({@code resilience.timeout.instances.<name>.*}).
 * <p>
 * A synchronous method runs on the caller's thread, which is interrupted at the deadline;
 * the caller gets {@code TimeoutExceededException}. An asynchronous method's result
 * completes exceptionally at the deadline; a reactive one ({@code Mono}, {@code Flux}, a
 * {@code Publisher} or another reactive type) is bounded from its subscription. A method
 * that returns a lazy result (a {@code Stream}, an {@code Iterator}) fails startup: its
 * work happens after it returns, so only the creation would be bounded.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Timeout {

	/**
	 * The instance name.
	 * @return the name
	 */
	String name();

}
