package dev.resilience.boot.dashboard;

import dev.resilience.boot.actuate.endpoint.ResilienceEndpointAutoConfiguration;
import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Checks, in the main application context, that the dashboard switched on with
 * {@code resilience.dashboard.enabled=true} can be served, and works out where its page
 * finds the snapshot ({@link DashboardSettings});
 * {@link DashboardManagementContextConfiguration} serves it, in this context or in the
 * management child context.
 * <p>
 * Startup fails with a {@link ResilienceConfigurationException} when the path cannot be
 * served, when the {@code resilience} endpoint is not available over the web (not
 * exposed, or its access none), when the management server is switched off
 * ({@code management.server.port=-1}) and when a web application lacks Spring Boot
 * Actuator. An application that is no web application logs one {@code INFO} line saying
 * that the dashboard is not served, and starts: the same configuration file often serves
 * a web application and its batch or test runs.
 */
@AutoConfiguration(after = { ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class },
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration")
@ConditionalOnResilienceEnabled(optIn = DashboardSettings.ENABLED_PROPERTY)
public final class DashboardAutoConfiguration {

	private static final Log logger = LogFactory.getLog(DashboardAutoConfiguration.class);

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnClass(name = { "org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration",
			"org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints" })
	static final class WebDashboardConfiguration {

		@Bean
		DashboardSettings resilienceDashboardSettings(ResilienceProperties properties,
				ObjectProvider<PathMappedEndpoints> endpoints, Environment environment) {
			String path = properties.dashboard().path();
			DashboardSettings.checkPath(path);
			if (ManagementPortType.get(environment) == ManagementPortType.DISABLED) {
				throw new ResilienceConfigurationException(DashboardSettings.ENABLED_PROPERTY,
						"the dashboard is switched on but the management server is switched off"
								+ " (management.server.port=-1), so no Actuator endpoint is served over HTTP",
						"Remove management.server.port=-1 (or give it a port), or set "
								+ DashboardSettings.ENABLED_PROPERTY + "=false.");
			}
			PathMappedEndpoints mapped = endpoints.getIfAvailable();
			if (mapped == null) {
				throw new ResilienceConfigurationException(DashboardSettings.ENABLED_PROPERTY,
						"the dashboard is switched on but Actuator maps no web endpoint in this application",
						"Add resilience to management.endpoints.web.exposure.include, or set "
								+ DashboardSettings.ENABLED_PROPERTY + "=false.");
			}
			return DashboardSettings.of(path, mapped, environment);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication
	@ConditionalOnMissingClass("org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration")
	static final class WebWithoutActuatorConfiguration {

		@Bean
		Object resilienceDashboardWithoutActuator() {
			throw new ResilienceConfigurationException(DashboardSettings.ENABLED_PROPERTY,
					"the dashboard is switched on but Spring Boot Actuator, whose endpoints it reads, is not on the"
							+ " class path",
					"Add spring-boot-starter-actuator to the application's dependencies and resilience to"
							+ " management.endpoints.web.exposure.include, or set " + DashboardSettings.ENABLED_PROPERTY
							+ "=false.");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnNotWebApplication
	static final class NotWebConfiguration {

		NotWebConfiguration() {
			// Not a failure: the same application.yml often serves the web application
			// and its command-line or test runs without a server.
			logger.info(DashboardSettings.ENABLED_PROPERTY + "=true, but the resilience dashboard is not served:"
					+ " this is not a web application (no servlet or reactive web server)");
		}

	}

}
