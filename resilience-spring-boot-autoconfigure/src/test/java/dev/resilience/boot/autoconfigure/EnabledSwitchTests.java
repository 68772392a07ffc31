package dev.resilience.boot.autoconfigure;

import java.util.stream.Stream;

import dev.resilience.boot.actuate.endpoint.ResilienceEndpointAutoConfiguration;
import dev.resilience.boot.health.ResilienceHealthAutoConfiguration;
import dev.resilience.boot.logging.CircuitBreakerTransitionLog;
import dev.resilience.boot.observation.ResilienceObservationAutoConfiguration;
import dev.resilience.boot.observation.ResilienceObservations;
import io.micrometer.observation.ObservationRegistry;
import dev.resilience.boot.logging.ResilienceLoggingAutoConfiguration;
import dev.resilience.boot.metrics.ResilienceMeterBinder;
import dev.resilience.boot.metrics.ResilienceMetricsAutoConfiguration;
import dev.resilience.boot.redis.ResilienceRedisAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code resilience.enabled} (and {@code resilience.metrics.enabled}) read exactly as
 * Spring's binder reads a boolean, in every auto-configuration that depends on them: a
 * value the binder would reject stops the application with the property and the value
 * named, instead of switching the starter off without a word.
 */
@ExtendWith(OutputCaptureExtension.class)
class EnabledSwitchTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	static Stream<Class<?>> everyAutoConfiguration() {
		return Stream.of(ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class,
				ResilienceHealthAutoConfiguration.class, ResilienceLoggingAutoConfiguration.class,
				ResilienceMetricsAutoConfiguration.class, ResilienceObservationAutoConfiguration.class,
				ResilienceRedisAutoConfiguration.class, dev.resilience.boot.dashboard.DashboardAutoConfiguration.class,
				dev.resilience.boot.http.ResilienceHttpAutoConfiguration.class,
				dev.resilience.boot.deadline.ResilienceDeadlineAutoConfiguration.class);
	}

	@ParameterizedTest
	@MethodSource("everyAutoConfiguration")
	void anInvalidValueFailsStartupOfEveryAutoConfigurationNamingThePropertyAndTheValue(Class<?> autoConfiguration) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(autoConfiguration))
			.withPropertyValues("resilience.enabled=maybe")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).contains("resilience.enabled").contains("'maybe'");
				assertThat(analysis.getAction()).contains("resilience.enabled").contains("true").contains("false");
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "true", "TRUE", " true ", "on", "yes", "1" })
	void everyValueTheBinderReadsAsTrueKeepsTheStarterOn(String value) {
		this.contextRunner.withPropertyValues("resilience.enabled=" + value)
			.run((context) -> assertThat(context).hasSingleBean(CircuitBreakerRegistry.class)
				.getBean(ResilienceProperties.class)
				.satisfies((properties) -> assertThat(properties.enabled()).isTrue()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "false", "False", "off", "no", "0" })
	void everyValueTheBinderReadsAsFalseSwitchesTheStarterOff(String value) {
		this.contextRunner.withPropertyValues("resilience.enabled=" + value)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CircuitBreakerRegistry.class));
	}

	@Test
	void anEmptyValueFailsStartupRatherThanGuessing() {
		this.contextRunner.withPropertyValues("resilience.enabled=")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.enabled")
				.contains("''"));
	}

	@Test
	void theMetricsSwitchReadsBooleansAsTheBinderDoes() {
		ApplicationContextRunner metrics = this.contextRunner.withConfiguration(
				AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
						CompositeMeterRegistryAutoConfiguration.class, ResilienceMetricsAutoConfiguration.class));
		metrics.withPropertyValues("resilience.metrics.enabled=yes")
			.run((context) -> assertThat(context).hasSingleBean(ResilienceMeterBinder.class));
		metrics.withPropertyValues("resilience.metrics.enabled=off")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceMeterBinder.class));
		metrics.withPropertyValues("resilience.metrics.enabled=sometimes")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.metrics.enabled")
				.contains("'sometimes'"));
	}

	@Test
	void theLoggingSwitchReadsBooleansAsTheBinderDoes() {
		ApplicationContextRunner logging = this.contextRunner
			.withConfiguration(AutoConfigurations.of(ResilienceLoggingAutoConfiguration.class));
		logging.withPropertyValues("resilience.logging.transitions=yes")
			.run((context) -> assertThat(context).hasSingleBean(CircuitBreakerTransitionLog.class));
		logging.withPropertyValues("resilience.logging.transitions=off")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CircuitBreakerTransitionLog.class));
		logging.withPropertyValues("resilience.logging.transitions=sometimes")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.logging.transitions")
				.contains("'sometimes'"));
	}

	@Test
	void theObservationsSwitchReadsBooleansAsTheBinderDoes() {
		ApplicationContextRunner observations = this.contextRunner
			.withConfiguration(AutoConfigurations.of(ResilienceObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, ObservationRegistry::create);
		observations.withPropertyValues("resilience.observations.enabled=yes")
			.run((context) -> assertThat(context).hasSingleBean(ResilienceObservations.class));
		observations.withPropertyValues("resilience.observations.enabled=off")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceObservations.class));
		observations.withPropertyValues("resilience.observations.enabled=sometimes")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.observations.enabled")
				.contains("'sometimes'"));
	}

	@Test
	void aRealApplicationReportsTheInvalidValueThroughTheFailureAnalyzer(CapturedOutput output) {
		SpringApplication application = new SpringApplication(StarterOnly.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(java.util.Map.of("resilience.enabled", "maybe"));
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid resilience configuration: resilience.enabled")
			.contains("'maybe'");
	}

	private static FailureAnalysis analysis(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new ResilienceConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ResilienceAutoConfiguration.class)
	static class StarterOnly {

	}

}
