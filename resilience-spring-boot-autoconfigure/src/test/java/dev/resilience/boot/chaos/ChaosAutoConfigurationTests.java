package dev.resilience.boot.chaos;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.chaos.Chaos;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chaos is off unless switched on (and, with profiles, one of them active); the rules of
 * the configuration are checked at startup, naming the property; an exception rule on an
 * instance name replaces the calls of the methods that use it, so the real breaker counts
 * it and the fallback chosen by type answers it.
 */
class ChaosAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class, ChaosAutoConfiguration.class))
		.withBean(Payments.class);

	@Test
	void withoutTheMasterSwitchThereIsNoChaosAndNoMethodGetsASite() {
		this.runner.withPropertyValues("resilience.chaos.rules.outage.target=payments",
				"resilience.chaos.rules.outage.fault=exception",
				"resilience.chaos.rules.outage.exception=java.io.IOException", "resilience.chaos.rules.outage.rate=1")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(ChaosExperiments.class);
				Payments payments = context.getBean(Payments.class);
				assertThat(payments.charge()).isEqualTo("charged");
				assertThat(payments.calls()).hasValue(1);
			});
	}

	@Test
	void anInvalidMasterSwitchFailsStartup() {
		this.runner.withPropertyValues("resilience.chaos.enabled=maybe")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void anExceptionRuleOnAnInstanceReplacesTheCallAndTheBreakerAndTheFallbackSeeARealFailure() {
		this.runner
			.withPropertyValues("resilience.chaos.enabled=true", "resilience.chaos.rules.outage.target=payments",
					"resilience.chaos.rules.outage.fault=exception",
					"resilience.chaos.rules.outage.exception=java.io.IOException",
					"resilience.chaos.rules.outage.message=payments down", "resilience.chaos.rules.outage.rate=1.0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Payments payments = context.getBean(Payments.class);
				assertThat(payments.charge()).isEqualTo("queued: chaos: rule 'outage': payments down");
				assertThat(payments.calls()).as("the real method is not invoked").hasValue(0);
				assertThat(Chaos.isInjected(payments.lastFailure())).isTrue();
				assertThat(
						context.getBean(CircuitBreakerRegistry.class).instance("payments").metrics().totalFailedCalls())
					.isOne();
				ChaosExperiments experiments = context.getBean(ChaosExperiments.class);
				assertThat(experiments.get("outage").rule().injections()).isOne();
				// The kill switch: every rule off at once, the real call again.
				experiments.active(false);
				assertThat(payments.charge()).isEqualTo("charged");
				assertThat(payments.calls()).hasValue(1);
			});
	}

	@Test
	void aRuleCanTargetOneMethodByBeanNameAndMethod() {
		this.runner
			.withPropertyValues("resilience.chaos.enabled=true", "resilience.chaos.rules.one.target=payments.refund",
					"resilience.chaos.rules.one.fault=exception",
					"resilience.chaos.rules.one.exception=java.io.IOException", "resilience.chaos.rules.one.rate=1")
			.withBean("payments", Payments.class)
			.run((context) -> {
				Payments payments = context.getBean("payments", Payments.class);
				assertThat(payments.charge()).isEqualTo("charged");
				assertThat(payments.refund()).startsWith("queued: chaos: rule 'one'");
			});
	}

	@Test
	void withProfilesChaosIsOnOnlyWhereOneIsActive() {
		ApplicationContextRunner guarded = this.runner.withPropertyValues("resilience.chaos.enabled=true",
				"resilience.chaos.profiles=chaos,staging");
		guarded.run((context) -> assertThat(context).doesNotHaveBean(ChaosExperiments.class));
		guarded.withPropertyValues("spring.profiles.active=staging")
			.run((context) -> assertThat(context).hasSingleBean(ChaosExperiments.class));
	}

	@Test
	void aBadRuleFailsStartupNamingItsProperty() {
		ApplicationContextRunner on = this.runner.withPropertyValues("resilience.chaos.enabled=true",
				"resilience.chaos.rules.bad.target=payments", "resilience.chaos.rules.bad.rate=0.5");
		on.withPropertyValues("resilience.chaos.rules.bad.fault=exception",
				"resilience.chaos.rules.bad.exception=com.example.NoSuchException")
			.run((context) -> startupFailure(context).hasMessageContaining("resilience.chaos.rules.bad.exception")
				.hasMessageContaining("com.example.NoSuchException"));
		on.withPropertyValues("resilience.chaos.rules.bad.fault=exception",
				"resilience.chaos.rules.bad.exception=java.lang.String")
			.run((context) -> startupFailure(context).hasMessageContaining("not a Throwable"));
		on.withPropertyValues("resilience.chaos.rules.bad.fault=earthquake")
			.run((context) -> startupFailure(context).hasMessageContaining("resilience.chaos.rules.bad.fault")
				.hasMessageContaining("no such fault"));
		on.withPropertyValues("resilience.chaos.rules.bad.fault=latency", "resilience.chaos.rules.bad.latency-min=2s",
				"resilience.chaos.rules.bad.latency-max=1s")
			.run((context) -> startupFailure(context).hasMessageContaining("resilience.chaos.rules.bad.latency-max"));
		on.withPropertyValues("resilience.chaos.rules.bad.fault=result", "resilience.chaos.rules.bad.result=nothing")
			.run((context) -> startupFailure(context).hasMessageContaining("resilience.chaos.rules.bad.result")
				.hasMessageContaining("no bean"));
		this.runner
			.withPropertyValues("resilience.chaos.enabled=true", "resilience.chaos.rules.bad.target=payments",
					"resilience.chaos.rules.bad.fault=latency", "resilience.chaos.rules.bad.latency=1s")
			.run((context) -> startupFailure(context).hasMessageContaining("resilience.chaos.rules.bad.rate"));
	}

	private static AbstractThrowableAssert<?, ? extends Throwable> startupFailure(
			AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		while (failure != null && !(failure instanceof ResilienceConfigurationException)) {
			failure = failure.getCause();
		}
		return assertThat(failure).isInstanceOf(ResilienceConfigurationException.class);
	}

	static class Payments {

		final AtomicInteger calls = new AtomicInteger();

		volatile Throwable lastFailure;

		@CircuitBreaker(name = "payments")
		@Fallback(method = "queue")
		public String charge() throws IOException {
			this.calls.incrementAndGet();
			return "charged";
		}

		@CircuitBreaker(name = "refunds")
		@Fallback(method = "queue")
		public String refund() throws IOException {
			return "refunded";
		}

		public AtomicInteger calls() {
			return this.calls;
		}

		public Throwable lastFailure() {
			return this.lastFailure;
		}

		String queue(IOException failure) {
			this.lastFailure = failure;
			return "queued: " + failure.getMessage();
		}

	}

}
