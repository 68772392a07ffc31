package dev.resilience.boot.dashboard;

import dev.resilience.boot.actuate.endpoint.ResilienceEndpointAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the dashboard is served and when startup refuses it: off by default, served by the
 * router of the application's web stack, and failing with a message that names the
 * property, the value and what to do when it cannot work.
 */
@ExtendWith(OutputCaptureExtension.class)
class DashboardAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(ResilienceAutoConfiguration.class,
			ResilienceEndpointAutoConfiguration.class, EndpointAutoConfiguration.class,
			WebEndpointAutoConfiguration.class, DashboardAutoConfiguration.class);

	// DashboardManagementContextConfiguration as a user configuration: Spring Boot's
	// management context import (tested over HTTP in the *DashboardHttpTests) needs a
	// running server.
	private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(CONFIGURATIONS)
		.withUserConfiguration(DashboardManagementContextConfiguration.class)
		.withPropertyValues("management.endpoints.web.exposure.include=resilience");

	private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(CONFIGURATIONS)
		.withUserConfiguration(DashboardManagementContextConfiguration.class)
		.withPropertyValues("management.endpoints.web.exposure.include=resilience");

	@Test
	void isOffByDefault() {
		this.servlet.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(DashboardSettings.class);
			assertThat(context).doesNotHaveBean(org.springframework.web.servlet.function.RouterFunction.class);
		});
	}

	@Test
	void servesASpringMvcApplicationWithAServletRouter() {
		this.servlet.withPropertyValues("resilience.dashboard.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(DashboardSettings.class))
				.isEqualTo(new DashboardSettings("/resilience", "../", "../actuator/resilience"));
			assertThat(context).hasSingleBean(org.springframework.web.servlet.function.RouterFunction.class);
			assertThat(context).doesNotHaveBean(org.springframework.web.reactive.function.server.RouterFunction.class);
		});
	}

	@Test
	void servesAWebFluxApplicationWithAReactiveRouter() {
		this.reactive.withPropertyValues("resilience.dashboard.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(org.springframework.web.reactive.function.server.RouterFunction.class);
			assertThat(context).doesNotHaveBean(org.springframework.web.servlet.function.RouterFunction.class);
		});
	}

	@Test
	void leadsFromAPathOfSeveralSegmentsBackToTheRootAndToTheEndpointsOwnPath() {
		this.servlet
			.withPropertyValues("resilience.dashboard.enabled=true", "resilience.dashboard.path=/ops/team/resilience",
					"management.endpoints.web.base-path=/manage",
					"management.endpoints.web.path-mapping.resilience=snapshot")
			.run((context) -> assertThat(context.getBean(DashboardSettings.class))
				.isEqualTo(new DashboardSettings("/ops/team/resilience", "../../../", "../../../manage/snapshot")));
	}

	@Test
	void redirectsThePathToItsFolderWithARelativeLocation() {
		assertThat(new DashboardSettings("/resilience", "../", "../actuator/resilience").redirectLocation())
			.isEqualTo("resilience/");
		assertThat(new DashboardSettings("/ops/board", "../../", "../../actuator/resilience").redirectLocation())
			.isEqualTo("board/");
	}

	@Test
	void isNotServedWhenResilienceIsSwitchedOff() {
		this.servlet.withPropertyValues("resilience.dashboard.enabled=true", "resilience.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(DashboardSettings.class);
				assertThat(context).doesNotHaveBean(org.springframework.web.servlet.function.RouterFunction.class);
			});
	}

	@Test
	void failsWhenTheResilienceEndpointIsNotExposedOverTheWeb() {
		this.servlet
			.withPropertyValues("resilience.dashboard.enabled=true", "management.endpoints.web.exposure.include=health",
					"management.endpoints.jmx.exposure.include=resilience")
			.run(fails("resilience.dashboard.enabled", "is not exposed over the web",
					"Add resilience to management.endpoints.web.exposure.include"));
	}

	@Test
	void failsWhenTheResilienceEndpointsAccessIsNone() {
		this.servlet
			.withPropertyValues("resilience.dashboard.enabled=true", "management.endpoint.resilience.access=none")
			.run(fails("resilience.dashboard.enabled", "its access is none",
					"Set management.endpoint.resilience.access=read-only"));
		this.servlet.withPropertyValues("resilience.dashboard.enabled=true", "management.endpoints.access.default=none")
			.run(fails("resilience.dashboard.enabled", "its access is none", "management.endpoint.resilience.access"));
	}

	@Test
	void failsWhenTheManagementServerIsSwitchedOff() {
		this.servlet.withPropertyValues("resilience.dashboard.enabled=true", "management.server.port=-1")
			.run(fails("resilience.dashboard.enabled", "management.server.port=-1",
					"Remove management.server.port=-1"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "resilience", "/resilience/", "/", "/a*", "/{name}", "/a}", "/a?b", "/a#b", "/a/../b",
			"/a/..", "/a//b", "/a b", "/a%2Fb", "/a;b", "/a\\b" })
	void failsOnAPathThatCannotBeServedNamingItsValue(String path) {
		this.servlet.withPropertyValues("resilience.dashboard.enabled=true", "resilience.dashboard.path=" + path)
			.run(fails("resilience.dashboard.path", "invalid value '" + path + "'",
					"Set resilience.dashboard.path to a path such as /resilience"));
	}

	@Test
	void failsOnAPathAmongTheActuatorEndpoints() {
		this.servlet
			.withPropertyValues("resilience.dashboard.enabled=true", "resilience.dashboard.path=/actuator/board")
			.run(fails("resilience.dashboard.path", "invalid value '/actuator/board': it lies among the Actuator",
					"outside the Actuator endpoints"));
		this.servlet
			.withPropertyValues("resilience.dashboard.enabled=true", "resilience.dashboard.path=/resilience",
					"management.endpoints.web.base-path=/")
			.run(fails("resilience.dashboard.path", "invalid value '/resilience': it lies among the Actuator",
					"outside the Actuator endpoints"));
	}

	@Test
	void failsInAWebApplicationWithoutActuator() {
		new WebApplicationContextRunner().withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.withConfiguration(
					AutoConfigurations.of(ResilienceAutoConfiguration.class, DashboardAutoConfiguration.class))
			.withPropertyValues("resilience.dashboard.enabled=true")
			.run(fails("resilience.dashboard.enabled", "Spring Boot Actuator",
					"Add spring-boot-starter-actuator to the application's dependencies"));
	}

	@Test
	void startsAndSaysSoInOneLineWhenTheApplicationIsNoWebApplication(CapturedOutput output) {
		// Whatever level an earlier test's application left the logger at.
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel(DashboardAutoConfiguration.class.getName(), LogLevel.INFO);
		new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues("resilience.dashboard.enabled=true", "management.endpoints.web.exposure.include=health")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(DashboardSettings.class);
			});
		assertThat(output.getAll().lines().filter((line) -> line.contains("resilience dashboard is not served")))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("INFO")
				.contains("resilience.dashboard.enabled=true")
				.contains("not a web application"));
		logging.setLogLevel(DashboardAutoConfiguration.class.getName(), null);
	}

	@Test
	void saysNothingWhenTheDashboardIsOffInANonWebApplication(CapturedOutput output) {
		new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output.getAll()).doesNotContain("resilience dashboard");
	}

	private static ContextConsumer<ApplicationContextAssertProvider<?>> fails(String property, String problem,
			String action) {
		return (context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(ResilienceConfigurationException.class, (exception) -> {
					assertThat(exception.subject()).isEqualTo(property);
					assertThat(exception.getMessage()).startsWith(property + ": ").contains(problem);
					assertThat(exception.action()).contains(action);
				});
		};
	}

}
