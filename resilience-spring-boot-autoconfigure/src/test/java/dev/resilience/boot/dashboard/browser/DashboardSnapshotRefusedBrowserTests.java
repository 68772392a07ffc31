package dev.resilience.boot.dashboard.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard when the snapshot itself is refused (reading it needs a role the
 * anonymous browser does not have): the connection status says so, in text, instead of an
 * empty page.
 */
@BrowserTest
@SpringBootTest(classes = SecuredDashboardApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true", "dashboard-test.snapshot-needs-sign-in=true",
				"management.endpoints.web.exposure.include=resilience,circuitbreakers,health",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
class DashboardSnapshotRefusedBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	@BeforeAll
	static void startBrowser() {
		browser = Chromium.start("refused");
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@Test
	void aRefusedSnapshotShowsItsStatusAndTheAccessRulesInTheConnectionStatus() {
		browser.open("http://localhost:" + this.port + "/resilience/");
		browser.waitUntil(5, (d) -> "error".equals(browser.find("#status").getDomAttribute("data-state")));
		assertThat(browser.find("#status").getText())
			.contains("The snapshot endpoint /actuator/resilience answered 401 Unauthorized")
			.contains("the Actuator's access rules refused it");
		assertThat(browser.find("#status").getDomAttribute("aria-live")).isEqualTo("polite");
		assertThat(browser.findAll(".tile")).isEmpty();
		browser.screenshot("snapshot-401");
	}

}
