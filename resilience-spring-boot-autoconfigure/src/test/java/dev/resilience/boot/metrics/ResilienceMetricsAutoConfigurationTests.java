package dev.resilience.boot.metrics;

import java.util.List;
import java.util.Map;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
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
	void theDefaultNamingIsOursAlone() {
		this.contextRunner.withPropertyValues("resilience.circuitbreaker.instances.payments.sliding-window-size=10")
			.run((context) -> {
				assertThat(context).hasSingleBean(ResilienceMeterBinder.class)
					.doesNotHaveBean(Resilience4jMeterBinder.class);
				assertThat(meterNames(context)).isNotEmpty()
					.allSatisfy((name) -> assertThat(name).startsWith("resilience."));
			});
	}

	@Test
	void resilience4jNamingRegistersOnlyResilience4jsMeters() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.naming=resilience4j",
					"resilience.circuitbreaker.instances.payments.sliding-window-size=10",
					"resilience.retry.instances.payments.max-attempts=2",
					"resilience.ratelimiter.instances.payments.limit-for-period=5",
					"resilience.bulkhead.instances.payments.max-concurrent-calls=3",
					"resilience.timeout.instances.payments.timeout-duration=1s")
			.run((context) -> {
				assertThat(context).hasSingleBean(Resilience4jMeterBinder.class)
					.doesNotHaveBean(ResilienceMeterBinder.class);
				assertThat(meterNames(context))
					.contains("resilience4j.circuitbreaker.calls", "resilience4j.retry.calls",
							"resilience4j.ratelimiter.waiting_threads",
							"resilience4j.bulkhead.max.allowed.concurrent.calls", "resilience4j.timelimiter.calls")
					.allSatisfy((name) -> assertThat(name).startsWith("resilience4j."));
				// Instances created after startup are followed too.
				context.getBean(CircuitBreakerRegistry.class).instance("late");
				assertThat(context.getBean(MeterRegistry.class)
					.find("resilience4j.circuitbreaker.state")
					.tag("name", "late")
					.meters()).hasSize(5);
			});
	}

	@Test
	void theNamingIsReadAsTheBinderReadsEnums() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.naming=RESILIENCE4J",
					"resilience.circuitbreaker.instances.payments.sliding-window-size=10")
			.run((context) -> assertThat(context).hasSingleBean(Resilience4jMeterBinder.class)
				.doesNotHaveBean(ResilienceMeterBinder.class)
				.getBean(ResilienceProperties.class)
				.satisfies((properties) -> assertThat(properties.metrics().naming())
					.isEqualTo(ResilienceProperties.MetricsNaming.RESILIENCE4J)));
	}

	@Test
	void extraTagsApplyUnderResilience4jNamingToo() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.naming=resilience4j", "resilience.metrics.tags.region=eu-west",
					"resilience.circuitbreaker.instances.payments.sliding-window-size=10")
			.run((context) -> assertThat(context.getBean(MeterRegistry.class)
				.get("resilience4j.circuitbreaker.failure.rate")
				.tag("name", "payments")
				.gauge()
				.getId()
				.getTags()).contains(Tag.of("region", "eu-west")));
	}

	@Test
	void aReservedTagKeyStopsStartupUnderResilience4jNamingToo() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.naming=resilience4j", "resilience.metrics.tags.kind=x")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.metrics.tags.kind"));
	}

	@Test
	void anUnknownNamingStopsStartupWithThePropertyAndTheValueNamed(CapturedOutput output) {
		this.contextRunner.withPropertyValues("resilience.metrics.naming=micrometer")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("resilience.metrics.naming"));
		SpringApplication application = new SpringApplication(WithMeters.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("resilience.metrics.naming", "micrometer"));
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid resilience configuration: resilience.metrics.naming: invalid value 'micrometer'")
			.contains("Set resilience.metrics.naming to one of resilience, resilience4j");
	}

	@Test
	void userResilience4jBinderWins() {
		this.contextRunner.withPropertyValues("resilience.metrics.naming=resilience4j")
			.withBean("custom", Resilience4jMeterBinder.class,
					() -> new Resilience4jMeterBinder(null, null, null, null, null, null, Map.of()))
			.run((context) -> assertThat(context).getBean(Resilience4jMeterBinder.class)
				.isSameAs(context.getBean("custom")));
	}

	@Test
	void aResilienceMeterBinderBeanOfTheApplicationKeepsOurMetersNextToResilience4js() {
		this.contextRunner
			.withPropertyValues("resilience.metrics.naming=resilience4j",
					"resilience.ratelimiter.instances.api.limit-for-period=5")
			.withUserConfiguration(BothNamings.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(ResilienceMeterBinder.class)
					.hasSingleBean(Resilience4jMeterBinder.class);
				assertThat(meterNames(context)).contains("resilience.ratelimiter.calls",
						"resilience4j.ratelimiter.waiting_threads");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class BothNamings {

		@Bean
		ResilienceMeterBinder ours(RateLimiterRegistry rateLimiters) {
			return new ResilienceMeterBinder(null, null, rateLimiters, null, null, null, Map.of());
		}

	}

	private static List<String> meterNames(AssertableApplicationContext context) {
		return context.getBean(MeterRegistry.class)
			.getMeters()
			.stream()
			.map((meter) -> meter.getId().getName())
			.distinct()
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ResilienceAutoConfiguration.class, MetricsAutoConfiguration.class,
			SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
			ResilienceMetricsAutoConfiguration.class })
	static class WithMeters {

	}

	@Test
	void userBinderWins() {
		this.contextRunner
			.withBean("custom", ResilienceMeterBinder.class,
					() -> new ResilienceMeterBinder(null, null, null, null, null, null, Map.of()))
			.run((context) -> assertThat(context).getBean(ResilienceMeterBinder.class)
				.isSameAs(context.getBean("custom")));
	}

}
