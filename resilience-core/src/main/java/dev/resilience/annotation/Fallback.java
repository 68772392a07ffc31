package dev.resilience.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the method that answers when the protected method fails, whatever failed: the
 * call itself, or a circuit breaker, rate limiter, bulkhead or timeout around it. The
 * fallback is applied outermost, once for the whole stack.
 * <p>
 * The fallback method is resolved and checked at startup; a missing, ambiguous or
 * incompatible one stops the application with a message that names the expected
 * signature. It must return a type assignable to the protected method's, take the
 * protected method's parameters, optionally followed by one {@code Throwable}-typed
 * parameter. Among overloads that differ in that last parameter, the most specific type
 * the failure is an instance of is chosen; if none matches, the original failure is
 * rethrown. A method returning a primitive needs a fallback returning the same primitive.
 * A key that cannot be computed ({@link dev.resilience.core.KeyEvaluationException}) is
 * the caller's error: the fallback does not answer for it.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Fallback {

	/**
	 * The fallback method: {@code methodName} on the same bean (invoked on its target
	 * object), or {@code beanName::methodName} on another bean (invoked through that
	 * bean's proxy, so that its advice applies, unless the method is private or final:
	 * then on the bean's real object).
	 * @return the method reference
	 */
	String method();

}
