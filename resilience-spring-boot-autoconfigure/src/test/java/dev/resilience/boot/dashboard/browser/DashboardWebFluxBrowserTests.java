package dev.resilience.boot.dashboard.browser;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a WebFlux application under {@code spring.webflux.base-path}: the
 * reactive router serves the page, which reads its snapshot and acts through the write
 * endpoints under the base path.
 */
@BrowserTest
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.main.web-application-type=reactive",
		// Reactor Netty, as in a WebFlux application (Tomcat, for the Spring MVC
		// tests, is on the class path too).
		"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
				+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
		"spring.webflux.base-path=/flux", "resilience.dashboard.enabled=true",
		"management.endpoints.web.exposure.include=resilience,circuitbreakers,health",
		"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
class DashboardWebFluxBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	@BeforeAll
	static void startBrowser() {
		browser = Chromium.start("webflux");
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@Test
	void thePageUnderTheBasePathReadsItsSnapshotAndActsThroughItsEndpoints() throws Exception {
		DashboardScenarios.forceOpenThenClose(browser, "http://localhost:" + this.port + "/flux/resilience/",
				() -> DashboardScenarios.state(this.port, "/flux/actuator/circuitbreakers/payments"));
		assertThat(DashboardScenarios.get(this.port, "/resilience/").statusCode()).isEqualTo(404);
	}

}
