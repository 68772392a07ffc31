package dev.resilience.boot.dashboard.browser;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.jayway.jsonpath.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What several browser tests do alike: read an Actuator endpoint over plain HTTP, and
 * force a breaker open and close it again from the page.
 */
final class DashboardScenarios {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private DashboardScenarios() {
	}

	/**
	 * Sends a {@code GET} to the local server.
	 * @param port the server's port
	 * @param path the path, from the root
	 * @return the response, whatever its status
	 */
	static HttpResponse<String> get(int port, String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Reads a circuit breaker's state from its endpoint.
	 * @param port the server's port
	 * @param path the breaker's endpoint path, from the root
	 * @return the state's name
	 */
	static String state(int port, String path) throws Exception {
		HttpResponse<String> response = get(port, path);
		assertThat(response.statusCode()).isEqualTo(200);
		return JsonPath.read(response.body(), "$.state");
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

}
