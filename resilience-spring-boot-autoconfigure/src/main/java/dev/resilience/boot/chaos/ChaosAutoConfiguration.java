package dev.resilience.boot.chaos;

import java.util.Map;
import java.util.TreeMap;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.core.Scheduler;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Chaos experiments, only when {@code resilience.chaos.enabled=true} (and, with
 * {@code resilience.chaos.profiles}, one of those profiles is active): the
 * {@link ChaosExperiments} with the rules of {@code resilience.chaos.rules}, which every
 * protected method compiled afterwards gets a chaos site of. Off, no chaos stage exists
 * in any pipeline.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class)
@ConditionalOnResilienceEnabled(optIn = ChaosAutoConfiguration.ENABLED_PROPERTY)
@Conditional(OnChaosProfilesCondition.class)
@EnableConfigurationProperties(ResilienceProperties.class)
public final class ChaosAutoConfiguration {

	static final String ENABLED_PROPERTY = "resilience.chaos.enabled";

	static final String RULES_PROPERTY = "resilience.chaos.rules";

	/**
	 * The source of the rate decisions; replace it (a seeded one) for tests that must
	 * know which calls are hit.
	 * @return the system's random source
	 */
	@Bean
	@ConditionalOnMissingBean
	ChaosRandom resilienceChaosRandom() {
		return ChaosRandom.system();
	}

	/**
	 * The experiments, with the configured rules checked: a wrong one fails startup
	 * naming its property.
	 * @param properties the configuration
	 * @param scheduler where latency faults wait
	 * @param random the rate decisions
	 * @param beanFactory for exception classes and result beans
	 * @return the experiments
	 */
	@Bean
	@ConditionalOnMissingBean
	ChaosExperiments resilienceChaosExperiments(ResilienceProperties properties, Scheduler scheduler,
			ChaosRandom random, ConfigurableListableBeanFactory beanFactory) {
		ChaosExperiments experiments = new ChaosExperiments(scheduler, random,
				new ChaosRuleSpecs(beanFactory.getBeanClassLoader(), beanFactory));
		Map<String, ResilienceProperties.ChaosRuleSettings> rules = new TreeMap<>(properties.chaos().rules());
		for (Map.Entry<String, ResilienceProperties.ChaosRuleSettings> rule : rules.entrySet()) {
			try {
				experiments.put(rule.getKey(), rule.getValue());
			}
			catch (InvalidChaosRuleException ex) {
				throw new ResilienceConfigurationException(RULES_PROPERTY + "." + rule.getKey() + "." + ex.property(),
						"'" + ex.value() + "': " + ex.problem(), ex.action());
			}
		}
		return experiments;
	}

	/**
	 * The chaos meters, with Micrometer.
	 */
	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@org.springframework.boot.autoconfigure.condition.ConditionalOnClass(
			name = "io.micrometer.core.instrument.MeterRegistry")
	static class Meters {

		@Bean
		@ConditionalOnMissingBean(ChaosMeters.class)
		ChaosMeters resilienceChaosMeters(ChaosExperiments experiments) {
			return new ChaosMeters(experiments);
		}

	}

}
