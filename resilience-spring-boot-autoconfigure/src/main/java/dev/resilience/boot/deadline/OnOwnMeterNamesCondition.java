package dev.resilience.boot.deadline;

import dev.resilience.boot.autoconfigure.ResilienceProperties.MetricsNaming;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code resilience.metrics.naming} is {@code resilience} (or absent), bound
 * as {@code ResilienceProperties} binds it: with {@code resilience4j} the starter
 * publishes Resilience4j's meters instead of its own, and Resilience4j has no deadline
 * meters. A value the binder cannot read ends the startup with the binder's failure,
 * which the failure analyzer reports.
 */
final class OnOwnMeterNamesCondition extends SpringBootCondition {

	private static final String PROPERTY = "resilience.metrics.naming";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		MetricsNaming naming = Binder.get(context.getEnvironment())
			.bind(PROPERTY, MetricsNaming.class)
			.orElse(MetricsNaming.RESILIENCE);
		return (naming == MetricsNaming.RESILIENCE) ? ConditionOutcome.match(PROPERTY + " is " + naming)
				: ConditionOutcome.noMatch(PROPERTY + " is " + naming + ", whose names have no deadline meters");
	}

}
