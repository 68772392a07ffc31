package dev.resilience.boot.dashboard.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard with 500 instances (registered through the registries): measures, in the
 * browser, the first render, the steady-state updates and the snapshot's size, and writes
 * them to {@code target/dashboard-performance.txt}. It asserts only what can break: every
 * tile is there, and an update changes the tiles in place (no tile element created, the
 * same elements before and after), never a duration.
 */
@BrowserTest
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true",
				"management.endpoints.web.exposure.include=resilience,circuitbreakers,ratelimiters,bulkheads,timeouts",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn",
				// Its own application context: the 500 instances stay out of the other
				// tests.
				"spring.application.name=dashboard-500" })
class DashboardPerformanceBrowserTests {

	static final Path REPORT = Path.of("target", "dashboard-performance.txt");

	private static final int STEADY_UPDATES = 5;

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RetryRegistry retries;

	@Autowired
	private RateLimiterRegistry rateLimiters;

	@Autowired
	private BulkheadRegistry bulkheads;

	@Autowired
	private TimeoutRegistry timeouts;

	@Autowired
	private ThreadPoolBulkheadRegistry threadPoolBulkheads;

	@Test
	void fiveHundredInstancesRenderOnceAndUpdateInPlace() throws Exception {
		for (int i = 0; i < 200; i++) {
			this.circuitBreakers.instance(String.format("breaker-%03d", i));
		}
		for (int i = 0; i < 100; i++) {
			this.rateLimiters.instance(String.format("limiter-%03d", i));
			this.bulkheads.instance(String.format("bulkhead-%03d", i));
		}
		for (int i = 0; i < 50; i++) {
			this.retries.instance(String.format("retry-%03d", i));
			this.timeouts.instance(String.format("timeout-%03d", i));
		}
		int instances = this.circuitBreakers.all().size() + this.rateLimiters.all().size() + this.bulkheads.all().size()
				+ this.retries.all().size() + this.timeouts.all().size() + this.threadPoolBulkheads.all().size();
		assertThat(instances).isGreaterThanOrEqualTo(500);
		try (Chromium browser = Chromium.start("500")) {
			browser.open("http://localhost:" + this.port + "/resilience/");
			browser.waitUntil(20, (d) -> ((Number) browser.stats().get("tiles")).intValue() == instances);
			Map<String, Object> first = browser.stats();
			assertThat(browser.findAll(".tile")).hasSize(instances);
			browser.screenshot("first-render");
			// Marks every tile element: an update that re-created one would lose the
			// mark.
			browser.script("document.querySelectorAll('.tile').forEach((t) => t.dashboardMark = true);");

			List<Map<String, Object>> steady = new ArrayList<>();
			for (int i = 0; i < STEADY_UPDATES; i++) {
				browser.waitForNextUpdate();
				steady.add(browser.stats());
			}
			// A change of state: the tile moves to the front of its group, in place.
			this.circuitBreakers.instance("breaker-150").transitionTo(CircuitBreaker.State.OPEN);
			String tile = Chromium.tile("circuitbreaker", "breaker-150");
			browser.waitUntil(5, (d) -> "OPEN".equals(browser.find(tile).getDomAttribute("data-state")));
			Map<String, Object> afterChange = browser.stats();
			browser.screenshot("breaker-150-open");

			assertThat(steady).allSatisfy((stats) -> {
				assertThat(stats.get("tilesCreated")).isEqualTo(0L);
				assertThat(stats.get("nodesCreated")).as("nodes created by a steady-state update").isEqualTo(0L);
				assertThat(stats.get("tiles")).isEqualTo((long) instances);
			});
			assertThat(afterChange.get("tilesCreated")).isEqualTo(0L);
			assertThat(browser.script("return document.querySelectorAll('.tile').length;")).isEqualTo((long) instances);
			assertThat(browser.script("return [...document.querySelectorAll('.tile')].every((t) => t.dashboardMark);"))
				.isEqualTo(true);
			assertThat(browser.find(".group[data-primitive='circuitbreaker'] .tile").getDomAttribute("data-name"))
				.isEqualTo("breaker-150");

			String report = report(instances, first, steady, afterChange,
					(String) browser.script("return navigator.userAgent;"));
			Files.createDirectories(REPORT.getParent());
			Files.writeString(REPORT, report);
			System.out.print(report);
		}
	}

	private static String report(int instances, Map<String, Object> first, List<Map<String, Object>> steady,
			Map<String, Object> afterChange, String userAgent) {
		List<Double> renders = steady.stream()
			.map((s) -> ((Number) s.get("renderMillis")).doubleValue())
			.sorted()
			.toList();
		List<Long> sizes = steady.stream().map((s) -> ((Number) s.get("snapshotBytes")).longValue()).sorted().toList();
		StringBuilder out = new StringBuilder();
		out.append("Dashboard with ")
			.append(instances)
			.append(" instances (headless Chromium, ")
			.append(userAgent)
			.append(")\n");
		out.append(String.format("first render:            %8.1f ms, %d DOM nodes created, %d nodes in the page%n",
				((Number) first.get("firstRenderMillis")).doubleValue(), first.get("firstRenderNodes"),
				first.get("domNodes")));
		out.append(String.format("first snapshot:          %8d bytes (every instance, 3 min of history at most)%n",
				first.get("firstSnapshotBytes")));
		out.append(String.format(
				"steady-state update:     %8.1f ms median, %.1f ms max over %d updates, %s nodes created%n",
				renders.get(renders.size() / 2), renders.get(renders.size() - 1), renders.size(),
				steady.stream().map((s) -> String.valueOf(s.get("nodesCreated"))).toList()));
		out.append(String.format("steady-state snapshot:   %8d bytes median (?since=: the new samples only)%n",
				sizes.get(sizes.size() / 2)));
		out.append(String.format("update with a state change: %5.1f ms, %s tiles created%n",
				((Number) afterChange.get("renderMillis")).doubleValue(), afterChange.get("tilesCreated")));
		return out.toString();
	}

}
