package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition behind {@link ConditionalOnResilienceEnabled}. A condition cannot report
 * a failure analysis by itself, but what it throws ends the startup and keeps its cause:
 * the {@link ResilienceConfigurationException} thrown here reaches
 * {@link ResilienceConfigurationFailureAnalyzer} through Spring Boot's wrapper.
 */
// After the class conditions (nothing to check if the auto-configuration cannot apply),
// with the property conditions.
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
final class OnResilienceEnabledCondition extends SpringBootCondition {

	static final String ENABLED = "resilience.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		List<String> switches = new ArrayList<>();
		switches.add(ENABLED);
		Map<String, @Nullable Object> attributes = metadata
			.getAnnotationAttributes(ConditionalOnResilienceEnabled.class.getName());
		if (attributes != null && attributes.get("also") instanceof String[] also) {
			switches.addAll(List.of(also));
		}
		for (String name : switches) {
			String value = context.getEnvironment().getProperty(name);
			if (value != null && !parse(name, value)) {
				return ConditionOutcome.noMatch(name + " is " + value);
			}
		}
		List<String> optIns = (attributes != null && attributes.get("optIn") instanceof String[] names) ? List.of(names)
				: List.of();
		for (String name : optIns) {
			String value = context.getEnvironment().getProperty(name);
			if (value == null) {
				return ConditionOutcome.noMatch(name + " is not set (off unless true)");
			}
			if (!parse(name, value)) {
				return ConditionOutcome.noMatch(name + " is " + value);
			}
		}
		String matched = String.join(" and ", switches) + " not false";
		return ConditionOutcome
			.match(optIns.isEmpty() ? matched : matched + ", " + String.join(" and ", optIns) + " true");
	}

	/**
	 * Reads a switch as Spring's binder reads a boolean, but refuses the empty value,
	 * which the binder would read as "not set".
	 * @param name the property name
	 * @param value its value
	 * @return the switch's value
	 * @throws ResilienceConfigurationException if the value is not a boolean
	 */
	static boolean parse(String name, String value) {
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true", "on", "yes", "1" -> true;
			case "false", "off", "no", "0" -> false;
			default -> throw new ResilienceConfigurationException(name,
					"invalid value '" + value
							+ "': not a boolean, so it is unclear whether it is meant to be on or off",
					"Set " + name + " to true or false.");
		};
	}

}
