package dev.resilience.boot.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.reactive.function.client.support.WebClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The policy sets applied to a {@code WebClient} by its exchange filter, against a real
 * HTTP server on loopback: the same semantics as on {@code RestClient}.
 */
class WebClientPolicyTests {

	private static final Duration BLOCK = Duration.ofSeconds(20);

	private final TestServer server = new TestServer();

	private final TestServer other = new TestServer();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
				ResilienceHttpAutoConfiguration.class, WebClientAutoConfiguration.class))
		.withPropertyValues("resilience.retry.instances.quick.max-attempts=3",
				"resilience.retry.instances.quick.wait-duration=10ms", "resilience.http.clients.api.retry=quick");

	@AfterEach
	void close() {
		this.server.close();
		this.other.close();
	}

	private static WebClient client(ResilienceWebClient http) {
		return http.webClient(WebClient.builder(), "api").build();
	}

	private static Mono<String> get(WebClient client, String url) {
		return client.get().uri(url).retrieve().bodyToMono(String.class);
	}

	@Test
	void a503WithRetryAfterIsRetriedNoSoonerThanItAsks() {
		this.server.answer(503, Map.of("Retry-After", "1"), Duration.ZERO).answer(200);
		this.runner.run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThat(get(client, this.server.url("/a")).block(BLOCK)).isEqualTo("ok");
			assertThat(this.server.received()).hasSize(2);
			long gap = this.server.received().get(1).atNanos() - this.server.received().get(0).atNanos();
			assertThat(gap).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
		});
	}

	@Test
	void theLastFailureResponseReachesTheCallerWithItsBody() {
		this.server.answer(503);
		this.runner.run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
				.isThrownBy(() -> get(client, this.server.url("/a")).block(BLOCK))
				.satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).isEqualTo("status 503"));
			assertThat(this.server.received()).hasSize(3);
		});
	}

	@Test
	void a404IsNeitherRetriedNorCountedAsAFailureByTheBreaker() {
		this.server.answer(404);
		this.runner.withPropertyValues("resilience.http.clients.api.preset=standard").run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThatExceptionOfType(WebClientResponseException.NotFound.class)
				.isThrownBy(() -> get(client, this.server.url("/a")).block(BLOCK));
			assertThat(this.server.received()).hasSize(1);
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("http.api").orElseThrow();
			assertThat(breaker.metrics().failedCalls()).isZero();
			assertThat(breaker.metrics().successfulCalls()).isEqualTo(1);
		});
	}

	@Test
	void aPostIsRetriedOnlyWithAnIdempotencyKey() {
		this.server.answer(503).answer(200).answer(503).answer(200);
		this.runner.run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
				.isThrownBy(() -> client.post()
					.uri(this.server.url("/a"))
					.bodyValue("x")
					.retrieve()
					.bodyToMono(String.class)
					.block(BLOCK));
			assertThat(this.server.received()).hasSize(1);
			// The 200 that was not asked for is the next answer: drain it.
			assertThat(get(client, this.server.url("/a")).block(BLOCK)).isEqualTo("ok");
			assertThat(client.post()
				.uri(this.server.url("/a"))
				.header("Idempotency-Key", "order-17")
				.bodyValue("x")
				.retrieve()
				.bodyToMono(String.class)
				.block(BLOCK)).isEqualTo("ok");
			assertThat(this.server.received()).hasSize(4);
		});
	}

	@Test
	void perHostBreakersIsolateTwoHosts() {
		this.server.answer(500);
		this.other.answer(200);
		this.runner
			.withPropertyValues("resilience.circuitbreaker.instances.edge.sliding-window-size=2",
					"resilience.circuitbreaker.instances.edge.minimum-number-of-calls=2",
					"resilience.http.clients.hosts.circuit-breaker=edge",
					"resilience.http.clients.hosts.breaker-per-host=true")
			.run((context) -> {
				WebClient client = context.getBean(ResilienceWebClient.class)
					.webClient(WebClient.builder(), "hosts")
					.build();
				for (int i = 0; i < 2; i++) {
					assertThatExceptionOfType(WebClientResponseException.class)
						.isThrownBy(() -> get(client, this.server.url("/a")).block(BLOCK));
				}
				assertThatExceptionOfType(CallNotPermittedException.class)
					.isThrownBy(() -> get(client, this.server.url("/a")).block(BLOCK));
				assertThat(get(client, this.other.url("/b")).block(BLOCK)).isEqualTo("ok");
				assertThat(this.server.received()).hasSize(2);
			});
	}

	@Test
	void anAttemptTimeoutCutsOneAttemptAndATotalTimeoutTheWholeCall() {
		this.server.answer(200, Map.of(), Duration.ofSeconds(5)).answer(200);
		this.runner.withPropertyValues("resilience.http.clients.api.attempt-timeout=300ms").run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThat(get(client, this.server.url("/a")).block(BLOCK)).isEqualTo("ok");
			assertThat(this.server.received()).hasSize(2);
		});
		this.other.answer(200, Map.of(), Duration.ofSeconds(5));
		this.runner.withPropertyValues("resilience.http.clients.api.total-timeout=300ms").run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThatExceptionOfType(TimeoutExceededException.class)
				.isThrownBy(() -> get(client, this.other.url("/a")).block(BLOCK))
				.satisfies((ex) -> assertThat(ex.instanceName()).isEqualTo("http.api.total"));
			assertThat(this.other.received()).hasSize(1);
		});
	}

	@Test
	void everyAttemptCarriesTheBudgetOfTheReactorContextsDeadline() {
		this.server.answer(503).answer(200);
		this.runner.run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			String body = get(client, this.server.url("/a"))
				.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofSeconds(2))))
				.block(BLOCK);
			assertThat(body).isEqualTo("ok");
			long first = Long.parseLong(this.server.received().get(0).header("X-Request-Timeout-Ms"));
			long second = Long.parseLong(this.server.received().get(1).header("X-Request-Timeout-Ms"));
			assertThat(first).isPositive().isLessThanOrEqualTo(2000 - 10);
			assertThat(second).isPositive().isLessThan(first);
		});
	}

	@Test
	void theDeadlineCurrentAtSubscriptionIsUsedWithoutOneInTheContext() throws Exception {
		this.runner.run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			Deadline.within(Duration.ofSeconds(2), () -> get(client, this.server.url("/a")).block(BLOCK));
			assertThat(Long.parseLong(this.server.received().get(0).header("X-Request-Timeout-Ms"))).isPositive()
				.isLessThanOrEqualTo(2000);
		});
	}

	@Test
	void nothingIsSentUnderEnforceWhenNothingIsLeftAndTheWaitIsBounded() {
		this.other.answer(200, Map.of(), Duration.ofSeconds(5));
		this.runner.withPropertyValues("resilience.deadline.mode=enforce", "resilience.deadline.outbound-margin=1s")
			.run((context) -> {
				WebClient client = client(context.getBean(ResilienceWebClient.class));
				assertThatExceptionOfType(DeadlineExceededException.class)
					.isThrownBy(() -> get(client, this.server.url("/a"))
						.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(500))))
						.block(BLOCK))
					.satisfies((ex) -> assertThat(ex.stage()).isEqualTo(DeadlineStage.HTTP_CLIENT));
				assertThat(this.server.received()).isEmpty();
			});
		this.runner.withPropertyValues("resilience.deadline.mode=enforce").run((context) -> {
			WebClient client = client(context.getBean(ResilienceWebClient.class));
			assertThatExceptionOfType(DeadlineExceededException.class)
				.isThrownBy(() -> get(client, this.other.url("/a"))
					.contextWrite(Context.of(Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(300))))
					.block(BLOCK))
				.satisfies((ex) -> assertThat(ex.stage()).isEqualTo(DeadlineStage.HTTP_CLIENT));
			assertThat(this.other.received()).hasSize(1);
		});
	}

	@Test
	void aSetAppliesByQualifierAndByBaseUrl() {
		this.server.answer(503).answer(200);
		this.other.answer(503).answer(200);
		this.runner
			.withPropertyValues("resilience.http.clients.api.qualifiers=payments",
					"resilience.http.clients.byurl.retry=quick",
					"resilience.http.clients.byurl.base-urls=" + this.other.url("/api"))
			.withUserConfiguration(QualifiedClients.class)
			.run((context) -> {
				WebClient payments = context.getBean("paymentsClient", WebClient.class);
				assertThat(get(payments, this.server.url("/a")).block(BLOCK)).isEqualTo("ok");
				WebClient auto = context.getBean(WebClient.Builder.class).build();
				assertThat(get(auto, this.other.url("/api/a")).block(BLOCK)).isEqualTo("ok");
				assertThat(this.other.received()).hasSize(2);
				try (TestServer elsewhere = new TestServer().answer(503).answer(200)) {
					assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
						.isThrownBy(() -> get(auto, elsewhere.url("/api/a")).block(BLOCK));
					assertThat(elsewhere.received()).hasSize(1);
				}
			});
	}

	@Test
	void anHttpInterfaceClientOnSuchAClientGetsTheSet() {
		this.server.answer(503).answer(200);
		this.runner.run((context) -> {
			WebClient client = context.getBean(ResilienceWebClient.class)
				.webClient(WebClient.builder(), "api")
				.baseUrl(this.server.url())
				.build();
			Things things = HttpServiceProxyFactory.builderFor(WebClientAdapter.create(client))
				.build()
				.createClient(Things.class);
			assertThat(things.thing().block(BLOCK)).isEqualTo("ok");
			assertThat(this.server.received()).extracting(TestServer.Received::path)
				.containsExactly("/thing", "/thing");
		});
	}

	interface Things {

		@GetExchange("/thing")
		Mono<String> thing();

	}

	@Configuration(proxyBeanMethods = false)
	static class QualifiedClients {

		@Bean
		@Qualifier("payments")
		WebClient paymentsClient() {
			return WebClient.builder().build();
		}

	}

}
