package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code retries} endpoint over HTTP.
 */
@EndpointTest
class RetriesEndpointTests {

	private static final RetryConfig THREE_ATTEMPTS = RetryConfig.builder()
		.maxAttempts(3)
		.waitDuration(Duration.ofMillis(10))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private RetryRegistry registry;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void listsEveryRetryWithCountersAndConfiguration() {
		Retry retry = this.registry.instance("rt-list", THREE_ATTEMPTS);
		// Succeeds at once; succeeds at the second attempt; fails three times.
		assertThat(retry.onResult(1, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isPositive();
		assertThat(retry.onResult(2, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(1, new IOException())).isPositive();
		assertThat(retry.onFailure(2, new IOException())).isPositive();
		assertThat(retry.onFailure(3, new IOException())).isEqualTo(Retry.NO_RETRY);
		ActuatorClient.Response response = this.actuator.get("retries");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.retries['rt-list']")).containsEntry("name", "rt-list")
			.containsEntry("successfulCallsWithoutRetry", 1)
			.containsEntry("successfulCallsWithRetry", 1)
			.containsEntry("failedCallsWithoutRetry", 0)
			.containsEntry("failedCallsWithRetry", 1)
			.containsEntry("budgetTokens", -1.0);
		assertThat(response.<Map<String, Object>>read("$.retries.orders.config")).containsEntry("maxAttempts", 4)
			.containsEntry("waitDuration", "PT0.1S")
			.containsEntry("exponentialBackoffMultiplier", 1.0)
			.containsEntry("retryOnRejection", false)
			.containsEntry("budgetMaxTokens", 0);
	}

	@Test
	void describesOneRetryAndAnswers404ForAnUnknownOneWithoutCreatingIt() {
		this.registry.instance("rt-detail", THREE_ATTEMPTS);
		ActuatorClient.Response response = this.actuator.get("retries/rt-detail");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Integer>read("$.config.maxAttempts")).isEqualTo(3);
		ActuatorClient.Response unknown = this.actuator.get("retries/rt-unknown");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.<String>read("$.message")).isEqualTo("No retry named 'rt-unknown'");
		assertThat(this.registry.find("rt-unknown")).isEmpty();
	}

	@Test
	void hasNoWriteOperation() {
		this.registry.instance("rt-write", THREE_ATTEMPTS);
		assertThat(this.actuator.post("retries/rt-write", "{\"maxAttempts\":5}").status()).isEqualTo(405);
		assertThat(this.registry.find("rt-write").get().config().maxAttempts()).isEqualTo(3);
	}

}
