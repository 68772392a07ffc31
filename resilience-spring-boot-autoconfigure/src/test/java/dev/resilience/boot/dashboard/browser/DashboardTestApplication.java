package dev.resilience.boot.dashboard.browser;

import java.util.concurrent.CompletableFuture;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * The application behind the browser tests: Spring MVC (or WebFlux), the dashboard on,
 * the endpoints it reads and writes exposed, and annotated beans for every primitive
 * (some never called, which the page must list all the same). Spring Security is on the
 * test class path; this application lets everything through (the secured one is
 * {@link SecuredDashboardApplication}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class DashboardTestApplication {

	@Bean
	PaymentClient paymentClient() {
		return new PaymentClient();
	}

	@Bean
	InventoryClient inventoryClient() {
		return new InventoryClient();
	}

	@Bean
	PublicApi publicApi() {
		return new PublicApi();
	}

	@Bean
	ReportService reportService() {
		return new ReportService();
	}

	// No user: nothing to sign in with (and no generated password logged).
	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletSecurity {

		@Bean
		SecurityFilterChain everythingOpen(HttpSecurity http) throws Exception {
			http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll()).csrf((csrf) -> csrf.disable());
			return http.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveSecurity {

		@Bean
		SecurityWebFilterChain everythingOpen(ServerHttpSecurity http) {
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

	}

	/** Fails on demand: the breaker's failures are injected through it. */
	static class PaymentClient {

		@CircuitBreaker(name = "payments")
		public String charge(boolean fail) {
			if (fail) {
				throw new IllegalStateException("injected failure");
			}
			return "charged";
		}

	}

	/** Never called by the tests: its instances must be listed all the same. */
	static class InventoryClient {

		@CircuitBreaker(name = "inventory")
		@Retry(name = "inventory")
		public String stock() {
			return "42";
		}

	}

	static class PublicApi {

		@RateLimited(name = "public-api")
		public String call() {
			return "ok";
		}

	}

	static class ReportService {

		@Bulkhead(name = "recommendations")
		public String recommend() {
			return "read this";
		}

		@Bulkhead(name = "reports", type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> report() {
			return CompletableFuture.completedFuture("report");
		}

		@Timeout(name = "slow-report")
		public String slowReport() {
			return "slow";
		}

	}

}
