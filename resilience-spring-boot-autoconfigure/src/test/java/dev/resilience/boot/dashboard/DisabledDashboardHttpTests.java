package dev.resilience.boot.dashboard;

import java.net.URI;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard off (the default) while the {@code resilience} endpoint is exposed:
 * nothing is served at its path, and the endpoint still answers.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,resilience",
				"spring.application.name=dashboard-test",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class DisabledDashboardHttpTests {

	@LocalServerPort
	private int port;

	@Test
	void servesNothingAtTheDashboardPath() {
		DashboardHttp.assertNotServed("http://localhost:" + this.port + "/", "resilience");
		assertThat(DashboardHttp.get(URI.create("http://localhost:" + this.port + "/actuator/resilience")).statusCode())
			.isEqualTo(200);
	}

}
