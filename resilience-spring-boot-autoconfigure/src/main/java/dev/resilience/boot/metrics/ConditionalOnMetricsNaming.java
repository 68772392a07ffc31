package dev.resilience.boot.metrics;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.resilience.boot.autoconfigure.ResilienceProperties.MetricsNaming;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code resilience.metrics.naming} is the naming given ({@code resilience}
 * when absent), read as the binder reads it; a value the binder cannot read fails the
 * startup with the property and the value named.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@Conditional(OnMetricsNamingCondition.class)
@interface ConditionalOnMetricsNaming {

	/**
	 * The naming that matches.
	 * @return the naming
	 */
	MetricsNaming value();

}
