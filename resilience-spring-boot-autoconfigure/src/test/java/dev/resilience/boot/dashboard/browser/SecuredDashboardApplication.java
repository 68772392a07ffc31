package dev.resilience.boot.dashboard.browser;

import dev.resilience.boot.dashboard.browser.DashboardTestApplication.PaymentClient;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

import static org.springframework.security.config.Customizer.withDefaults;

/**
 * The browser tests' application with Spring Security guarding the Actuator as
 * docs/operations.md recommends: reads open, writes for the {@code ops} role over HTTP
 * Basic; the dashboard's files are open. With
 * {@code dashboard-test.snapshot-needs-sign-in=true} reading the snapshot needs the role
 * too.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SecuredDashboardApplication {

	@Bean
	PaymentClient paymentClient() {
		return new PaymentClient();
	}

	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("operator").password("{noop}secret").roles("OPS").build());
	}

	@Bean
	@Order(1)
	SecurityFilterChain actuatorSecurity(HttpSecurity http,
			@Value("${dashboard-test.snapshot-needs-sign-in:false}") boolean snapshotNeedsSignIn) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint()).authorizeHttpRequests((requests) -> {
			if (snapshotNeedsSignIn) {
				requests.requestMatchers(EndpointRequest.to("resilience")).hasRole("OPS");
			}
			requests.requestMatchers(HttpMethod.GET).permitAll().anyRequest().hasRole("OPS");
		}).httpBasic(withDefaults()).csrf((csrf) -> csrf.disable());
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain everythingElseOpen(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll());
		return http.build();
	}

}
