package dev.resilience.boot.dashboard;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Spring MVC under a servlet context path and a DispatcherServlet path: the page is
 * served under both, beside the Actuator endpoints, and not outside the servlet path.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true",
				"management.endpoints.web.exposure.include=health,resilience", "server.servlet.context-path=/app",
				"spring.mvc.servlet.path=/api", "spring.application.name=dashboard-test",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class MvcServletPathDashboardHttpTests {

	@LocalServerPort
	private int port;

	@Test
	void servesThePageUnderTheContextAndServletPaths() {
		DashboardHttp.assertServed("http://localhost:" + this.port + "/app/api/", "resilience", "dashboard-test");
	}

	@Test
	void servesNothingOutsideTheServletPath() {
		DashboardHttp.assertNotServed("http://localhost:" + this.port + "/app/", "resilience");
	}

}
