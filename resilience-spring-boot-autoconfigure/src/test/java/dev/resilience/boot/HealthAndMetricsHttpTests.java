package dev.resilience.boot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and Prometheus over real HTTP, in one application context for every test: each
 * test starts from registries without circuit breakers and creates what it needs.
 */
@SpringBootTest(classes = HealthAndMetricsHttpTests.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,prometheus",
				"management.endpoint.health.show-details=always",
				"management.endpoint.health.group.readiness.include=circuitBreakers",
				"resilience.circuitbreaker.instances.critical.allow-health-indicator-to-fail=true",
				"resilience.circuitbreaker.instances.hidden.register-health-indicator=false",
				"resilience.ratelimiter.instances.api.limit-for-period=1",
				"resilience.ratelimiter.instances.api.limit-refresh-period=1h", "resilience.metrics.tags.region=test",
				// Spring Data Redis is on the test class path (for the Redis backend's
				// tests);
				// no Redis runs for this application, so its own health check is off.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class HealthAndMetricsHttpTests {

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
	private TimeoutRegistry timeouts;

	@BeforeEach
	void removeEveryCircuitBreaker() {
		this.circuitBreakers.all().forEach((breaker) -> this.circuitBreakers.remove(breaker.name()));
	}

	@ParameterizedTest
	@CsvSource({ "CLOSED, UP", "OPEN, CIRCUIT_OPEN", "FORCED_OPEN, CIRCUIT_OPEN", "HALF_OPEN, CIRCUIT_HALF_OPEN",
			"DISABLED, UP" })
	void everyBreakerStateShowsInItsComponentWhileTheApplicationStaysUp(State state, String status) throws Exception {
		this.circuitBreakers.instance("payments").transitionTo(state);
		this.circuitBreakers.instance("inventory");
		Response health = get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().<String>read("$.status")).isEqualTo("UP");
		assertThat(health.json().<String>read("$.components.circuitBreakers.status")).isEqualTo("UP");
		assertThat(health.json().<String>read("$.components.circuitBreakers.components.payments.status"))
			.isEqualTo(status);
		assertThat(health.json().<String>read("$.components.circuitBreakers.components.payments.details.state"))
			.isEqualTo(state.name());
		assertThat(health.json().<String>read("$.components.circuitBreakers.components.inventory.status"))
			.isEqualTo("UP");
	}

	@Test
	void breakersThatAreAllOpenNeverTurnAnythingUnknown() throws Exception {
		this.circuitBreakers.instance("payments").transitionTo(State.OPEN);
		this.circuitBreakers.instance("inventory").transitionTo(State.FORCED_OPEN);
		Response health = get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().<String>read("$.status")).isEqualTo("UP");
		assertThat(health.json().<String>read("$.components.circuitBreakers.status")).isEqualTo("CIRCUIT_OPEN");
		Response composite = get("/actuator/health/circuitBreakers");
		assertThat(composite.status()).isEqualTo(200);
		assertThat(composite.json().<String>read("$.status")).isEqualTo("CIRCUIT_OPEN");
		Response readiness = get("/actuator/health/readiness");
		assertThat(readiness.status()).isEqualTo(200);
		assertThat(readiness.json().<String>read("$.status")).isEqualTo("CIRCUIT_OPEN");
	}

	@Test
	void anOpenBreakerThatMayFailTakesTheApplicationDown() throws Exception {
		this.circuitBreakers.instance("payments");
		CircuitBreaker critical = this.circuitBreakers.instance("critical");
		critical.transitionTo(State.OPEN);
		Response health = get("/actuator/health");
		assertThat(health.status()).isEqualTo(503);
		assertThat(health.json().<String>read("$.status")).isEqualTo("DOWN");
		assertThat(health.json().<String>read("$.components.circuitBreakers.status")).isEqualTo("DOWN");
		assertThat(health.json().<String>read("$.components.circuitBreakers.components.critical.status"))
			.isEqualTo("DOWN");
		assertThat(health.json().<String>read("$.components.circuitBreakers.components.payments.status"))
			.isEqualTo("UP");
		Response readiness = get("/actuator/health/readiness");
		assertThat(readiness.status()).isEqualTo(503);
		assertThat(readiness.json().<String>read("$.status")).isEqualTo("DOWN");
		// Half-open lets trial calls through, which need traffic: not DOWN.
		critical.transitionTo(State.HALF_OPEN);
		assertThat(get("/actuator/health").status()).isEqualTo(200);
		assertThat(get("/actuator/health/readiness").status()).isEqualTo(200);
	}

	@Test
	void theReadinessGroupFollowsTheBreakers() throws Exception {
		this.circuitBreakers.instance("payments");
		Response readiness = get("/actuator/health/readiness");
		assertThat(readiness.status()).isEqualTo(200);
		assertThat(readiness.json().<String>read("$.status")).isEqualTo("UP");
		assertThat(readiness.json().<String>read("$.components.circuitBreakers.components.payments.status"))
			.isEqualTo("UP");
		assertThat(get("/actuator/health").json().<List<String>>read("$.groups")).contains("readiness");
	}

	@Test
	void anInstanceThatOptsOutIsNotShown() throws Exception {
		this.circuitBreakers.instance("payments");
		this.circuitBreakers.instance("hidden").transitionTo(State.OPEN);
		Map<String, Object> components = get("/actuator/health").json().read("$.components.circuitBreakers.components");
		assertThat(components).containsOnlyKeys("payments");
		assertThat(get("/actuator/health/circuitBreakers/hidden").status()).isEqualTo(404);
	}

	@Test
	void anExhaustedRateLimiterShowsWhileTheApplicationStaysUp() throws Exception {
		RateLimiter api = this.rateLimiters.find("api").orElseThrow();
		api.tryAcquirePermission(1);
		Response health = get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().<String>read("$.status")).isEqualTo("UP");
		assertThat(health.json().<String>read("$.components.rateLimiters.components.api.status"))
			.isEqualTo("RATE_LIMITED");
		assertThat(health.json().<Integer>read("$.components.rateLimiters.components.api.details.availablePermits"))
			.isZero();
	}

	@Test
	void prometheusScrapesEveryPrimitivesMeters() throws Exception {
		CircuitBreaker payments = this.circuitBreakers.instance("payments");
		payments.acquirePermit().onSuccess(0, null);
		this.retries.instance("payments").onResult(1, null);
		this.rateLimiters.instance("search").tryAcquirePermission(1);
		Bulkhead db = this.bulkheads.instance("db");
		db.tryAcquirePermission();
		this.timeouts.instance("search");
		Response scrape = get("/actuator/prometheus");
		assertThat(scrape.status()).isEqualTo(200);
		List<String> lines = scrape.body().lines().toList();
		assertThat(line(lines, "resilience_circuitbreaker_calls_total", "name=\"payments\"", "outcome=\"success\""))
			.endsWith(" 1.0");
		assertThat(
				line(lines, "resilience_circuitbreaker_calls_total", "name=\"payments\"", "outcome=\"not_permitted\""))
			.endsWith(" 0.0");
		assertThat(line(lines, "resilience_circuitbreaker_state", "name=\"payments\"", "state=\"closed\""))
			.endsWith(" 1.0");
		assertThat(line(lines, "resilience_circuitbreaker_state", "name=\"payments\"", "state=\"open\""))
			.endsWith(" 0.0");
		assertThat(line(lines, "resilience_circuitbreaker_failure_rate", "name=\"payments\"")).isNotNull();
		assertThat(line(lines, "resilience_circuitbreaker_slow_call_rate", "name=\"payments\"")).isNotNull();
		assertThat(
				line(lines, "resilience_retry_calls_total", "name=\"payments\"", "outcome=\"success_without_retry\""))
			.endsWith(" 1.0");
		assertThat(line(lines, "resilience_ratelimiter_calls_total", "name=\"search\"", "outcome=\"permitted\""))
			.endsWith(" 1.0");
		assertThat(line(lines, "resilience_ratelimiter_available_permits", "name=\"search\"")).isNotNull();
		assertThat(line(lines, "resilience_bulkhead_calls_total", "name=\"db\"", "kind=\"semaphore\"",
				"outcome=\"permitted\""))
			.endsWith(" 1.0");
		assertThat(line(lines, "resilience_bulkhead_active_calls", "name=\"db\"", "kind=\"semaphore\""))
			.endsWith(" 1.0");
		assertThat(line(lines, "resilience_timeout_calls_total", "name=\"search\"", "outcome=\"timeout\""))
			.endsWith(" 0.0");
		db.releasePermission();
	}

	private static String line(List<String> lines, String metric, String... labels) {
		return lines.stream()
			.filter((line) -> line.startsWith(metric + "{"))
			.filter((line) -> line.contains("region=\"test\""))
			.filter((line) -> List.of(labels).stream().allMatch(line::contains))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + metric + " " + List.of(labels) + " in\n"
					+ String.join("\n", lines.stream().filter((line) -> line.startsWith("resilience")).toList())));
	}

	private Response get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		return new Response(response.statusCode(), response.body());
	}

	private record Response(int status, String body) {

		DocumentContext json() {
			return JsonPath.parse(this.body);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		// Spring Security is on the test class path (for the endpoints' write tests):
		// health and scrapes are read without credentials, as a monitoring system does.
		@Bean
		SecurityFilterChain openActuator(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
			return http.build();
		}

	}

}
