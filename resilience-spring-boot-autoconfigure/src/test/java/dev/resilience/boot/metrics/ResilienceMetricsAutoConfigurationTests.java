package dev.resilience.boot.metrics;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ResilienceMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				ResilienceMetricsAutoConfiguration.class));

	@Test
	void configuredInstancesHaveMetersInTheApplicationsRegistry() {
		this.contextRunner
			.withPropertyValues("resilience.circuitbreaker.instances.payments.sliding-window-size=10",
					"resilience.bulkhead.instances.db.max-concurrent-calls=3")
			.run((context) -> {
				assertThat(context).hasSingleBean(ResilienceMeterBinder.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.find("resilience.circuitbreaker.calls").tag("name", "payments").meters()).hasSize(4);
				assertThat(meters.find("resilience.bulkhead.calls").tags("name", "db", "kind", "semaphore").meters())
					.hasSize(2);
				// Instances created after startup are followed too.
				context.getBean(CircuitBreakerRegistry.class).instance("late");
				assertThat(meters.find("resilience.circuitbreaker.state").tag("name", "late").meters()).hasSize(5);
			});
	}

	@Test
	void extraTagsComeFromProperties() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.tags.region=eu-west",
					"resilience.circuitbreaker.instances.payments.sliding-window-size=10")
			.run((context) -> assertThat(context.getBean(MeterRegistry.class)
				.get("resilience.circuitbreaker.failure.rate")
				.tag("name", "payments")
				.gauge()
				.getId()
				.getTags()).contains(Tag.of("region", "eu-west")));
	}

	@Test
	void aReservedTagKeyStopsStartupWithThePropertyNamed() {
		this.contextRunner.withPropertyValues("resilience.metrics.tags.outcome=x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.metrics.tags.outcome"));
	}

	@Test
	void switchedOffByProperty() {
		this.contextRunner.withPropertyValues("resilience.metrics.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceMeterBinder.class));
	}

	@Test
	void backsOffWhenTheStarterIsDisabled() {
		this.contextRunner.withPropertyValues("resilience.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceMeterBinder.class));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceMeterBinder.class));
	}

	@Test
	void starterWorksWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer"))
			.withPropertyValues("resilience.circuitbreaker.instances.payments.sliding-window-size=10")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CircuitBreakerRegistry.class)
				.doesNotHaveBean(ResilienceMeterBinder.class)
				.doesNotHaveBean("io.micrometer.core.instrument.MeterRegistry"));
	}

	@Test
	void userBinderWins() {
		this.contextRunner
			.withBean("custom", ResilienceMeterBinder.class,
					() -> new ResilienceMeterBinder(null, null, null, null, null, null, java.util.Map.of()))
			.run((context) -> assertThat(context).getBean(ResilienceMeterBinder.class)
				.isSameAs(context.getBean("custom")));
	}

}
