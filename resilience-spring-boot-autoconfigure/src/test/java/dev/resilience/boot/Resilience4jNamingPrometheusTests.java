package dev.resilience.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under {@code resilience.metrics.naming=resilience4j}, a real Prometheus scrape over
 * HTTP has every series Resilience4j's own Grafana dashboard queries, with the same
 * labels and types (the list, with where it comes from, is
 * {@code resilience4j-dashboard-series.txt} next to this class), and none of ours.
 */
@SpringBootTest(classes = Resilience4jNamingPrometheusTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=prometheus", "resilience.metrics.naming=resilience4j",
				// How Resilience4j's demo application, and its dashboard, tell
				// applications apart.
				"management.metrics.tags.application=orders-service",
				"resilience.circuitbreaker.instances.payments.sliding-window-size=4",
				"resilience.circuitbreaker.instances.payments.minimum-number-of-calls=4",
				"resilience.retry.instances.payments.max-attempts=2",
				"resilience.retry.instances.payments.wait-duration=0s",
				"resilience.ratelimiter.instances.search.limit-for-period=1",
				"resilience.ratelimiter.instances.search.limit-refresh-period=1h",
				"resilience.bulkhead.instances.db.max-concurrent-calls=3",
				"resilience.thread-pool-bulkhead.instances.reports.core-thread-pool-size=1",
				"resilience.thread-pool-bulkhead.instances.reports.max-thread-pool-size=2",
				"resilience.thread-pool-bulkhead.instances.reports.queue-capacity=5",
				"resilience.timeout.instances.search.timeout-duration=5s",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class Resilience4jNamingPrometheusTests {

	private static final String FIXTURE = "resilience4j-dashboard-series.txt";

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
	private ThreadPoolBulkheadRegistry threadPoolBulkheads;

	@Autowired
	private TimeoutRegistry timeouts;

	@Test
	void everySeriesResilience4jsDashboardQueriesIsScrapedWithItsLabelsAndType() throws Throwable {
		makeCalls();
		Scrape scrape = scrape();
		List<String> problems = new ArrayList<>();
		List<Expected> expected = expectedSeries();
		assertThat(expected).as("series in " + FIXTURE).hasSizeGreaterThan(10);
		for (Expected series : expected) {
			List<Sample> samples = scrape.samples(series.metric);
			if (series.absent) {
				if (!samples.isEmpty()) {
					problems.add(series.metric + " is published, but Resilience4j does not publish it");
				}
				continue;
			}
			if (samples.isEmpty()) {
				problems.add("no " + series.metric);
				continue;
			}
			List<Sample> matching = samples.stream()
				.filter((sample) -> sample.labels.entrySet().containsAll(series.matchers.entrySet()))
				.toList();
			if (matching.isEmpty()) {
				problems.add("no " + series.metric + " with " + series.matchers);
				continue;
			}
			for (Sample sample : matching) {
				if (!sample.labels.keySet().equals(series.labels)) {
					problems.add(series.metric + " has labels " + sample.labels.keySet() + ", not " + series.labels);
				}
			}
			String type = scrape.type(series.metric);
			if (!series.type.equals(type)) {
				problems.add(series.metric + " is a " + type + ", not a " + series.type);
			}
		}
		assertThat(problems).as("against the scrape:\n%s", scrape.text).isEmpty();
	}

	@Test
	void theScrapedFiguresAreTheInstancesFiguresAndOurOwnNamesAreGone() throws Throwable {
		makeCalls();
		Scrape scrape = scrape();
		assertThat(scrape.value("resilience4j_circuitbreaker_calls_seconds_count", "name", "payments", "kind",
				"successful"))
			.isGreaterThanOrEqualTo(2.0);
		assertThat(
				scrape.value("resilience4j_circuitbreaker_calls_seconds_count", "name", "payments", "kind", "failed"))
			.isGreaterThanOrEqualTo(1.0);
		assertThat(scrape.value("resilience4j_circuitbreaker_state", "name", "payments", "state", "closed"))
			.isEqualTo(1.0);
		assertThat(scrape.value("resilience4j_circuitbreaker_state", "name", "payments", "state", "open"))
			.isEqualTo(0.0);
		assertThat(scrape.value("resilience4j_circuitbreaker_not_permitted_calls_total", "name", "payments", "kind",
				"not_permitted"))
			.isZero();
		assertThat(scrape.value("resilience4j_retry_calls_total", "name", "payments", "kind", "successful_with_retry"))
			.isGreaterThanOrEqualTo(1.0);
		assertThat(scrape.value("resilience4j_ratelimiter_available_permissions", "name", "search")).isZero();
		assertThat(scrape.value("resilience4j_ratelimiter_waiting_threads", "name", "search")).isZero();
		assertThat(scrape.value("resilience4j_bulkhead_max_allowed_concurrent_calls", "name", "db")).isEqualTo(3.0);
		assertThat(scrape.value("resilience4j_bulkhead_available_concurrent_calls", "name", "db")).isEqualTo(3.0);
		assertThat(scrape.value("resilience4j_bulkhead_max_thread_pool_size", "name", "reports")).isEqualTo(2.0);
		assertThat(scrape.value("resilience4j_bulkhead_queue_capacity", "name", "reports")).isEqualTo(5.0);
		assertThat(scrape.value("resilience4j_timelimiter_calls_total", "name", "search", "kind", "successful"))
			.isGreaterThanOrEqualTo(1.0);
		assertThat(scrape.metricNames()).noneMatch((name) -> name.startsWith("resilience_"));
	}

	/** Calls through one instance of every primitive. */
	private void makeCalls() throws Throwable {
		CircuitBreaker payments = this.circuitBreakers.instance("payments");
		payments.acquirePermit().onSuccess(payments.startTime(), "ok");
		payments.acquirePermit().onSuccess(payments.startTime(), "ok");
		payments.acquirePermit().onFailure(payments.startTime(), new IOException("down"));
		Retry retry = this.retries.instance("payments");
		assertThat(retry.onFailure(1, new IOException("once"))).isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.onResult(2, "ok")).isEqualTo(Retry.NO_RETRY);
		this.rateLimiters.instance("search").tryAcquirePermission(1);
		Bulkhead db = this.bulkheads.instance("db");
		assertThat(db.tryAcquirePermission()).isTrue();
		db.releasePermission();
		assertThat(this.threadPoolBulkheads.instance("reports")
			.submit(() -> CompletableFuture.completedFuture("report"))
			.get(5, TimeUnit.SECONDS)).isEqualTo("report");
		assertThat(this.timeouts.instance("search").<String>execute(() -> "hit")).isEqualTo("hit");
	}

	private static List<Expected> expectedSeries() throws IOException {
		List<Expected> series = new ArrayList<>();
		try (InputStream in = Resilience4jNamingPrometheusTests.class.getResourceAsStream(FIXTURE)) {
			assertThat(in).as(FIXTURE).isNotNull();
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
				String trimmed = line.strip();
				if (trimmed.isEmpty() || trimmed.startsWith("#")) {
					continue;
				}
				series.add(Expected.parse(trimmed));
			}
		}
		return series;
	}

	private Scrape scrape() throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/prometheus"))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return new Scrape(response.body());
	}

	/**
	 * One line of the fixture.
	 */
	private record Expected(String metric, String type, Set<String> labels, Map<String, String> matchers,
			boolean absent) {

		static Expected parse(String line) {
			String[] tokens = line.split("\\s+");
			String type = "";
			Set<String> labels = new TreeSet<>();
			Map<String, String> matchers = new LinkedHashMap<>();
			boolean absent = false;
			for (String token : Arrays.asList(tokens).subList(1, tokens.length)) {
				if (token.equals("absent")) {
					absent = true;
				}
				else if (token.startsWith("type=")) {
					type = token.substring("type=".length());
				}
				else if (token.startsWith("labels=")) {
					labels.addAll(List.of(token.substring("labels=".length()).split(",")));
				}
				else if (token.contains("=")) {
					matchers.put(token.substring(0, token.indexOf('=')), token.substring(token.indexOf('=') + 1));
				}
				else {
					throw new IllegalArgumentException("unreadable token '" + token + "' in: " + line);
				}
			}
			if (!absent && (type.isEmpty() || labels.isEmpty())) {
				throw new IllegalArgumentException("type= and labels= are needed in: " + line);
			}
			return new Expected(tokens[0], type, labels, matchers, absent);
		}

	}

	private record Sample(String metric, Map<String, String> labels, double value) {
	}

	/**
	 * A scrape in Prometheus's text format.
	 */
	private static final class Scrape {

		final String text;

		final List<Sample> samples = new ArrayList<>();

		final Map<String, String> types = new LinkedHashMap<>();

		Scrape(String text) {
			this.text = text;
			for (String line : text.lines().toList()) {
				if (line.startsWith("# TYPE ")) {
					String[] parts = line.split(" ");
					this.types.put(parts[2], parts[3]);
				}
				else if (!line.isBlank() && !line.startsWith("#")) {
					int brace = line.indexOf('{');
					int space = line.lastIndexOf(' ');
					String metric = (brace >= 0) ? line.substring(0, brace) : line.substring(0, space);
					Map<String, String> labels = new LinkedHashMap<>();
					if (brace >= 0) {
						Matcher matcher = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
						while (matcher.find()) {
							labels.put(matcher.group(1), matcher.group(2));
						}
					}
					this.samples.add(new Sample(metric, labels, Double.parseDouble(line.substring(space + 1))));
				}
			}
		}

		List<Sample> samples(String metric) {
			return this.samples.stream().filter((sample) -> sample.metric.equals(metric)).toList();
		}

		Set<String> metricNames() {
			Set<String> names = new TreeSet<>();
			this.samples.forEach((sample) -> names.add(sample.metric));
			return names;
		}

		/**
		 * The type of the family the series belongs to (the longest family name it starts
		 * with).
		 */
		@org.jspecify.annotations.Nullable
		String type(String metric) {
			String family = null;
			for (String candidate : this.types.keySet()) {
				if (metric.startsWith(candidate) && (family == null || candidate.length() > family.length())) {
					family = candidate;
				}
			}
			return (family != null) ? this.types.get(family) : null;
		}

		double value(String metric, String... labels) {
			Map<String, String> wanted = new LinkedHashMap<>();
			for (int i = 0; i < labels.length; i += 2) {
				wanted.put(labels[i], labels[i + 1]);
			}
			return samples(metric).stream()
				.filter((sample) -> sample.labels.entrySet().containsAll(wanted.entrySet()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no " + metric + " " + wanted + " in\n" + this.text))
				.value();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		// Spring Security is on the test class path (for the endpoints' write tests):
		// scrapes are read without credentials, as a monitoring system does.
		@Bean
		SecurityFilterChain openActuator(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
			return http.build();
		}

	}

}
