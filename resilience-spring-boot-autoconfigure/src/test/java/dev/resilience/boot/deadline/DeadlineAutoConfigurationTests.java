package dev.resilience.boot.deadline;

import java.util.List;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the deadline beans exist, and the startup checks of {@code resilience.deadline.*}.
 */
class DeadlineAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(ResilienceAutoConfiguration.class,
			ResilienceDeadlineAutoConfiguration.class);

	private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS);

	private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS);

	private final ApplicationContextRunner plain = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS);

	@Test
	void aServletApplicationGetsTheFilterFirstInTheChainOnEveryDispatchThatRunsTheRequest() {
		this.servlet.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(DeadlineWebFilter.class);
			FilterRegistrationBean<?> registration = context.getBean("resilienceDeadlineFilter",
					FilterRegistrationBean.class);
			assertThat(registration.getFilter()).isInstanceOf(DeadlineServletFilter.class);
			assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 20);
			assertThat(registration.determineDispatcherTypes()).containsExactlyInAnyOrder(DispatcherType.REQUEST,
					DispatcherType.ASYNC, DispatcherType.ERROR);
			assertThat(registration.isAsyncSupported()).isTrue();
		});
	}

	@Test
	void aReactiveApplicationGetsTheWebFilterFirstInTheChain() {
		this.reactive.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(DeadlineWebFilter.class);
			assertThat(context).doesNotHaveBean("resilienceDeadlineFilter");
			assertThat(context.getBean(DeadlineWebFilter.class).getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 20);
		});
	}

	@Test
	void anApplicationThatIsNoWebApplicationGetsNoFilterButTheCarriersAndTheLog() {
		this.plain.run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(DeadlineWebFilter.class)
				.doesNotHaveBean("resilienceDeadlineFilter")
				.hasSingleBean(DeadlineTaskDecorator.class);
			assertThat(context.getBeansOfType(DeadlineListener.class).values())
				.hasAtLeastOneElementOfType(DeadlineLog.class);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "false", "off", "no", "0" })
	void resilienceDeadlineEnabledFalseSwitchesTheFiltersOffButNotTheCarriers(String value) {
		this.servlet.withPropertyValues("resilience.deadline.enabled=" + value)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("resilienceDeadlineFilter")
				.hasSingleBean(DeadlineTaskDecorator.class));
		this.reactive.withPropertyValues("resilience.deadline.enabled=" + value)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DeadlineWebFilter.class));
	}

	@Test
	void aDeadlineSwitchThatIsNoBooleanFailsStartupNamingIt() {
		this.servlet.withPropertyValues("resilience.deadline.enabled=maybe")
			.run((context) -> assertFailure(context, "resilience.deadline.enabled", "'maybe'"));
	}

	@Test
	void resilienceEnabledFalseSwitchesEverythingOff() {
		this.servlet.withPropertyValues("resilience.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("resilienceDeadlineFilter")
				.doesNotHaveBean(DeadlineTaskDecorator.class)
				.doesNotHaveBean(DeadlineListener.class));
	}

	@Test
	void aTaskDecoratorOfTheApplicationsStaysBesideTheDeadlines() {
		TaskDecorator own = (task) -> task;
		this.plain.withBean("ownDecorator", TaskDecorator.class, () -> own).run((context) -> {
			assertThat(context.getBeansOfType(TaskDecorator.class)).containsKeys("ownDecorator",
					"resilienceDeadlineTaskDecorator");
			// Spring Boot composes them in this order: ours last, so outermost.
			assertThat(context.getBeanProvider(TaskDecorator.class).orderedStream().toList()).last()
				.isInstanceOf(DeadlineTaskDecorator.class);
		});
	}

	@Test
	void withAMeterRegistryTheCounterCountsWhatEveryPipelinesListenerIsTold() {
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(DeadlineMeters.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			// Spring Boot's metrics auto-configuration binds the binders; here by hand.
			context.getBean(DeadlineMeters.class).bindTo(registry);
			DeadlineConfig config = context.getBean(DeadlineConfig.class);
			assertThat(config.mode()).isEqualTo(DeadlineMode.OBSERVE);
			config.listener().exceeded(DeadlineStage.TIMEOUT, "payments", DeadlineMode.OBSERVE, 0);
			config.listener().exceeded(DeadlineStage.TIMEOUT, "payments", DeadlineMode.OBSERVE, 0);
			assertThat(registry.get("resilience.deadline.exceeded")
				.tag("stage", "timeout")
				.tag("mode", "observe")
				.counter()
				.count()).isEqualTo(2);
		});
	}

	@Test
	void withoutAMeterRegistryOrWithMetricsOffThereIsNoCounterButTheLog() {
		this.plain.run((context) -> assertThat(context).doesNotHaveBean(DeadlineMeters.class)
			.hasSingleBean(DeadlineListener.class));
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.metrics.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DeadlineMeters.class));
	}

	@ParameterizedTest
	@ValueSource(strings = { "resilience4j", "RESILIENCE4J" })
	void underResilience4jMeterNamesThereIsNoDeadlineMeterButTheLog(String naming) {
		// Resilience4j's names replace ours, and it has no deadline meters.
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.metrics.naming=" + naming)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(DeadlineMeters.class)
				.hasSingleBean(DeadlineListener.class));
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.metrics.naming=resilience")
			.run((context) -> assertThat(context).hasSingleBean(DeadlineMeters.class));
	}

	@Test
	void anEmptyInboundHeaderNameFailsStartupNamingTheEntry() {
		this.plain
			.withPropertyValues("resilience.deadline.inbound-headers[0]=X-Request-Timeout-Ms",
					"resilience.deadline.inbound-headers[1]=")
			.run((context) -> assertFailure(context, "resilience.deadline.inbound-headers[1]", "empty or blank"));
	}

	@Test
	void aBlankInboundHeaderNameFailsStartupNamingTheEntry() {
		this.plain.withPropertyValues("resilience.deadline.inbound-headers[0]=   ")
			.run((context) -> assertFailure(context, "resilience.deadline.inbound-headers[0]", "empty or blank"));
	}

	@Test
	void anInboundHeaderNameThatIsNoHttpTokenFailsStartupNamingIt() {
		this.plain.withPropertyValues("resilience.deadline.inbound-headers=X Budget")
			.run((context) -> assertFailure(context, "resilience.deadline.inbound-headers[0]", "'X Budget'"));
	}

	@Test
	void aNegativeDefaultBudgetFailsStartupNamingIt() {
		this.plain.withPropertyValues("resilience.deadline.default-budget=-1s")
			.run((context) -> assertFailure(context, "resilience.deadline.default-budget", "'PT-1S'",
					"must not be negative"));
	}

	@Test
	void aDefaultBudgetOverADayFailsStartupNamingIt() {
		this.plain.withPropertyValues("resilience.deadline.default-budget=2d")
			.run((context) -> assertFailure(context, "resilience.deadline.default-budget", "'PT48H'", "at most"));
	}

	@Test
	void aNegativeOutboundMarginFailsStartupNamingIt() {
		this.plain.withPropertyValues("resilience.deadline.outbound-margin=-5ms")
			.run((context) -> assertFailure(context, "resilience.deadline.outbound-margin", "must not be negative"));
	}

	@Test
	void aBlankOutboundHeaderFailsStartupNamingIt() {
		this.plain.withPropertyValues("resilience.deadline.outbound-header= ")
			.run((context) -> assertFailure(context, "resilience.deadline.outbound-header", "empty or blank"));
	}

	@Test
	void anExtraMeterTagTheDeadlineMetersSetFailsStartupNamingIt() {
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.metrics.tags.stage=blue")
			.run((context) -> assertFailure(context, "resilience.metrics.tags.stage", "set this tag themselves"));
	}

	@Test
	void validSettingsStart() {
		this.servlet
			.withPropertyValues("resilience.deadline.inbound-headers=X-Budget,grpc-timeout",
					"resilience.deadline.default-budget=0ms", "resilience.deadline.outbound-margin=0",
					"resilience.deadline.outbound-header=X-Budget")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(DeadlineSettings.class).inboundHeaders())
					.isEqualTo(List.of("X-Budget", "grpc-timeout"));
			});
	}

	private static void assertFailure(ApplicationContextAssertProvider<?> context, String property, String... problem) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		while (failure != null && !(failure instanceof ResilienceConfigurationException)) {
			failure = failure.getCause();
		}
		assertThat(failure).as("a ResilienceConfigurationException among the causes of %s", context.getStartupFailure())
			.isInstanceOf(ResilienceConfigurationException.class);
		ResilienceConfigurationException exception = (ResilienceConfigurationException) failure;
		assertThat(exception.subject()).isEqualTo(property);
		assertThat(exception.getMessage()).contains(problem);
		assertThat(exception.action()).isNotBlank();
	}

}
