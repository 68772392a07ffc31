package dev.resilience.boot.chaos;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.jayway.jsonpath.JsonPath;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code chaos} endpoint over HTTP on a real server: a rule created, changed and
 * removed at run time and the kill switch, each seen by a protected method; a bad field
 * answered 400 naming it; no access unless granted; changes refused while chaos is off.
 */
@Tag("slow")
class ChaosEndpointHttpTests {

	@Test
	void rulesAreCreatedChangedAndRemovedAtRunTimeAndTheKillSwitchStopsThemAll() {
		try (ConfigurableApplicationContext context = start("resilience.chaos.enabled=true",
				"management.endpoint.chaos.access=unrestricted")) {
			RestClient client = client(context);
			assertThat(JsonPath.<Boolean>read(get(client, "/actuator/chaos").getBody(), "$.enabled")).isTrue();
			assertThat(get(client, "/pay").getBody()).isEqualTo("charged");

			ResponseEntity<String> created = post(client, "/actuator/chaos/outage", Map.of("target", "payments",
					"fault", "exception", "exception", "java.io.IOException", "message", "payments down", "rate", 1.0));
			assertThat(created.getStatusCode().value()).as(created.getBody()).isEqualTo(200);
			assertThat(JsonPath.<String>read(created.getBody(), "$.fault")).isEqualTo("exception");
			assertThat(get(client, "/pay").getBody()).isEqualTo("queued: chaos: rule 'outage': payments down");
			String state = get(client, "/actuator/chaos").getBody();
			assertThat(JsonPath.<Integer>read(state, "$.rules.outage.injections")).isOne();
			assertThat(JsonPath.<String>read(state, "$.rules.outage.target")).isEqualTo("payments");
			assertThat(context.getBean(Payments.class).calls()).as("the real method was not invoked").hasValue(1);
			String meter = get(client, "/actuator/metrics/resilience.chaos.injections?tag=rule:outage").getBody();
			assertThat(JsonPath.<Double>read(meter, "$.measurements[0].value")).isEqualTo(1.0);
			String events = get(client, "/actuator/resilienceevents?primitive=chaos").getBody();
			assertThat(JsonPath.<java.util.List<String>>read(events, "$.events[*].type"))
				.containsExactly("CHAOS_INJECTED");
			assertThat(JsonPath.<java.util.List<String>>read(events, "$.events[*].name"))
				.containsExactly("payments.charge");
			assertThat(JsonPath.<java.util.List<String>>read(events, "$.events[*].details.rule"))
				.containsExactly("outage");
			assertThat(JsonPath.<java.util.List<String>>read(events, "$.events[*].details.fault"))
				.containsExactly("exception");

			// Changed: the fields given replace the rule's, the others stay.
			ResponseEntity<String> changed = post(client, "/actuator/chaos/outage", Map.of("rate", 0.0));
			assertThat(JsonPath.<Double>read(changed.getBody(), "$.rate")).isEqualTo(0.0);
			assertThat(JsonPath.<String>read(changed.getBody(), "$.exception")).isEqualTo("java.io.IOException");
			assertThat(get(client, "/pay").getBody()).isEqualTo("charged");

			ResponseEntity<String> bad = post(client, "/actuator/chaos/outage", Map.of("rate", 2));
			assertThat(bad.getStatusCode().value()).isEqualTo(400);
			assertThat(JsonPath.<String>read(bad.getBody(), "$.message")).startsWith("rate:");
			ResponseEntity<String> badLatency = post(client, "/actuator/chaos/slow", Map.of("target", "payments",
					"fault", "latency", "rate", 1, "latencyMin", "2s", "latencyMax", "1s"));
			assertThat(badLatency.getStatusCode().value()).isEqualTo(400);
			assertThat(JsonPath.<String>read(badLatency.getBody(), "$.message")).startsWith("latencyMax:");

			post(client, "/actuator/chaos/outage", Map.of("rate", 1.0));
			ResponseEntity<String> killed = post(client, "/actuator/chaos", Map.of("enabled", false));
			assertThat(killed.getStatusCode().value()).isEqualTo(200);
			assertThat(JsonPath.<Boolean>read(killed.getBody(), "$.enabled")).isFalse();
			assertThat(get(client, "/pay").getBody()).isEqualTo("charged");
			post(client, "/actuator/chaos", Map.of("enabled", true));
			assertThat(get(client, "/pay").getBody()).startsWith("queued: chaos:");

			ResponseEntity<String> removed = client.delete()
				.uri("/actuator/chaos/outage")
				.exchange((request, response) -> ResponseEntity.status(response.getStatusCode())
					.body(new String(response.getBody().readAllBytes())));
			assertThat(removed.getStatusCode().value()).isEqualTo(200);
			assertThat(JsonPath.<Map<String, Object>>read(removed.getBody(), "$.rules")).isEmpty();
			assertThat(get(client, "/pay").getBody()).isEqualTo("charged");
		}
	}

