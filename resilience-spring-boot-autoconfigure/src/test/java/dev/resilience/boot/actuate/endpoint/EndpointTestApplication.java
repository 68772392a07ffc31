package dev.resilience.boot.actuate.endpoint;

import java.time.Instant;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

import static org.springframework.security.config.Customizer.withDefaults;

/**
 * The application behind the HTTP endpoint tests: every auto-configuration, fake time for
 * the primitives and for the events' timestamps, and the Actuator security chain the
 * documentation recommends (reads open, writes for authenticated users over HTTP basic).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class EndpointTestApplication {

	@Bean
	FakeTicker ticker() {
		return new FakeTicker();
	}

	@Bean
	ManualScheduler scheduler(FakeTicker ticker) {
		return new ManualScheduler(ticker);
	}

	/** The application's clock, which stamps the recent events. */
	@Bean
	FakeClock clock() {
		return new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
	}

	@Bean
	SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeHttpRequests(
					(requests) -> requests.requestMatchers(HttpMethod.GET).permitAll().anyRequest().authenticated())
			.httpBasic(withDefaults())
			// Stateless clients (curl, scripts) authenticate every request: no session to
			// protect with a CSRF token.
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

}
