package dev.resilience.boot.http;

import java.util.function.Predicate;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.observation.ResilienceObservationAutoConfiguration;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every attempt is an observation under the client's exchange observation.
 */
class HttpAttemptObservationTests {

	private final TestServer server = new TestServer().answer(503).answer(200);

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
				ResilienceObservationAutoConfiguration.class, ResilienceHttpAutoConfiguration.class))
		.withBean(ObservationRegistry.class, () -> this.registry)
		.withPropertyValues("resilience.retry.instances.quick.wait-duration=10ms",
				"resilience.http.clients.api.retry=quick");

	@AfterEach
	void close() {
		this.server.close();
	}

	@Test
	void everyAttemptIsAnObservationUnderTheExchange() {
		this.runner.run((context) -> {
			RestClient client = context.getBean(ResilienceHttp.class)
				.restClient(RestClient.builder()
					.requestFactory(new JdkClientHttpRequestFactory())
					.observationRegistry(this.registry), "api")
				.build();
			assertThat(client.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
			Predicate<Observation.ContextView> underTheExchange = (parent) -> "http.client.requests"
				.equals(parent.getName());
			assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo(HttpAttemptObserver.NAME, 2)
				.forAllObservationsWithNameEqualTo(HttpAttemptObserver.NAME, (attempt) -> {
					attempt.hasLowCardinalityKeyValue("client", "api");
					attempt.hasParentObservationContextMatching(underTheExchange);
				});
			assertThat(this.registry).hasObservationWithNameEqualTo(HttpAttemptObserver.NAME)
				.that()
				.hasLowCardinalityKeyValue("outcome", "failure")
				.hasLowCardinalityKeyValue("status", "503")
				.hasHighCardinalityKeyValue("attempt", "1");
		});
	}

	@Test
	void noObservationIsMadeWhenObservationsAreOff() {
		this.runner.withPropertyValues("resilience.observations.enabled=false").run((context) -> {
			RestClient client = context.getBean(ResilienceHttp.class)
				.restClient(RestClient.builder()
					.requestFactory(new JdkClientHttpRequestFactory())
					.observationRegistry(this.registry), "api")
				.build();
			client.get().uri(this.server.url("/a")).retrieve().body(String.class);
			assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo(HttpAttemptObserver.NAME, 0)
				.hasNumberOfObservationsWithNameEqualTo("http.client.requests", 1);
		});
	}

}
