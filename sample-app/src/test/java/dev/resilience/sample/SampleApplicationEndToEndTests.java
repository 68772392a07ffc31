package dev.resilience.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo scenario, played over real HTTP against the sample app on a random port:
 * normal traffic, faults injected, the payment breaker opens and the fallback answers,
 * health and the breaker endpoint and Prometheus show it, faults removed, the breaker
 * half-opens and closes; then a timeout and a rate limit. Time is driven through
 * configuration (a 1 s open state), not long sleeps.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.circuitbreaker.instances.payments.wait-duration-in-open-state=1s",
				// An order that finds the service full waits for the next place given
				// back: longer here than in application.yml, for a busy build machine.
				"resilience.shedding.max-wait-duration=2s",
				"resilience.circuitbreaker.instances.downstream-http.wait-duration-in-open-state=1s",
				"spring.main.banner-mode=off", "logging.level.root=warn" })
@Timeout(60)
@Tag("slow")
class SampleApplicationEndToEndTests {

	private static final String ORDER = "{\"customer\":\"%s\",\"sku\":\"sku-1\",\"quantity\":1,\"total\":25.0}";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Test
	void survivesAFailingPaymentServiceAndRecovers() throws Exception {
		faults(0.0, 0);
		assertThat(paymentStatus("ann")).isEqualTo("CHARGED");
		assertThat(breakerState()).isEqualTo("CLOSED");

		faults(1.0, 0);
		List<String> statuses = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			statuses.add(paymentStatus("ann"));
		}
		assertThat(statuses).as("orders are accepted, their payment queued").containsOnly("PENDING");
		assertThat(breakerState()).isEqualTo("OPEN");
		assertThat(JsonPath.<Integer>read(get("/payments/pending").body(), "$.pending")).isEqualTo(8);

