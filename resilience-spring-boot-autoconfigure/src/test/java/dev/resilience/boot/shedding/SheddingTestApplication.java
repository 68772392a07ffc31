package dev.resilience.boot.shedding;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.limit.AdaptiveLimit;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application behind the load-shedding tests over HTTP: every auto-configuration,
 * Spring Security (on the test class path) letting every request through, a pinned limit
 * of {@code test.shedding.limit} as the {@code resilienceSheddingLimit} bean, and slow
 * endpoints (their work is a sleep: the requests must overlap).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SheddingTestApplication {

	/** What the reactive {@code /hold} requests wait for; replaced by each test. */
	static final AtomicReference<CompletableFuture<String>> GATE = new AtomicReference<>(new CompletableFuture<>());

	@Bean
	AdaptiveLimit resilienceSheddingLimit(@Value("${test.shedding.limit}") int limit) {
		return new PinnedLimit(limit);
	}

	static String work(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return "done";
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletSide {

		@Bean
		SecurityFilterChain openToAll(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		@RestController
		static class Endpoints {

			@GetMapping("/cheap")
			String cheap() {
				return work(Duration.ofMillis(100));
			}

			@GetMapping("/orders/{id}")
			String order() {
				return work(Duration.ofMillis(20));
			}

			@GetMapping("/async")
			Callable<String> async() {
				return () -> work(Duration.ofMillis(20));
			}

			@GetMapping("/boom")
			String boom() {
				throw new IllegalStateException("boom");
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveSide {

		@Bean
		SecurityWebFilterChain openToAll(ServerHttpSecurity http) {
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		@RestController
		static class Endpoints {

			@GetMapping("/hold")
			Mono<String> hold() {
				return Mono.fromFuture(GATE.get());
			}

			@GetMapping("/quick")
			Mono<String> quick() {
				return Mono.just("quick");
			}

		}

	}

}
