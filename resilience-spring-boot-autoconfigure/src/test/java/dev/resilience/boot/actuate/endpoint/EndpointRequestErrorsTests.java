package dev.resilience.boot.actuate.endpoint;

import java.util.Map;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write body that Spring MVC cannot read, or a request without a JSON content type, is
 * answered before the endpoint runs; for our endpoints the answer still says what is
 * wrong, in the shape of the endpoints' own errors, and changes nothing. Security still
 * comes first.
 */
@EndpointTest
class EndpointRequestErrorsTests {

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
	void malformedJsonSaysSoAndWhere() {
		ActuatorClient.Response response = post("application/json", "{\"state\": \"FORCED_OPEN\"");
		assertError(response, 400, "Bad Request");
		assertThat(response.<String>read("$.message"))
			.startsWith("The request body is not valid JSON at line 1, column ")
			.contains("end-of-input");
		assertUnchanged();
	}

	@Test
	void anArrayOrAnObjectWhereAValueIsExpectedNamesTheField() {
		ActuatorClient.Response array = post("application/json", "{\"state\": [\"FORCED_OPEN\"]}");
		assertError(array, 400, "Bad Request");
		assertThat(array.<String>read("$.message"))
			.isEqualTo("state must be a string, a number or a boolean, not an array or an object");
		ActuatorClient.Response object = this.actuator.postRaw("ratelimiters/search", "application/json",
				"{\"limitForPeriod\": 5, \"timeoutDuration\": {\"seconds\": 1}}");
		assertError(object, 400, "Bad Request");
		assertThat(object.<String>read("$.message"))
			.isEqualTo("timeoutDuration must be a string, a number or a boolean, not an array or an object");
		assertUnchanged();
	}

	@Test
	void aBodyThatIsNotAJsonObjectSaysWhatIsExpected() {
		for (String body : new String[] { "[\"FORCED_OPEN\"]", "\"FORCED_OPEN\"", "42" }) {
			ActuatorClient.Response response = post("application/json", body);
			assertError(response, 400, "Bad Request");
			assertThat(response.<String>read("$.message")).as(body)
				.isEqualTo("The request body must be a JSON object of fields, such as {\"name\": \"value\"}");
		}
		assertUnchanged();
	}

	@Test
	void aMissingOrWrongContentTypeSaysWhichOneIsExpected() {
		ActuatorClient.Response missing = post(null, "{\"state\": \"FORCED_OPEN\"}");
		assertError(missing, 415, "Unsupported Media Type");
		assertThat(missing.<String>read("$.message"))
			.isEqualTo("Send the body as JSON with Content-Type: application/json; the request has no Content-Type");
		ActuatorClient.Response text = post("text/plain", "{\"state\": \"FORCED_OPEN\"}");
		assertError(text, 415, "Unsupported Media Type");
		assertThat(text.<String>read("$.message"))
			.isEqualTo("Send the body as JSON with Content-Type: application/json; the request has text/plain");
		assertUnchanged();
	}

	@Test
	void aWellFormedBodyStillReachesTheEndpoint() {
		ActuatorClient.Response response = post("application/json;charset=UTF-8", "{\"state\": 42}");
		assertError(response, 400, "Bad Request");
		assertThat(response.<String>read("$.message")).startsWith("state must be one of [");
		assertThat(post("application/vnd.spring-boot.actuator.v3+json", "{\"reset\": true}").status()).isEqualTo(200);
	}

	@Test
	void otherEndpointsKeepSpringMvcsAnswer() {
		ActuatorClient.Response response = this.actuator.postRaw("loggers/ROOT", "application/json",
				"{\"configuredLevel\": ");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.json().<Map<String, Object>>read("$")).containsKeys("timestamp", "path")
			.doesNotContainKey("message");
	}

	@Test
	void anUnauthenticatedBadRequestIsStillUnauthorized() {
		assertThat(this.actuator.postAnonymously("circuitbreakers/payments", "{\"state\": ").status()).isEqualTo(401);
	}

	private ActuatorClient.Response post(String contentType, String body) {
		return this.actuator.postRaw("circuitbreakers/payments", contentType, body);
	}

	private static void assertError(ActuatorClient.Response response, int status, String error) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.<Integer>read("$.status")).isEqualTo(status);
		assertThat(response.<String>read("$.error")).isEqualTo(error);
	}

	private void assertUnchanged() {
		assertThat(this.circuitBreakers.find("payments").orElseThrow().state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

}