		HttpResponse<String> health = get("/actuator/health");
		assertThat(health.statusCode()).as("a downstream outage does not fail the application").isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health.body(), "$.components.circuitBreakers.components.payments.status"))
			.isEqualTo("CIRCUIT_OPEN");

		String scrape = get("/actuator/prometheus").body();
		assertThat(scrape).containsPattern(
				"resilience_circuitbreaker_state\\{[^}]*name=\"payments\"[^}]*state=\"open\"[^}]*\\} 1\\.0");
		assertThat(scrape).containsPattern("resilience_circuitbreaker_calls_total\\{[^}]*name=\"payments\"");
		// The label the dashboard's application variable filters on (application.yml).
		assertThat(scrape).containsPattern(
				"resilience_circuitbreaker_calls_total\\{[^}]*application=\"sample-app\"[^}]*name=\"payments\"");

		faults(0.0, 0);
		awaitBreakerState("payments", "HALF_OPEN");
		// The downstream client's own breaker opened on the same failures; the trial
		// charges go through it too.
		awaitBreakerState("downstream-http", "HALF_OPEN");
		for (int i = 0; i < 3; i++) {
			assertThat(paymentStatus("ann")).isEqualTo("CHARGED");
		}
		assertThat(breakerState()).isEqualTo("CLOSED");
		assertThat(JsonPath.<String>read(get("/actuator/health").body(),
				"$.components.circuitBreakers.components.payments.status"))
			.isEqualTo("UP");
	}

	@Test
	void aSlowRecommendationServiceIsCutOffAndTheFallbackAnswers() throws Exception {
		faults(0.0, 1500);
		try {
			HttpResponse<String> response = get("/customers/ann/recommendations");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("[]");
		}
		finally {
			faults(0.0, 0);
		}
	}

	@Test
	void aRequestThatSaysItsCallerWaits300MsIsAnsweredWhenTheyRunOutNotAfterTheDownstreamsSecond() throws Exception {
		faults(0.0, 1500);
		try {
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/products/sku-1/stock/now"))
				.header("X-Request-Timeout-Ms", "300")
				.GET()
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
			assertThat(response.body()).contains("Deadline exceeded");
			String scrape = get("/actuator/prometheus").body();
			assertThat(scrape)
				.containsPattern("resilience_deadline_exceeded_total\\{[^}]*mode=\"enforce\"[^}]*\\} [1-9]");
			// The budget left, sent on to the downstream, was recorded when the call
			// started.
			assertThat(scrape).containsPattern(
					"resilience_deadline_remaining_seconds_count\\{[^}]*client=\"downstream\"[^}]*\\} [1-9]");
		}
		finally {
			faults(0.0, 0);
		}
	}

	@Test
	void aBurstFromOneCustomerIsRateLimitedWithRetryAfter() throws Exception {
		List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			burst.add(this.http.sendAsync(order("burst"), HttpResponse.BodyHandlers.ofString()));
		}
		List<HttpResponse<String>> responses = burst.stream().map(CompletableFuture::join).toList();
		List<HttpResponse<String>> limited = responses.stream().filter((r) -> r.statusCode() == 429).toList();
		assertThat(limited).isNotEmpty();
		assertThat(limited.get(0).headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isPositive());
		assertThat(responses).allSatisfy((r) -> assertThat(r.statusCode()).isIn(201, 429));
		// Another customer has a budget of their own.
		assertThat(this.http.send(order("other"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
	}

	private String paymentStatus(String customer) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(order(customer), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JsonPath.read(response.body(), "$.payment.status");
	}

	@Test
	void aFloodOfCatalogRequestsIsShedWhileOrdersKeepFlowing() throws Exception {
		faults(0.0, 0);
		AtomicBoolean flooding = new AtomicBoolean(true);
		AtomicInteger served = new AtomicInteger();
		AtomicInteger shed = new AtomicInteger();
		AtomicInteger shedWithoutRetryAfter = new AtomicInteger();
		List<Thread> flooders = new ArrayList<>();
		// 120 catalog requests in flight at a time against a limit of 80
		// (application.yml).
		for (int i = 0; i < 120; i++) {
			Thread flooder = new Thread(() -> {
				while (flooding.get()) {
					try {
						HttpResponse<String> response = get("/catalog");
						if (response.statusCode() == 503) {
							shed.incrementAndGet();
							if (response.headers().firstValue("Retry-After").isEmpty()) {
								shedWithoutRetryAfter.incrementAndGet();
							}
							Thread.sleep(20);
						}
						else if (response.statusCode() == 200) {
							served.incrementAndGet();
						}
					}
					catch (IOException ex) {
						// A connection refused under load is the client's, not a shed
						// request: try again.
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "flood-" + i);
			flooder.setDaemon(true);
			flooder.start();
			flooders.add(flooder);
		}
		try {
			// The flood saturates the limit within moments. Until its first admitted wave
			// has finished too: from then on its requests end one after the other, as a
			// real flood's do, rather than all at once 200 ms after a common start.
			await("the flood to be shed", () -> shed.get() >= 50 && served.get() >= 80);
			List<Integer> orders = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				// A customer each: the per-customer rate limit is not what this is about.
				orders.add(this.http.send(order("flood-" + i), HttpResponse.BodyHandlers.ofString()).statusCode());
			}
			assertThat(orders).as("orders during the flood").containsOnly(201);
		}
		finally {
			flooding.set(false);
			for (Thread flooder : flooders) {
				flooder.join(10_000);
			}
		}
		assertThat(served.get()).as("catalog requests served within the limit").isPositive();
		assertThat(shedWithoutRetryAfter.get()).as("503s without Retry-After").isZero();
		String scrape = get("/actuator/prometheus").body();
		assertThat(scrape)
			.containsPattern("resilience_shedding_rejected_total\\{[^}]*partition=\"default\"[^}]*\\} [1-9]");
		// Neither an order nor the nested calls it makes into the (simulated) downstream
		// was shed.
		assertThat(scrape)
			.containsPattern("resilience_shedding_rejected_total\\{[^}]*partition=\"critical\"[^}]*\\} 0\\.0");
		HttpResponse<String> health = get("/actuator/health/loadShedding");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Integer>read(health.body(), "$.details.limit")).isEqualTo(80);
	}

	private HttpRequest order(String customer) {
		return HttpRequest.newBuilder(uri("/orders"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(ORDER.formatted(customer)))
			.build();
	}

	private String breakerState() throws IOException, InterruptedException {
		return breakerState("payments");
	}

	private String breakerState(String name) throws IOException, InterruptedException {
		return JsonPath.read(get("/actuator/circuitbreakers/" + name).body(), "$.state");
	}

	private void awaitBreakerState(String name, String state) throws Exception {
		// The open state lasts 1 s and the breaker half-opens by itself.
		await(name + " breaker to be " + state, () -> state.equals(breakerState(name)));
	}

	/**
	 * Waits, at most 20 s, polling a condition over real HTTP: the one kind of wait these
	 * tests have (what they wait for happens in the application, on its own clock).
	 */
	private static void await(String what, Condition condition) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!condition.holds()) {
			assertThat(System.nanoTime() - deadline).as(what).isNegative();
			Thread.sleep(20);
		}
	}

	@FunctionalInterface
	private interface Condition {

		boolean holds() throws Exception;

	}

	private void faults(double failureRate, long latencyMs) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/downstream/faults"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers
				.ofString("{\"failureRate\":" + failureRate + ",\"latencyMs\":" + latencyMs + "}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
