package dev.resilience.boot.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Retry;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric that a query of the dashboard or an expression of the alert rules reads is
 * in a real scrape of {@code /actuator/prometheus}, from an application with one instance
 * of every primitive (a per-key limiter, a retry with a budget, a limiter on a Redis that
 * is down) after calls that produce every series. A renamed meter fails this test.
 * <p>
 * The {@code resilience_call_seconds_*} series come from the {@code resilience.call}
 * observation of the annotated methods; they are checked apart, so that a missing
 * observation and a renamed meter fail different tests.
 */
@SpringBootTest(classes = DashboardAndAlertsScrapeTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=prometheus",
				"management.metrics.tags.application=ops-test",
				"management.metrics.distribution.percentiles-histogram.resilience.call=true",
				"resilience.retry.instances.inventory.max-attempts=3",
				"resilience.retry.instances.inventory.wait-duration=0ms",
				"resilience.retry.instances.inventory.budget-max-tokens=4",
				"resilience.ratelimiter.instances.per-user.limit-for-period=1",
				"resilience.ratelimiter.instances.per-user.limit-refresh-period=1h",
				"resilience.ratelimiter.instances.per-user.timeout-duration=0",
				"resilience.ratelimiter.instances.partner.backend=redis",
				"resilience.ratelimiter.instances.partner.on-backend-failure=allow",
				"resilience.bulkhead.instances.db.max-concurrent-calls=2",
				"resilience.bulkhead.instances.db.max-wait-duration=0",
				"resilience.thread-pool-bulkhead.instances.reports.core-thread-pool-size=1",
				"resilience.thread-pool-bulkhead.instances.reports.max-thread-pool-size=1",
				"resilience.timeout.instances.search.timeout-duration=1s", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.timeout=1s", "spring.data.redis.connect-timeout=1s",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class DashboardAndAlertsScrapeTests {

	// What the observation of annotated methods publishes, not the meter binder.
	private static final String OBSERVATION_PREFIX = "resilience_call_";

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private Shop shop;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RetryRegistry retries;

	@Autowired
	private RateLimiterRegistry rateLimiters;

	@Autowired
	private BulkheadRegistry bulkheads;

	@Autowired
	private ThreadPoolBulkheadRegistry threadPoolBulkheads;

	@Autowired
	private TimeoutRegistry timeouts;

	@DynamicPropertySource
	static void redisThatIsDown(DynamicPropertyRegistry registry) {
		// Nothing listens there: the Redis-backed limiter counts backend failures.
		registry.add("spring.data.redis.port", DashboardAndAlertsScrapeTests::freePort);
	}

	@Test
	void everyMeterTheDashboardAndTheAlertsQueryIsInTheScrape() throws Throwable {
		Map<String, Set<String>> referenced = referencedMetrics();
		referenced.keySet().removeIf((metric) -> metric.startsWith(OBSERVATION_PREFIX));
		assertThat(referenced).as("metrics the dashboard and the rules read").isNotEmpty();
		Map<String, List<String>> scrape = scrapeAfterCallsThatProduceEverySeries();
		assertPresent(referenced, scrape);
	}

	@Test
	void theObservationSeriesTheDashboardQueriesAreInTheScrape() throws Throwable {
		Map<String, Set<String>> referenced = referencedMetrics();
		referenced.keySet().removeIf((metric) -> !metric.startsWith(OBSERVATION_PREFIX));
		assertThat(referenced).as("the latency and call-rate panels read the resilience.call timer")
			.containsKeys("resilience_call_seconds_count", "resilience_call_seconds_bucket");
		Map<String, List<String>> scrape = scrapeAfterCallsThatProduceEverySeries();
		assertPresent(referenced, scrape);
	}

	/** Every metric read, with where it is read (dashboard panel, variable or alert). */
	private static Map<String, Set<String>> referencedMetrics() {
		Map<String, String> expressions = new LinkedHashMap<>();
		OpsFiles.dashboardExpressions().forEach((where, expr) -> expressions.put("dashboard " + where, expr));
		OpsFiles.alertExpressions().forEach((where, expr) -> expressions.put("rules " + where, expr));
		Map<String, Set<String>> referenced = new TreeMap<>();
		expressions.forEach((where, expr) -> PromQl.metricNames(expr)
			.forEach((metric) -> referenced.computeIfAbsent(metric, (key) -> new TreeSet<>()).add(where)));
		return referenced;
	}

	private static void assertPresent(Map<String, Set<String>> referenced, Map<String, List<String>> scrape) {
		List<String> problems = new ArrayList<>();
		referenced.forEach((metric, where) -> {
			List<String> lines = scrape.get(metric);
			if (lines == null) {
				problems.add(metric + " (read by " + where + ") is not in the scrape");
			}
			else if (lines.stream().noneMatch((line) -> line.contains("application=\"ops-test\""))) {
				// The dashboard's $application variable filters on this label.
				problems.add(metric + " has no series with the application label: " + lines);
			}
		});
		assertThat(problems).as("scraped resilience metrics: " + new TreeSet<>(scrape.keySet())).isEmpty();
	}

	private Map<String, List<String>> scrapeAfterCallsThatProduceEverySeries() throws Throwable {
		// Annotated calls: the resilience.call observation, breaker and retry outcomes.
		assertThat(this.shop.pay(false)).isEqualTo("paid");
		try {
			this.shop.pay(true);
		}
		catch (IllegalStateException expected) {
			// failed after its retries
		}
		// The retry budget (4 tokens) refuses once half is gone.
		dev.resilience.retry.Retry inventory = this.retries.instance("inventory");
		for (int i = 0; i < 4; i++) {
			inventory.onFailure(1, new IOException("down"));
		}
		assertThat(inventory.metrics().budgetExhaustedCalls()).isPositive();
		this.circuitBreakers.instance("payments").transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.OPEN);
		this.circuitBreakers.instance("payments")
			.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.CLOSED);
		// A per-key limiter: one key's bucket is refilling, its second call is rejected.
		assertThat(this.rateLimiters.instance("per-user").forKey("ann").tryAcquirePermission(1)).isTrue();
		assertThat(this.rateLimiters.instance("per-user").forKey("ann").tryAcquirePermission(1)).isFalse();
		// The limiter on Redis: nobody answers, the failure policy (allow) decides.
		assertThat(this.rateLimiters.instance("partner").tryAcquirePermission(1)).isTrue();
		Bulkhead db = this.bulkheads.instance("db");
		Bulkhead tenant = this.bulkheads.instance("tenants").forKey("acme");
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<String> report = this.threadPoolBulkheads.instance("reports").submit(() -> {
			started.countDown();
			release.await(10, TimeUnit.SECONDS);
			return CompletableFuture.completedFuture("done");
		});
		assertThat(db.tryAcquirePermission()).isTrue();
		assertThat(tenant.tryAcquirePermission()).isTrue();
		try {
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(this.timeouts.instance("search").<String>execute(() -> "found")).isEqualTo("found");
			return scrape();
		}
		finally {
			db.releasePermission();
			tenant.releasePermission();
			release.countDown();
			report.get(10, TimeUnit.SECONDS);
		}
	}

	/** The scrape's series lines by metric name. */
	private Map<String, List<String>> scrape() throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/prometheus"))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, List<String>> series = new TreeMap<>();
		for (String line : response.body().lines().toList()) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int end = 0;
			while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
				end++;
			}
			series.computeIfAbsent(line.substring(0, end), (key) -> new ArrayList<>()).add(line);
		}
		series.keySet().removeIf((metric) -> !metric.startsWith("resilience"));
		return series;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Annotated methods, so that calls go through the starter's interceptor. */
	static class Shop {

		@CircuitBreaker(name = "payments")
		@Retry(name = "inventory")
		String pay(boolean fail) {
			if (fail) {
				throw new IllegalStateException("declined");
			}
			return "paid";
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Shop shop() {
			return new Shop();
		}

		// Spring Security is on the test class path: scrapes are read without
		// credentials, as a monitoring system does.
		@Bean
		SecurityFilterChain openActuator(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
			return http.build();
		}

	}

}
