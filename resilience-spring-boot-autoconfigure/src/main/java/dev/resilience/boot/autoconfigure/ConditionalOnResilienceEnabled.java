package dev.resilience.boot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches unless {@code resilience.enabled} (or one of the {@link #also() further
 * switches}) is {@code false}; a missing switch counts as {@code true}. An
 * {@link #optIn() opt-in switch} must be {@code true}; missing, it counts as
 * {@code false}. Every auto-configuration of the starter carries it.
 * <p>
 * A switch is read exactly as Spring's binder reads a {@code boolean} property:
 * {@code true}, {@code on}, {@code yes} and {@code 1} are true, {@code false},
 * {@code off}, {@code no} and {@code 0} are false, in any case and with surrounding
 * spaces ignored. Any other value, the empty one included, fails startup with a
 * {@link ResilienceConfigurationException} that names the property and the value, rather
 * than switching the starter off without a word (as {@code @ConditionalOnBooleanProperty}
 * does, since it compares with {@code "true"} only).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnResilienceEnabledCondition.class)
public @interface ConditionalOnResilienceEnabled {

	/**
	 * Further switches that must not be {@code false} either, such as
	 * {@code resilience.metrics.enabled}.
	 * @return the further property names
	 */
	String[] also() default {};

	/**
	 * Switches that must be {@code true}, read the same way; a missing one counts as
	 * {@code false}. For what is off unless asked for, such as
	 * {@code resilience.dashboard.enabled}.
	 * @return the property names
	 */
	String[] optIn() default {};

}
