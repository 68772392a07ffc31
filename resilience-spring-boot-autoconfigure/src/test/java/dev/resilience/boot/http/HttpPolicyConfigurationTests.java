package dev.resilience.boot.http;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Startup checks of {@code resilience.http.clients.*}: what cannot work fails startup
 * naming the property and the value.
 */
class HttpPolicyConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceHttpAutoConfiguration.class));

	private static AbstractThrowableAssert<?, ? extends Throwable> startupFailure(
			AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		while (failure != null && !(failure instanceof ResilienceConfigurationException)) {
			failure = failure.getCause();
		}
		return assertThat(failure).isInstanceOf(ResilienceConfigurationException.class);
	}

	private static String subject(AssertableApplicationContext context) {
		Throwable failure = context.getStartupFailure();
		while (!(failure instanceof ResilienceConfigurationException)) {
			failure = failure.getCause();
		}
		return ((ResilienceConfigurationException) failure).subject();
	}

	@Test
	void aSetNeedsNoBaseUrlOrQualifierToStart() {
		this.runner.withPropertyValues("resilience.http.clients.api.preset=standard").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ResilienceHttp.class).names()).containsExactly("api");
		});
	}

	@Test
	void anUnknownPresetFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.preset=sturdy").run((context) -> {
			startupFailure(context).hasMessageContaining("'sturdy'");
			assertThat(subject(context)).isEqualTo("resilience.http.clients.api.preset");
		});
	}

	@Test
	void anUnknownRetryFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.retry=nope").run((context) -> {
			startupFailure(context).hasMessageContaining("'nope'");
			assertThat(subject(context)).isEqualTo("resilience.http.clients.api.retry");
		});
	}

	@Test
	void anUnknownCircuitBreakerRateLimiterOrBulkheadFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.circuit-breaker=nope")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.circuit-breaker"));
		this.runner.withPropertyValues("resilience.http.clients.api.rate-limiter=nope")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.rate-limiter"));
		this.runner.withPropertyValues("resilience.http.clients.api.bulkhead=nope")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.bulkhead"));
	}

	@Test
	void aKnownInstanceIsAccepted() {
		this.runner
			.withPropertyValues("resilience.bulkhead.instances.few.max-concurrent-calls=2",
					"resilience.http.clients.api.bulkhead=few")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aNamedBreakerThatWouldNotCountFailureStatusesFailsStartup() {
		this.runner.withPropertyValues(
				"resilience.circuitbreaker.instances.payments.record-exceptions=org.springframework.web.client.RestClientException",
				"resilience.http.clients.api.circuit-breaker=payments")
			.run((context) -> {
				startupFailure(context).hasMessageContaining("'payments'").hasMessageContaining("never open");
				assertThat(subject(context)).isEqualTo("resilience.http.clients.api.circuit-breaker");
			});
		this.runner
			.withPropertyValues("resilience.circuitbreaker.instances.payments.record-exceptions=java.io.IOException",
					"resilience.circuitbreaker.instances.plain.failure-rate-threshold=50",
					"resilience.http.clients.api.circuit-breaker=plain")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aBadStatusFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.failure-statuses=5xx,50x").run((context) -> {
			startupFailure(context).hasMessageContaining("'50x'");
			assertThat(subject(context)).isEqualTo("resilience.http.clients.api.failure-statuses[1]");
		});
		this.runner.withPropertyValues("resilience.http.clients.api.retry-statuses=700")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.retry-statuses[0]"));
	}

	@Test
	void aBadTimeoutFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.attempt-timeout=0s")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.attempt-timeout"));
	}

	@Test
	void aBaseUrlThatIsNoAbsoluteUrlFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.base-urls=/payments").run((context) -> {
			startupFailure(context).hasMessageContaining("'/payments'");
			assertThat(subject(context)).isEqualTo("resilience.http.clients.api.base-urls[0]");
		});
	}

	@Test
	void breakerPerHostWithoutABreakerFailsStartup() {
		this.runner.withPropertyValues("resilience.http.clients.api.breaker-per-host=true")
			.run((context) -> assertThat(subject(context)).isEqualTo("resilience.http.clients.api.breaker-per-host"));
	}

	@Test
	void anUnknownSetNamedInCodeIsRefusedNamingTheKnownOnes() {
		this.runner.withPropertyValues("resilience.http.clients.api.preset=standard").run((context) -> {
			ResilienceHttp http = context.getBean(ResilienceHttp.class);
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> http.interceptor("payments"))
				.withMessageContaining("'payments'")
				.withMessageContaining("[api]");
		});
	}

	@Test
	void theSetsBackOffWhenResilienceIsOff() {
		this.runner.withPropertyValues("resilience.enabled=false", "resilience.http.clients.api.preset=standard")
			.run((context) -> assertThat(context).doesNotHaveBean(ResilienceHttp.class));
	}

}
