package dev.resilience.boot.dashboard;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * WebFlux on one port, under {@code spring.webflux.base-path}: the page, at a path of two
 * segments, is served under the base path, beside the Actuator endpoints, and not outside
 * it.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.main.web-application-type=reactive",
		// Reactor Netty, as in a WebFlux application: Tomcat (for the Spring MVC tests)
		// is on the class path too, and with both Spring Boot registers two reactive
		// management context factories under one name.
		"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
				+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
		"resilience.dashboard.enabled=true", "resilience.dashboard.path=/ops/resilience",
		"management.endpoints.web.exposure.include=health,resilience", "spring.webflux.base-path=/flux",
		"spring.application.name=dashboard-test",
		// Spring Data Redis is on the test class path; no Redis runs here.
		"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ReactiveDashboardHttpTests {

	@LocalServerPort
	private int port;

	@Test
	void servesThePageUnderTheBasePath() {
		DashboardHttp.assertServed("http://localhost:" + this.port + "/flux/", "ops/resilience", "dashboard-test");
	}

	@Test
	void servesNothingOutsideTheBasePath() {
		DashboardHttp.assertNotServed("http://localhost:" + this.port + "/", "ops/resilience");
	}

}
