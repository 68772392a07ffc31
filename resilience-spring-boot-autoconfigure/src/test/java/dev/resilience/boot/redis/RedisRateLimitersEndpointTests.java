package dev.resilience.boot.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /actuator/ratelimiters} over HTTP for a Redis-backed limiter beside a local
 * one: the fields that only apply to Redis are there for it, and absent (not
 * {@code null}) for the local one.
 */
@Tag("redis")
@Timeout(120)
class RedisRateLimitersEndpointTests {

	private static RedisServer server;

	private static ConfigurableApplicationContext application;

	private static final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void startApplication() {
		server = RedisServer.start();
		application = new SpringApplicationBuilder(EndpointApplication.class)
			.properties("server.port=0", "spring.main.banner-mode=off", "logging.level.root=warn",
					"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
					"management.endpoints.web.exposure.include=ratelimiters",
					"resilience.ratelimiter.instances.shared.backend=redis",
					"resilience.ratelimiter.instances.shared.limit-for-period=5",
					"resilience.ratelimiter.instances.shared.max-keys=700",
					"resilience.ratelimiter.instances.own.limit-for-period=5",
					"resilience.ratelimiter.instances.own.max-keys=300")
			.run();
	}

	@AfterAll
	static void stopApplication() throws Exception {
		try {
			if (application != null) {
				application.close();
			}
		}
		finally {
			if (server != null) {
				server.close();
			}
		}
	}

	@Test
	void aRedisLimiterShowsBackendAvailableAndALocalOneLeavesItOut() throws Exception {
		String body = get("ratelimiters");
		Map<String, Object> shared = JsonPath.read(body, "$.rateLimiters.shared");
		assertThat(shared).containsEntry("backend", "redis").containsEntry("backendAvailable", true);
		assertThat(JsonPath.<Map<String, Object>>read(body, "$.rateLimiters.shared.config")).containsEntry("maxKeys",
				700);
		Map<String, Object> own = JsonPath.read(body, "$.rateLimiters.own");
		assertThat(own).containsEntry("backend", "local").doesNotContainKey("backendAvailable");
		assertThat(JsonPath.<Map<String, Object>>read(body, "$.rateLimiters.own.config")).containsEntry("maxKeys", 300);
		String one = get("ratelimiters/own");
		assertThat(JsonPath.<Map<String, Object>>read(one, "$")).doesNotContainKey("backendAvailable");
		assertThat(one).doesNotContain("null");
	}

	private static String get(String path) throws Exception {
		int port = Integer.parseInt(application.getEnvironment().getRequiredProperty("local.server.port"));
		HttpResponse<String> response = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/" + path))
				.timeout(Duration.ofSeconds(10))
				.header("Accept", "application/json")
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class EndpointApplication {

		@Bean
		SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
			return http.build();
		}

	}

}
