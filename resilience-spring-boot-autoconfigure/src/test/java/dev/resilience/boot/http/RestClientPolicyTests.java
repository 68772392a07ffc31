package dev.resilience.boot.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The policy sets applied to a {@code RestClient} against a real HTTP server on loopback.
 */
class RestClientPolicyTests {

	private final TestServer server = new TestServer();

	private final TestServer other = new TestServer();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceHttpAutoConfiguration.class))
		.withPropertyValues("resilience.retry.instances.quick.max-attempts=3",
				"resilience.retry.instances.quick.wait-duration=10ms");

	@AfterEach
	void close() {
		this.server.close();
		this.other.close();
	}

	private static RestClient client(ResilienceHttp http, String set) {
		return http.restClient(RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()), set).build();
	}

	@Test
	void a503WithRetryAfterIsRetriedNoSoonerThanItAsks() {
		this.server.answer(503, Map.of("Retry-After", "1"), Duration.ZERO).answer(200);
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class), "api");
			assertThat(client.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
			assertThat(this.server.received()).hasSize(2);
			long gap = this.server.received().get(1).atNanos() - this.server.received().get(0).atNanos();
			// The retry's own wait is 10 ms: only the header explains a second.
			assertThat(gap).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
		});
	}

	@Test
	void aRetryAfterLongerThanTheRetrysMaximumWaitEndsTheRetryWithTheResponse() {
		this.server.answer(503, Map.of("Retry-After", "120"), Duration.ZERO).answer(200);
		this.runner
			.withPropertyValues("resilience.retry.instances.quick.exponential-max-wait-duration=5s",
					"resilience.http.clients.api.retry=quick")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
					.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
				assertThat(this.server.received()).hasSize(1);
			});
	}

	@Test
	void a404IsNeitherRetriedNorCountedAsAFailureByTheBreaker() {
		this.server.answer(404);
		this.runner.withPropertyValues("resilience.http.clients.api.preset=standard").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class), "api");
			assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
				.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
			assertThat(this.server.received()).hasSize(1);
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("http.api").orElseThrow();
			assertThat(breaker.metrics().failedCalls()).isZero();
			assertThat(breaker.metrics().successfulCalls()).isEqualTo(1);
		});
	}

	@Test
	void a503IsRetriedAndCountedAsAFailureByTheBreaker() {
		this.server.answer(503).answer(200);
		this.runner
			.withPropertyValues("resilience.http.clients.api.preset=standard",
					"resilience.http.clients.api.retry=quick")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				assertThat(client.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
				assertThat(this.server.received()).hasSize(2);
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("http.api").orElseThrow();
				assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
				assertThat(breaker.metrics().successfulCalls()).isEqualTo(1);
			});
	}

	@Test
	void aPostIsNotRetriedWithoutAnIdempotencyKey() {
		this.server.answer(503).answer(200);
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class), "api");
			assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
				.isThrownBy(() -> client.post().uri(this.server.url("/a")).body("x").retrieve().body(String.class));
			assertThat(this.server.received()).hasSize(1);
		});
	}

	@Test
	void aPostWithAnIdempotencyKeyIsRetried() {
		this.server.answer(503).answer(200);
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class), "api");
			assertThat(client.post()
				.uri(this.server.url("/a"))
				.header("Idempotency-Key", "order-17")
				.body("x")
				.retrieve()
				.body(String.class)).isEqualTo("ok");
			assertThat(this.server.received()).extracting(TestServer.Received::method).containsExactly("POST", "POST");
			assertThat(this.server.received().get(1).header("Idempotency-Key")).isEqualTo("order-17");
		});
	}

	@Test
	void aPostIsRetriedWhenTheSetRetriesNonIdempotentCalls() {
		this.server.answer(503).answer(200);
		this.runner
			.withPropertyValues("resilience.http.clients.api.retry=quick",
					"resilience.http.clients.api.retry-non-idempotent=true")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				assertThat(client.patch().uri(this.server.url("/a")).body("x").retrieve().body(String.class))
					.isEqualTo("ok");
				assertThat(this.server.received()).hasSize(2);
			});
	}

	@Test
	void failureAndRetryStatusesAreConfigurable() {
		this.server.answer(500).answer(200);
		this.runner
			.withPropertyValues("resilience.http.clients.api.retry=quick",
					"resilience.http.clients.api.failure-statuses=5xx,404",
					"resilience.http.clients.api.retry-statuses=503,404")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				// 500: a failure, but not one to retry.
				assertThatExceptionOfType(HttpServerErrorException.InternalServerError.class)
					.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
				assertThat(this.server.received()).hasSize(1);
				this.other.answer(404).answer(200);
				assertThat(client.get().uri(this.other.url("/b")).retrieve().body(String.class)).isEqualTo("ok");
				assertThat(this.other.received()).hasSize(2);
			});
	}

	@Test
	void aConnectionFailureIsRetried() {
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class), "api");
			String closed = this.other.url("/a");
			this.other.close();
			assertThat(context.getBean(dev.resilience.retry.RetryRegistry.class)
				.find("http.api")
				.orElseThrow()
				.metrics()
				.failedCallsWithRetry()).isZero();
			assertThatExceptionOfType(org.springframework.web.client.ResourceAccessException.class)
				.isThrownBy(() -> client.get().uri(closed).retrieve().body(String.class));
			assertThat(context.getBean(dev.resilience.retry.RetryRegistry.class)
				.find("http.api")
				.orElseThrow()
				.metrics()
				.failedCallsWithRetry()).isEqualTo(1);
		});
	}

	@Test
	void perHostBreakersIsolateTwoHosts() {
		this.server.answer(500);
		this.other.answer(200);
		this.runner.withPropertyValues("resilience.circuitbreaker.instances.edge.sliding-window-size=2",
				"resilience.circuitbreaker.instances.edge.minimum-number-of-calls=2",
				"resilience.http.clients.api.circuit-breaker=edge", "resilience.http.clients.api.breaker-per-host=true")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				for (int i = 0; i < 2; i++) {
					assertThatExceptionOfType(HttpServerErrorException.class)
						.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
				}
				assertThatExceptionOfType(CallNotPermittedException.class)
					.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
				assertThat(this.server.received()).hasSize(2);
				assertThat(client.get().uri(this.other.url("/b")).retrieve().body(String.class)).isEqualTo("ok");
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				String failing = "edge@" + HttpPolicySet.host(java.net.URI.create(this.server.url()));
				String healthy = "edge@" + HttpPolicySet.host(java.net.URI.create(this.other.url()));
				assertThat(breakers.find(failing).orElseThrow().state()).isEqualTo(CircuitBreaker.State.OPEN);
				assertThat(breakers.find(healthy).orElseThrow().state()).isEqualTo(CircuitBreaker.State.CLOSED);
				// The named breaker itself is untouched: each host has its own.
				assertThat(breakers.find("edge").orElseThrow().metrics().failedCalls()).isZero();
			});
	}

	@Test
	void anAttemptTimeoutCutsOneAttemptAndTheRetryTriesAgain() {
		this.server.answer(200, Map.of(), Duration.ofSeconds(5)).answer(200);
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick",
				"resilience.http.clients.api.attempt-timeout=300ms", "resilience.http.clients.api.total-timeout=10s")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				assertThat(client.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
				assertThat(this.server.received()).hasSize(2);
			});
	}

	@Test
	void aTotalTimeoutCutsTheWholeCallWhateverTheAttemptsLeft() {
		this.server.answer(200, Map.of(), Duration.ofSeconds(5));
		this.runner.withPropertyValues("resilience.http.clients.api.retry=quick",
				"resilience.http.clients.api.attempt-timeout=10s", "resilience.http.clients.api.total-timeout=300ms")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class), "api");
				assertThatExceptionOfType(TimeoutExceededException.class)
					.isThrownBy(() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class))
					.satisfies((ex) -> assertThat(ex.instanceName()).isEqualTo("http.api.total"));
				assertThat(this.server.received()).hasSize(1);
			});
	}

	@Test
	void theStandardPresetBuildsItsStagesInItsOrder() {
		this.runner.withPropertyValues("resilience.http.clients.api.preset=standard").run((context) -> {
			HttpPolicySet set = context.getBean(ResilienceHttp.class).set("api");
			assertThat(set.outer().stages()).containsExactly(dev.resilience.pipeline.Pipeline.Stage.TIMEOUT);
			assertThat(set.outer().timeout().config().timeoutDuration()).isEqualTo(Duration.ofSeconds(30));
			dev.resilience.pipeline.Pipeline inner = set.inner(java.net.URI.create("http://x"), true);
			assertThat(inner.stages()).containsExactly(dev.resilience.pipeline.Pipeline.Stage.RETRY,
					dev.resilience.pipeline.Pipeline.Stage.CIRCUIT_BREAKER,
					dev.resilience.pipeline.Pipeline.Stage.TIMEOUT);
			assertThat(inner.timeout().config().timeoutDuration()).isEqualTo(Duration.ofSeconds(10));
			assertThat(inner.retry().config().maxAttempts()).isEqualTo(3);
			assertThat(inner.retry().config().exponentialBackoffMultiplier()).isGreaterThan(1.0);
			assertThat(inner.retry().config().randomizedWaitFactor()).isGreaterThan(0.0);
			assertThat(set.inner(java.net.URI.create("http://x"), false).stages()).containsExactly(
					dev.resilience.pipeline.Pipeline.Stage.CIRCUIT_BREAKER,
					dev.resilience.pipeline.Pipeline.Stage.TIMEOUT);
		});
	}

	@Test
	void theStandardPresetsValuesAreOverridable() {
		this.runner
			.withPropertyValues("resilience.ratelimiter.instances.slow.limit-for-period=5",
					"resilience.http.clients.api.preset=standard", "resilience.http.clients.api.rate-limiter=slow",
					"resilience.http.clients.api.total-timeout=5s", "resilience.http.clients.api.attempt-timeout=1s",
					"resilience.http.clients.api.retry=quick")
			.run((context) -> {
				HttpPolicySet set = context.getBean(ResilienceHttp.class).set("api");
				assertThat(set.outer().stages()).containsExactly(dev.resilience.pipeline.Pipeline.Stage.RATE_LIMITER,
						dev.resilience.pipeline.Pipeline.Stage.TIMEOUT);
				assertThat(set.outer().timeout().config().timeoutDuration()).isEqualTo(Duration.ofSeconds(5));
				dev.resilience.pipeline.Pipeline inner = set.inner(java.net.URI.create("http://x"), true);
				assertThat(inner.timeout().config().timeoutDuration()).isEqualTo(Duration.ofSeconds(1));
				assertThat(inner.retry().config().waitDuration()).isEqualTo(Duration.ofMillis(10));
			});
	}

}
