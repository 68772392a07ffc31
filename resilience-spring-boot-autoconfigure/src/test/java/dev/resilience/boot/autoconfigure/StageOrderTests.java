package dev.resilience.boot.autoconfigure;

import java.util.Map;

import dev.resilience.pipeline.Pipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code resilience.order} is checked when it is bound, so that a stage named twice, a
 * stage left out or a name that is no stage stops the application at startup, with the
 * property, the value and the fix named, even when no method is annotated yet.
 */
@ExtendWith(OutputCaptureExtension.class)
class StageOrderTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@Test
	void theDefaultOrderIsTheDocumentedOne() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ResilienceProperties.class).order())
			.isEqualTo(Pipeline.Stage.DEFAULT_ORDER));
	}

	@Test
	void anotherOrderNamingEveryStageOnceIsAccepted() {
		this.contextRunner
			.withPropertyValues("resilience.order=circuit-breaker, RETRY, bulkhead, timeout, rate_limiter")
			.run((context) -> assertThat(context.getBean(ResilienceProperties.class).order()).containsExactly(
					Pipeline.Stage.CIRCUIT_BREAKER, Pipeline.Stage.RETRY, Pipeline.Stage.BULKHEAD,
					Pipeline.Stage.TIMEOUT, Pipeline.Stage.RATE_LIMITER));
	}

	@Test
	void aStageNamedTwiceFailsStartupWithoutAnyAnnotatedBean() {
		this.contextRunner.withPropertyValues("resilience.order=retry,circuit-breaker,rate-limiter,timeout,retry")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).contains("resilience.order")
					.contains("[retry, circuit-breaker, rate-limiter, timeout, retry]")
					.contains("names retry twice");
				assertThat(analysis.getAction()).contains("retry, circuit-breaker, rate-limiter, timeout, bulkhead")
					.contains("once");
			});
	}

	@Test
	void aStageLeftOutFailsStartup() {
		this.contextRunner.withPropertyValues("resilience.order=retry,circuit-breaker,rate-limiter,timeout")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).contains("resilience.order")
					.contains("[retry, circuit-breaker, rate-limiter, timeout]")
					.contains("leaves out bulkhead");
				assertThat(analysis.getAction()).contains("retry, circuit-breaker, rate-limiter, timeout, bulkhead");
			});
	}

	@Test
	void aNameThatIsNoStageFailsStartup() {
		this.contextRunner.withPropertyValues("resilience.order=retry,circuit-breaker,rate-limiter,timeout,cache")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).contains("resilience.order").contains("'cache' is not a stage");
				assertThat(analysis.getAction()).contains("retry, circuit-breaker, rate-limiter, timeout, bulkhead");
			});
	}

	@Test
	void anIndexedListIsCheckedToo() {
		this.contextRunner
			.withPropertyValues("resilience.order[0]=retry", "resilience.order[1]=circuit-breaker",
					"resilience.order[2]=rate-limiter", "resilience.order[3]=timeout", "resilience.order[4]=fuse")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.order")
				.contains("'fuse' is not a stage"));
	}

	@Test
	void anEmptyOrderFailsStartup() {
		this.contextRunner.withPropertyValues("resilience.order=")
			.run((context) -> assertThat(analysis(context).getDescription()).contains("resilience.order")
				.contains("leaves out retry, circuit-breaker, rate-limiter, timeout, bulkhead"));
	}

	@Test
	void aRealApplicationReportsTheOrderThroughTheResilienceFailureAnalyzer(CapturedOutput output) {
		SpringApplication application = new SpringApplication(StarterOnly.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application
			.setDefaultProperties(Map.of("resilience.order", "retry,circuit-breaker,rate-limiter,timeout,retry"));
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid resilience configuration: resilience.order")
			.contains("names retry twice");
	}

	@Test
	void aRealApplicationReportsAnUnknownStageThroughTheResilienceFailureAnalyzer(CapturedOutput output) {
		SpringApplication application = new SpringApplication(StarterOnly.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("resilience.order", "retry,circuit-breaker,rate-limiter,cache"));
		assertThatException().isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid resilience configuration: resilience.order")
			.contains("'cache' is not a stage");
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
