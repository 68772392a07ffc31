package dev.resilience.boot.chaos;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Profiles;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code resilience.chaos.profiles} names profiles of which none is
 * active: a guard so that chaos switched on in a shared configuration stays off where
 * those profiles are not (production).
 */
final class OnChaosProfilesCondition extends SpringBootCondition {

	static final String PROFILES_PROPERTY = "resilience.chaos.profiles";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		List<String> profiles = Binder.get(context.getEnvironment())
			.bind(PROFILES_PROPERTY, Bindable.listOf(String.class))
			.orElse(List.of());
		if (profiles.isEmpty()) {
			return ConditionOutcome.match(PROFILES_PROPERTY + " names no profile");
		}
		if (context.getEnvironment().acceptsProfiles(Profiles.of(profiles.toArray(String[]::new)))) {
			return ConditionOutcome.match("one of " + PROFILES_PROPERTY + " " + profiles + " is active");
		}
		return ConditionOutcome.noMatch("none of " + PROFILES_PROPERTY + " " + profiles + " is active");
	}

}
