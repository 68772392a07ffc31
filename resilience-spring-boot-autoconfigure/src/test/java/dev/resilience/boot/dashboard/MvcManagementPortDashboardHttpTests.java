package dev.resilience.boot.dashboard;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Spring MVC with a separate management port and base path: the page, at a path of two
 * segments, is served on the management server beside the Actuator endpoints, and not on
 * the application port.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true", "resilience.dashboard.path=/ops/resilience",
				"management.endpoints.web.exposure.include=health,resilience", "management.server.port=0",
				"management.server.base-path=/manage", "spring.application.name=dashboard-test",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class MvcManagementPortDashboardHttpTests {

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Test
	void servesThePageOnTheManagementServer() {
		DashboardHttp.assertServed("http://localhost:" + this.managementPort + "/manage/", "ops/resilience",
				"dashboard-test");
	}

	@Test
	void servesNothingOnTheApplicationPort() {
		DashboardHttp.assertNotServed("http://localhost:" + this.port + "/", "ops/resilience");
		DashboardHttp.assertNotServed("http://localhost:" + this.port + "/manage/", "ops/resilience");
	}

}
