package dev.resilience.boot.metrics;

import java.util.Map;

import dev.resilience.boot.autoconfigure.ResilienceProperties.MetricsNaming;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition behind {@link ConditionalOnMetricsNaming}. It binds the property as
 * {@code ResilienceProperties} does (so {@code RESILIENCE4J} or {@code resilience4j} both
 * match), and lets the binder's failure end the startup: the failure analyzer names the
 * property, the value and the values it takes.
 */
final class OnMetricsNamingCondition extends SpringBootCondition {

	static final String PROPERTY = "resilience.metrics.naming";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Map<String, @Nullable Object> attributes = metadata
			.getAnnotationAttributes(ConditionalOnMetricsNaming.class.getName());
		MetricsNaming wanted = (attributes != null) ? (MetricsNaming) attributes.get("value") : null;
		MetricsNaming naming = Binder.get(context.getEnvironment())
			.bind(PROPERTY, MetricsNaming.class)
			.orElse(MetricsNaming.RESILIENCE);
		return (naming == wanted) ? ConditionOutcome.match(PROPERTY + " is " + naming)
				: ConditionOutcome.noMatch(PROPERTY + " is " + naming + ", not " + wanted);
	}

}
