package dev.resilience.boot.actuate.endpoint;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Spring Security and the chain the documentation recommends, anyone may read and
 * only an authenticated user may write.
 */
@EndpointTest
class EndpointSecurityTests {

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
	void aWriteWithoutCredentialsIsUnauthorizedAndChangesNothing() {
		CircuitBreaker breaker = this.registry.instance("sec-anonymous");
		assertThat(
				this.actuator.postAnonymously("circuitbreakers/sec-anonymous", "{\"state\":\"FORCED_OPEN\"}").status())
			.isEqualTo(401);
		assertThat(this.actuator.postAnonymously("ratelimiters/search", "{\"limitForPeriod\":1}").status())
			.isEqualTo(401);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void aWriteWithAWrongPasswordIsUnauthorized() {
		CircuitBreaker breaker = this.registry.instance("sec-wrong");
		assertThat(this.actuator
			.postAs(ActuatorClient.USER, "guess", "circuitbreakers/sec-wrong", "{\"state\":\"FORCED_OPEN\"}")
			.status()).isEqualTo(401);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	void anAuthenticatedUserMayWrite() {
		CircuitBreaker breaker = this.registry.instance("sec-user");
		assertThat(this.actuator.post("circuitbreakers/sec-user", "{\"state\":\"FORCED_OPEN\"}").status())
			.isEqualTo(200);
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
	}

	@Test
	void anyoneMayRead() {
		this.registry.instance("sec-read");
		assertThat(this.actuator.get("circuitbreakers/sec-read").status()).isEqualTo(200);
		assertThat(this.actuator.get("resilienceevents").status()).isEqualTo(200);
	}

}
