package dev.resilience.boot.dashboard;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;

/**
 * Serves the dashboard where the Actuator endpoints are served. A management context
 * configuration of type {@link ManagementContextType#ANY}: Spring Boot imports it into
 * the main application context when the management port is the server's, and into the
 * management child context when {@code management.server.port} differs, so the page and
 * the endpoints it reads always share one origin (no CORS) and one security setup.
 * <p>
 * One router function, for Spring MVC or for WebFlux (whichever serves the context; both
 * management child contexts enable their stack):
 * <ul>
 * <li>{@code GET {path}}: 302 to {@code {path}/}, with a relative {@code Location};</li>
 * <li>{@code GET {path}/}: {@code index.html};</li>
 * <li>{@code GET {path}/<file>}: one of the files {@link DashboardFiles} read at startup,
 * 404 for any other name; a name is one path segment, so nothing outside the folder can
 * be reached.</li>
 * </ul>
 * {@code HEAD} is answered like {@code GET} (the server drops the body). The settings
 * come from the main context's {@link DashboardSettings}, checked there at startup by
 * {@link DashboardAutoConfiguration}.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@ConditionalOnResilienceEnabled
@ConditionalOnProperty(name = DashboardSettings.ENABLED_PROPERTY, havingValue = "true")
final class DashboardManagementContextConfiguration {

	private static final Log logger = LogFactory.getLog(DashboardManagementContextConfiguration.class);

	private static DashboardFiles files(DashboardSettings settings, String stack) {
		DashboardFiles files = DashboardFiles.load(DashboardManagementContextConfiguration.class.getClassLoader(),
				settings);
		logger.info("Resilience dashboard served (" + stack + ") at " + settings.path() + "/, files " + files.names()
				+ ", snapshot from " + settings.snapshot());
		return files;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
	static final class ServletDashboardConfiguration {

		@Bean
		org.springframework.web.servlet.function.RouterFunction<?> resilienceDashboardRouter(
				DashboardSettings settings) {
			return ServletDashboardRouter.router(settings, files(settings, "Spring MVC"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = "org.springframework.web.reactive.function.server.RouterFunction")
	static final class ReactiveDashboardConfiguration {

		@Bean
		RouterFunction<?> resilienceDashboardRouter(DashboardSettings settings) {
			return ReactiveDashboardRouter.router(settings, files(settings, "WebFlux"));
		}

	}

}
