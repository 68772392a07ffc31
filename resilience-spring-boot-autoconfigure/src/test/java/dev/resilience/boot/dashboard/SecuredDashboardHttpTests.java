package dev.resilience.boot.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Security chain docs/operations.md gives for the dashboard, on a separate
 * management port: reads for operators, actions for admins, HTTP Basic answering 401
 * without a login prompt to the page's XMLHttpRequest-marked requests, and the CSRF token
 * from the {@code XSRF-TOKEN} cookie sent back as {@code X-XSRF-TOKEN}.
 */
@SpringBootTest(classes = SecuredDashboardHttpTests.SecuredApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true",
				"management.endpoints.web.exposure.include=health,resilience,circuitbreakers",
				"management.server.port=0", "resilience.circuitbreaker.instances.payments.sliding-window-size=10",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class SecuredDashboardHttpTests {

	private static final Pattern XSRF_COOKIE = Pattern.compile("XSRF-TOKEN=([^;]+)");

	private static final HttpClient client = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@LocalManagementPort
	private int managementPort;

	@Test
	void asksABrowserForCredentialsOnThePageButNotThePagesOwnRequests() {
		HttpResponse<String> page = send(request("/resilience/", null).GET());
		assertThat(page.statusCode()).isEqualTo(401);
		assertThat(page.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((value) -> value.startsWith("Basic"));
		HttpResponse<String> snapshot = send(request("/actuator/resilience", null).GET());
		assertThat(snapshot.statusCode()).isEqualTo(401);
		assertThat(snapshot.headers().firstValue("WWW-Authenticate")).isEmpty();
	}

	@Test
	void letsAnOperatorReadButNotAct() {
		HttpResponse<String> page = send(request("/resilience/", "operator").GET());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(send(request("/actuator/resilience", "operator").GET()).statusCode()).isEqualTo(200);
		String token = xsrfToken(page);
		assertThat(forceOpen("operator", token).statusCode()).isEqualTo(403);
		assertThat(forceOpen(null, token).statusCode()).isEqualTo(401);
	}

	@Test
	void letsAnAdminActWithTheTokenFromTheCookie() {
		String token = xsrfToken(send(request("/resilience/", "admin").GET()));
		assertThat(forceOpen("admin", null).statusCode()).as("without the token").isEqualTo(403);
		HttpResponse<String> forced = forceOpen("admin", token);
		assertThat(forced.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(forced.body(), "$.state")).isEqualTo("FORCED_OPEN");
		HttpResponse<String> closed = send(withToken(request("/actuator/circuitbreakers/payments", "admin"), token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"CLOSED\"}")));
		assertThat(closed.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(closed.body(), "$.state")).isEqualTo("CLOSED");
	}

	private HttpResponse<String> forceOpen(@Nullable String user, @Nullable String token) {
		return send(withToken(request("/actuator/circuitbreakers/payments", user), token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"FORCED_OPEN\"}")));
	}

	private static HttpRequest.Builder withToken(HttpRequest.Builder request, @Nullable String token) {
		return (token != null) ? request.header("X-XSRF-TOKEN", token).header("Cookie", "XSRF-TOKEN=" + token)
				: request;
	}

	private static String xsrfToken(HttpResponse<String> response) {
		String cookie = response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((value) -> value.startsWith("XSRF-TOKEN="))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie in " + response.headers()));
		assertThat(cookie).doesNotContainIgnoringCase("HttpOnly");
		Matcher matcher = XSRF_COOKIE.matcher(cookie);
		assertThat(matcher.find()).isTrue();
		return matcher.group(1);
	}

	/** As the page sends them: marked as XMLHttpRequest. */
	private HttpRequest.Builder request(String path, @Nullable String user) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.managementPort + path))
			.timeout(Duration.ofSeconds(10));
		if (!path.equals("/resilience/")) {
			request.header("X-Requested-With", "XMLHttpRequest");
		}
		if (user != null) {
			String credentials = user + ":" + user + "-password";
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return request;
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SecuredApplication {

		/** As in docs/operations.md, "Dashboard: serving and access". */
		@Bean
		SecurityFilterChain dashboardSecurity(HttpSecurity http) throws Exception {
			http.securityMatchers((matchers) -> matchers.requestMatchers(EndpointRequest.toAnyEndpoint())
				.requestMatchers("/resilience", "/resilience/**"))
				.authorizeHttpRequests((requests) -> requests.requestMatchers(HttpMethod.GET)
					.hasAnyRole("OPERATOR", "ADMIN")
					.anyRequest()
					.hasRole("ADMIN"))
				.httpBasic(Customizer.withDefaults())
				.csrf((csrf) -> csrf.spa());
			return http.build();
		}

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("operator").password("{noop}operator-password").roles("OPERATOR").build(),
					User.withUsername("admin").password("{noop}admin-password").roles("ADMIN").build());
		}

	}

}
