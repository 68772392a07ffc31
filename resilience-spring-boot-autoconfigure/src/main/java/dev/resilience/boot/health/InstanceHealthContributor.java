package dev.resilience.boot.health;

import java.util.function.BiFunction;
import java.util.stream.Stream;

import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * One primitive's health: a composite with one indicator per instance, read from the
 * registry on every request, so instances created or removed at run time appear and
 * disappear without any bookkeeping. Instances with
 * {@code register-health-indicator: false} are left out.
 *
 * @param <P> the instance type
 */
final class InstanceHealthContributor<P extends Policy<?>> implements CompositeHealthContributor {

	private final Registry<P, ?> registry;

	private final HealthSettings settings;

	private final BiFunction<P, Boolean, Health> health;

	InstanceHealthContributor(Registry<P, ?> registry, HealthSettings settings, BiFunction<P, Boolean, Health> health) {
		this.registry = registry;
		this.settings = settings;
		this.health = health;
	}

	@Override
	public @Nullable HealthContributor getContributor(String name) {
		return this.registry.find(name).filter(this::registered).map(this::indicator).orElse(null);
	}

	@Override
	public Stream<HealthContributors.Entry> stream() {
		return this.registry.all()
			.stream()
			.filter(this::registered)
			.map((instance) -> new HealthContributors.Entry(instance.name(), indicator(instance)));
	}

	private boolean registered(P instance) {
		return this.settings.register(instance.name());
	}

	private HealthIndicator indicator(P instance) {
		// The setting is read when the indicator runs, not when it is made.
		return () -> this.health.apply(instance, this.settings.allowToFail(instance.name()));
	}

}
