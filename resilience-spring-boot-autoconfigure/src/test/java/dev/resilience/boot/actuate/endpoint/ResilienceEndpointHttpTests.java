package dev.resilience.boot.actuate.endpoint;

import java.util.List;
import java.util.Map;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code resilience} endpoint over HTTP: the whole document with every configured
 * instance, {@code ?since} and {@code ?eventsSince}.
 */
@EndpointTest
class ResilienceEndpointHttpTests {

	private static final List<String> HISTORIES = List.of("$.circuitBreakers[*].history.*", "$.retries[*].history.*",
			"$.rateLimiters[*].history.*", "$.bulkheads[*].history.*", "$.threadPoolBulkheads[*].history.*",
			"$.timeouts[*].history.*");

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void answersTheDocumentWithEveryInstance() {
		this.circuitBreakers.instance("dashboard-idle");
		ActuatorClient.Response response = this.actuator.get("resilience");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Object>read("$.application")).isNull();
		assertThat(response.<Integer>read("$.sampleIntervalMillis")).isEqualTo(1000);
		assertThat(response.<Boolean>read("$.observations")).isTrue();
		assertThat(response.<Map<String, Object>>read("$.actions")).containsExactly(
				Map.entry("circuitbreakers", "actuator/circuitbreakers"),
				Map.entry("ratelimiters", "actuator/ratelimiters"), Map.entry("bulkheads", "actuator/bulkheads"),
				Map.entry("timeouts", "actuator/timeouts"));
		List<String> breakers = response.read("$.circuitBreakers[*].name");
		assertThat(breakers).contains("payments", "dashboard-idle").isSorted();
		assertThat(response.<List<String>>read("$.retries[*].name")).contains("orders");
		assertThat(response.<List<String>>read("$.rateLimiters[*].name")).contains("search");
		assertThat(response.<List<String>>read("$.bulkheads[*].name")).contains("inventory");
		assertThat(response.<List<String>>read("$.threadPoolBulkheads[*].name")).contains("reports");
		assertThat(response.<List<String>>read("$.timeouts[*].name")).contains("quotes");
		Map<String, Object> payments = response
			.<List<Map<String, Object>>>read("$.circuitBreakers[?(@.name == 'payments')]")
			.get(0);
		assertThat(payments).containsEntry("state", "CLOSED")
			.containsEntry("slidingWindowSize", 4)
			.containsEntry("minimumNumberOfCalls", 4)
			.containsEntry("halfOpenInMillis", null)
			.containsKeys("rates", "history", "failureRate", "totalNotPermittedCalls");
		Map<String, Object> search = response.<List<Map<String, Object>>>read("$.rateLimiters[?(@.name == 'search')]")
			.get(0);
		// Nulls are in the document, not left out.
		assertThat(search).containsEntry("limitForPeriod", 10)
			.containsEntry("backend", "local")
			.containsEntry("backendAvailable", null)
			.containsEntry("onBackendFailure", null);
		assertHistoriesCover(response);
	}

	@Test
	void sinceGivesOnlyTheNewerSamples() {
		ActuatorClient.Response all = this.actuator.get("resilience");
		int last = all.read("$.samples.last");
		ActuatorClient.Response newer = this.actuator.get("resilience?since=" + last);
		assertThat(newer.status()).isEqualTo(200);
		assertThat(newer.<Integer>read("$.samples.first")).isEqualTo(last + 1);
		assertThat(newer.<Integer>read("$.samples.last")).isGreaterThanOrEqualTo(last);
		assertHistoriesCover(newer);
		assertThat(this.actuator.get("resilience?since=soon").status()).isEqualTo(400);
	}

	@Test
	void eventsSinceGivesOnlyTheNewerEvents() {
		CircuitBreaker breaker = this.circuitBreakers.instance("dashboard-events");
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		ActuatorClient.Response response = this.actuator.get("resilience");
		List<Integer> ids = response.read("$.events[*].id");
		assertThat(ids).isSorted().hasSizeLessThanOrEqualTo(RecentEvents.LATEST);
		List<Map<String, Object>> transitions = response
			.read("$.events[?(@.name == 'dashboard-events' && @.type == 'STATE_TRANSITION')]");
		assertThat(transitions).hasSize(1);
		assertThat(transitions.get(0)).containsEntry("primitive", "circuitbreaker")
			.containsEntry("details", Map.of("fromState", "CLOSED", "toState", "FORCED_OPEN"));
		int id = (Integer) transitions.get(0).get("id");
		breaker.transitionTo(CircuitBreaker.State.CLOSED);
		ActuatorClient.Response newer = this.actuator.get("resilience?eventsSince=" + id);
		List<Integer> newerIds = newer.read("$.events[*].id");
		assertThat(newerIds).isNotEmpty().allSatisfy((newerId) -> assertThat(newerId).isGreaterThan(id));
		assertThat(newer.<List<String>>read("$.events[?(@.name == 'dashboard-events')].details.toState"))
			.containsExactly("CLOSED");
	}

	private static void assertHistoriesCover(ActuatorClient.Response response) {
		int first = response.read("$.samples.first");
		int last = response.read("$.samples.last");
		int length = Math.max(0, last - first + 1);
		for (String path : HISTORIES) {
			List<List<Object>> histories = response.read(path);
			assertThat(histories).as(path).isNotEmpty().allSatisfy((history) -> assertThat(history).hasSize(length));
		}
	}

}
