package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code circuitbreakers} endpoint over HTTP.
 */
@EndpointTest
class CircuitBreakersEndpointTests {

	private static final CircuitBreakerConfig SMALL_WINDOW = CircuitBreakerConfig.builder()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry registry;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void listsEveryCircuitBreakerWithFiguresAndConfiguration() {
		CircuitBreaker breaker = this.registry.instance("cb-list", SMALL_WINDOW);
		record(breaker, true, true, false, false);
		ActuatorClient.Response response = this.actuator.get("circuitbreakers");
		assertThat(response.status()).isEqualTo(200);
		Map<String, Object> listed = response.read("$.circuitBreakers['cb-list']");
		assertThat(listed).containsEntry("name", "cb-list")
			.containsEntry("state", "OPEN")
			.containsEntry("failureRate", 50.0)
			.containsEntry("slowCallRate", 0.0)
			.containsEntry("bufferedCalls", 4)
			.containsEntry("failedCalls", 2)
			.containsEntry("slowCalls", 0)
			.containsEntry("notPermittedCalls", 0)
			.containsEntry("totalSuccessfulCalls", 2)
			.containsEntry("totalFailedCalls", 2);
		// The breaker configured in application properties is listed with its settings.
		assertThat(response.<Object>read("$.circuitBreakers.payments.config.slidingWindowSize")).isEqualTo(4);
		assertThat(response.<Object>read("$.circuitBreakers.payments.config.waitDurationInOpenState"))
			.isEqualTo("PT30S");
		assertThat(response.<List<String>>read("$.circuitBreakers.payments.config.ignoreExceptions"))
			.containsExactly("java.lang.IllegalArgumentException");
	}

	@Test
	void describesOneCircuitBreakerWithItsEffectiveConfiguration() {
		CircuitBreaker breaker = this.registry.instance("cb-detail", SMALL_WINDOW);
		record(breaker, true, false);
		ActuatorClient.Response response = this.actuator.get("circuitbreakers/cb-detail");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<String>read("$.state")).isEqualTo("CLOSED");
		assertThat(response.<Double>read("$.failureRate")).isEqualTo(-1.0);
		assertThat(response.<Integer>read("$.bufferedCalls")).isEqualTo(2);
		Map<String, Object> config = response.read("$.config");
		assertThat(config).containsEntry("slidingWindowType", "COUNT_BASED")
			.containsEntry("slidingWindowSize", 4)
			.containsEntry("minimumNumberOfCalls", 4)
			.containsEntry("failureRateThreshold", 50.0)
			.containsEntry("waitDurationInOpenState", "PT1M")
			.containsEntry("permittedNumberOfCallsInHalfOpenState", 10)
			.containsEntry("automaticTransitionFromOpenToHalfOpenEnabled", false)
			// Unset optional settings are left out.
			.doesNotContainKey("slowCallDurationThreshold");
	}

	@Test
	void answers404ForAnUnknownNameWithoutCreatingACircuitBreaker() {
		ActuatorClient.Response read = this.actuator.get("circuitbreakers/cb-unknown");
		assertThat(read.status()).isEqualTo(404);
		assertThat(read.<String>read("$.message")).isEqualTo("No circuit breaker named 'cb-unknown'");
		ActuatorClient.Response write = this.actuator.post("circuitbreakers/cb-unknown", "{\"state\":\"FORCED_OPEN\"}");
		assertThat(write.status()).isEqualTo(404);
		assertThat(this.registry.find("cb-unknown")).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(CircuitBreaker.State.class)
	void movesACircuitBreakerToAnyStateByHand(CircuitBreaker.State state) {
		CircuitBreaker breaker = this.registry.instance("cb-to-" + state, SMALL_WINDOW);
		// Lower case works as well as the constant's name.
		ActuatorClient.Response response = this.actuator.post("circuitbreakers/cb-to-" + state,
				"{\"state\":\"" + state.name().toLowerCase() + "\"}");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<String>read("$.state")).isEqualTo(state.name());
		assertThat(breaker.state()).isEqualTo(state);
	}

	@Test
	void forcedOpenRejectsCallsUntilClosedByHandAgain() {
		CircuitBreaker breaker = this.registry.instance("cb-forced", SMALL_WINDOW);
		this.actuator.post("circuitbreakers/cb-forced", "{\"state\":\"FORCED_OPEN\"}");
		assertThat(breaker.state().permitsCalls()).isFalse();
		ActuatorClient.Response closed = this.actuator.post("circuitbreakers/cb-forced", "{\"state\":\"CLOSED\"}");
		assertThat(closed.<String>read("$.state")).isEqualTo("CLOSED");
		breaker.acquirePermit().onSuccess(0, null);
		assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
	}

	@Test
	void aManualTransitionKeepsTheTotalsAndResetZeroesThem() {
		CircuitBreaker breaker = this.registry.instance("cb-reset", SMALL_WINDOW);
		record(breaker, true, false, false, false);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		ActuatorClient.Response closed = this.actuator.post("circuitbreakers/cb-reset", "{\"state\":\"CLOSED\"}");
		assertThat(closed.<Integer>read("$.bufferedCalls")).isZero();
		assertThat(closed.<Integer>read("$.totalFailedCalls")).isEqualTo(3);
		record(breaker, false);
		ActuatorClient.Response reset = this.actuator.post("circuitbreakers/cb-reset", "{\"reset\":true}");
		assertThat(reset.status()).isEqualTo(200);
		assertThat(reset.<String>read("$.state")).isEqualTo("CLOSED");
		assertThat(reset.<Integer>read("$.bufferedCalls")).isZero();
		assertThat(reset.<Integer>read("$.totalSuccessfulCalls")).isZero();
		assertThat(reset.<Integer>read("$.totalFailedCalls")).isZero();
		assertThat(breaker.metrics().totalFailedCalls()).isZero();
	}

	@Test
	void rejectsABodyThatDoesNotSayWhatToDo() {
		CircuitBreaker breaker = this.registry.instance("cb-bad-body", SMALL_WINDOW);
		assertBadRequest("{\"state\":\"AJAR\"}",
				"state must be one of [CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED] but was 'AJAR'");
		assertBadRequest("{}", "Give \"state\" (one of [CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED]) "
				+ "or \"reset\": true in the request body");
		assertBadRequest("{\"reset\":\"maybe\"}", "reset must be true or false but was 'maybe'");
		assertBadRequest("{\"reset\":false}", "reset must be true to reset the circuit breaker but was false");
		assertBadRequest("{\"state\":\"OPEN\",\"reset\":true}", "Give either \"state\" or \"reset\", not both");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	private void assertBadRequest(String body, String message) {
		ActuatorClient.Response response = this.actuator.post("circuitbreakers/cb-bad-body", body);
		assertThat(response.status()).as(body).isEqualTo(400);
		assertThat(response.<String>read("$.message")).as(body).isEqualTo(message);
		assertThat(response.<Integer>read("$.status")).isEqualTo(400);
	}

	/** Records one call per outcome: {@code true} a success, {@code false} a failure. */
	private static void record(CircuitBreaker breaker, boolean... outcomes) {
		for (boolean success : outcomes) {
			CircuitBreaker.Permit permit = breaker.acquirePermit();
			if (success) {
				permit.onSuccess(0, null);
			}
			else {
				permit.onFailure(0, new IOException("refused"));
			}
		}
	}

}
