package dev.resilience.boot.dashboard.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard with a separate management port, a management base path, a path of two
 * segments and a servlet context path on the main server: served on the management server
 * beside the Actuator endpoints, it reads its snapshot and its actions reach the write
 * endpoints there, through the relative paths it was given (nothing on the main port).
 */
@BrowserTest
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true", "resilience.dashboard.path=/ops/resilience",
				"server.servlet.context-path=/shop", "management.server.port=0", "management.server.base-path=/manage",
				"management.endpoints.web.exposure.include=resilience,circuitbreakers,health",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
class DashboardManagementPortBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@BeforeAll
	static void startBrowser() {
		browser = Chromium.start("management-port");
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@Test
	void thePageOnTheManagementServerReadsItsSnapshotAndActsThroughItsEndpoints() throws Exception {
		assertThat(this.managementPort).isNotEqualTo(this.port);
		DashboardScenarios.forceOpenThenClose(browser,
				"http://localhost:" + this.managementPort + "/manage/ops/resilience/",
				() -> DashboardScenarios.state(this.managementPort, "/manage/actuator/circuitbreakers/payments"));
		// The page and its data live on the management server only.
		assertThat(DashboardScenarios.get(this.port, "/shop/ops/resilience/").statusCode()).isEqualTo(404);
	}

}
