package dev.resilience.boot.dashboard.browser;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.jayway.jsonpath.JsonPath;
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

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
		forceOpenThenClose(browser, "http://localhost:" + this.managementPort + "/manage/ops/resilience/",
				() -> state(this.managementPort, "/manage/actuator/circuitbreakers/payments"));
		// The page and its data live on the management server only.
		assertThat(get(this.port, "/shop/ops/resilience/").statusCode()).isEqualTo(404);
	}

	/**
	 * Opens the page, forces the {@code payments} breaker open from it and closes it
	 * again, checking each change on the endpoint and on the tile.
	 * @param browser the browser
	 * @param page the page's URL
	 * @param state reads the breaker's state from its endpoint
	 */
	static void forceOpenThenClose(Chromium browser, String page, Callable<String> state) throws Exception {
		browser.open(page);
		browser.waitUntil(5, (d) -> browser.updates() > 0);
		assertThat(browser.find("#status").getDomAttribute("data-state")).isEqualTo("ok");
		String tile = Chromium.tile("circuitbreaker", "payments");
		assertThat(browser.find(tile).getDomAttribute("data-state")).isEqualTo("CLOSED");

		browser.find(tile + " button[data-action='force-open']").click();
		browser.waitUntil(3, (d) -> "ok".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
		assertThat(state.call()).isEqualTo("FORCED_OPEN");
		browser.waitUntil(3, (d) -> "FORCED_OPEN".equals(browser.find(tile).getDomAttribute("data-state")));
		browser.screenshot("payments-forced-open");

		browser.find(tile + " button[data-action='close']").click();
		browser.waitUntil(3, (d) -> "CLOSED".equals(browser.find(tile).getDomAttribute("data-state")));
		assertThat(state.call()).isEqualTo("CLOSED");
	}

	static String state(int port, String path) throws Exception {
		HttpResponse<String> response = get(port, path);
		assertThat(response.statusCode()).isEqualTo(200);
		return JsonPath.read(response.body(), "$.state");
	}

	static HttpResponse<String> get(int port, String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
