package dev.resilience.boot.chaos;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.resilience.chaos.ChaosRule;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code resilience.chaos.injections{rule,fault}}: the calls each rule injected into,
 * read from the rule's own counter when the registry is scraped; a rule created at run
 * time gets its meter then, a removed one loses it. A rule whose fault changes keeps its
 * meter's {@code fault} tag until it is removed and created again. Thread-safe.
 */
final class ChaosMeters implements MeterBinder {

	static final String INJECTIONS = "resilience.chaos.injections";

	private final ChaosExperiments experiments;

	private final Map<String, Meter> meters = new ConcurrentHashMap<>();

	ChaosMeters(ChaosExperiments experiments) {
		this.experiments = experiments;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.experiments.onRules((rule, added) -> {
			if (added) {
				this.meters.computeIfAbsent(rule.name(), (name) -> register(registry, rule));
			}
			else {
				Meter meter = this.meters.remove(rule.name());
				if (meter != null) {
					registry.remove(meter);
				}
			}
		});
	}

	private static Meter register(MeterRegistry registry, ChaosRule rule) {
		return FunctionCounter.builder(INJECTIONS, rule, ChaosRule::injections)
			.tag("rule", rule.name())
			.tag("fault", rule.config().fault().value())
			.description("Calls a chaos rule injected a fault into")
			.register(registry);
	}

}
