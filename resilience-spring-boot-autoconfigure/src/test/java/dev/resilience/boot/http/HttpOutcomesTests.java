package dev.resilience.boot.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ConfigCustomizer;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The ready predicates for annotated methods that call a client themselves.
 */
class HttpOutcomesTests {

	private final TestServer server = new TestServer();

	@AfterEach
	void close() {
		this.server.close();
	}

	private static HttpClientErrorException clientError(HttpStatus status) {
		return HttpClientErrorException.create(status, status.getReasonPhrase(), new HttpHeaders(), new byte[0],
				StandardCharsets.UTF_8);
	}

	@Test
	void serverErrorsTimeoutsTooManyRequestsAndConnectionFailuresAreFailuresWorthRetrying() {
		assertThat(HttpOutcomes.isRetryable(HttpServerErrorException.create(HttpStatus.SERVICE_UNAVAILABLE, "",
				new HttpHeaders(), new byte[0], StandardCharsets.UTF_8)))
			.isTrue();
		assertThat(HttpOutcomes.isRetryable(clientError(HttpStatus.REQUEST_TIMEOUT))).isTrue();
		assertThat(HttpOutcomes.isRetryable(clientError(HttpStatus.TOO_MANY_REQUESTS))).isTrue();
		assertThat(HttpOutcomes.isFailure(new ResourceAccessException("refused", new IOException()))).isTrue();
		assertThat(HttpOutcomes.isFailure(
				WebClientResponseException.create(502, "", new HttpHeaders(), new byte[0], StandardCharsets.UTF_8)))
			.isTrue();
	}

	@Test
	void otherClientErrorsAreTheCallersFault() {
		assertThat(HttpOutcomes.isFailure(clientError(HttpStatus.NOT_FOUND))).isFalse();
		assertThat(HttpOutcomes.isRetryable(clientError(HttpStatus.BAD_REQUEST))).isFalse();
		assertThat(HttpOutcomes.isFailure(
				WebClientResponseException.create(409, "", new HttpHeaders(), new byte[0], StandardCharsets.UTF_8)))
			.isFalse();
	}

	@Test
	void annotatedMethodsClassifyAsThePolicySetsDo() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
			.withUserConfiguration(Annotated.class)
			.withPropertyValues("resilience.retry.instances.downstream.wait-duration=10ms",
					"resilience.circuitbreaker.instances.downstream.minimum-number-of-calls=10")
			.run((context) -> {
				Downstream downstream = context.getBean(Downstream.class);
				this.server.answer(404);
				assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
					.isThrownBy(() -> downstream.get(this.server.url("/a")));
				assertThat(this.server.received()).hasSize(1);
				this.server.answer(503).answer(200);
				assertThat(downstream.get(this.server.url("/a"))).isEqualTo("ok");
				assertThat(this.server.received()).hasSize(3);
				var metrics = context.getBean(CircuitBreakerRegistry.class).find("downstream").orElseThrow().metrics();
				// The 404 and the 200 succeeded, the 503 failed.
				assertThat(metrics.failedCalls()).isEqualTo(1);
				assertThat(metrics.successfulCalls()).isEqualTo(2);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Annotated {

		@Bean
		Downstream downstream() {
			return new Downstream();
		}

		@Bean
		ConfigCustomizer<RetryConfig.Builder> downstreamRetry() {
			return ConfigCustomizer.retry("downstream",
					(retry) -> retry.retryOnExceptionPredicate(HttpOutcomes::isRetryable));
		}

		@Bean
		ConfigCustomizer<CircuitBreakerConfig.Builder> downstreamBreaker() {
			return ConfigCustomizer.circuitBreaker("downstream",
					(breaker) -> breaker.recordFailurePredicate(HttpOutcomes::isFailure));
		}

	}

	static class Downstream {

		private final RestClient client = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory())
			.build();

		@Retry(name = "downstream")
		@CircuitBreaker(name = "downstream")
		public String get(String url) {
			return this.client.get().uri(url).retrieve().body(String.class);
		}

	}

}