	@Test
	void withoutAccessGrantedTheEndpointIsNotThere() {
		try (ConfigurableApplicationContext context = start("resilience.chaos.enabled=true")) {
			assertThat(get(client(context), "/actuator/chaos").getStatusCode().value()).isEqualTo(404);
		}
	}

	@Test
	void whileChaosIsOffTheEndpointSaysSoAndRefusesChanges() {
		try (ConfigurableApplicationContext context = start("management.endpoint.chaos.access=unrestricted")) {
			RestClient client = client(context);
			assertThat(JsonPath.<Boolean>read(get(client, "/actuator/chaos").getBody(), "$.enabled")).isFalse();
			ResponseEntity<String> refused = post(client, "/actuator/chaos/outage",
					Map.of("target", "payments", "fault", "exception", "exception", "java.io.IOException", "rate", 1));
			assertThat(refused.getStatusCode().value()).isEqualTo(409);
			assertThat(JsonPath.<String>read(refused.getBody(), "$.message")).contains("resilience.chaos.enabled");
			assertThat(post(client, "/actuator/chaos", Map.of("enabled", true)).getStatusCode().value()).isEqualTo(409);
		}
	}

	private static ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(App.class)
			.properties("server.port=0", "spring.main.banner-mode=off",
					"management.endpoints.web.exposure.include=chaos,metrics,resilienceevents")
			.properties(properties)
			.run();
	}

	private static RestClient client(ConfigurableApplicationContext context) {
		return RestClient.builder()
			.baseUrl("http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort())
			.build();
	}

	private static ResponseEntity<String> get(RestClient client, String path) {
		try {
			return client.get().uri(path).retrieve().toEntity(String.class);
		}
		catch (HttpStatusCodeException ex) {
			return ResponseEntity.status(ex.getStatusCode()).body(ex.getResponseBodyAsString());
		}
	}

	private static ResponseEntity<String> post(RestClient client, String path, Map<String, Object> body) {
		try {
			return client.post()
				.uri(path)
				.contentType(MediaType.APPLICATION_JSON)
				.body(body)
				.retrieve()
				.toEntity(String.class);
		}
		catch (HttpStatusCodeException ex) {
			return ResponseEntity.status(ex.getStatusCode()).body(ex.getResponseBodyAsString());
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Front.class)
	static class App {

		@Bean
		Payments payments() {
			return new Payments();
		}

		@Bean
		org.springframework.security.web.SecurityFilterChain openToAll(
				org.springframework.security.config.annotation.web.builders.HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

	}

	@RestController
	static class Front {

		private final Payments payments;

		Front(Payments payments) {
			this.payments = payments;
		}

		@GetMapping("/pay")
		String pay() throws IOException {
			return this.payments.charge();
		}

	}

	static class Payments {

		private final AtomicInteger calls = new AtomicInteger();

		@CircuitBreaker(name = "payments")
		@Fallback(method = "queue")
		public String charge() throws IOException {
			this.calls.incrementAndGet();
			return "charged";
		}

		public AtomicInteger calls() {
			return this.calls;
		}

		String queue(IOException failure) {
			return "queued: " + failure.getMessage();
		}

	}

}
