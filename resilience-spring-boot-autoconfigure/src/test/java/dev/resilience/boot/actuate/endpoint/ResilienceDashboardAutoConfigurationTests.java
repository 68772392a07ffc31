package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.observation.ResilienceObservationAutoConfiguration;
import dev.resilience.testing.FakeTicker;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * When the dashboard's snapshot and what feeds it exist: the endpoint, its sampler thread
 * and the recent events only while the {@code resilience} endpoint is available; the
 * latency handler only when the calls are observed too; the actions only for the exposed
 * write endpoints.
 */
class ResilienceDashboardAutoConfigurationTests {

	private static final Class<?>[] DASHBOARD_BEANS = { ResilienceEndpoint.class, DashboardSampler.class,
			RecentEvents.class, MethodLatencies.class, MethodLatencyObservationHandler.class };

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class));

	private final ApplicationContextRunner observedRunner = this.contextRunner
		.withConfiguration(
				AutoConfigurations.of(ObservationAutoConfiguration.class, ResilienceObservationAutoConfiguration.class))
		.withUserConfiguration(Observed.class);

	@Test
	void exposingResilienceBringsTheEndpointItsSamplerThreadAndTheRecentEvents() {
		Set<Thread> before = samplerThreads();
		ConfigurableApplicationContext[] started = new ConfigurableApplicationContext[1];
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=resilience").run((context) -> {
			assertThat(context).hasSingleBean(ResilienceEndpoint.class)
				.hasSingleBean(DashboardSampler.class)
				.hasSingleBean(RecentEvents.class)
				.doesNotHaveBean(ResilienceEventsEndpoint.class)
				.doesNotHaveBean(MethodLatencyObservationHandler.class);
			Set<Thread> added = samplerThreads();
			added.removeAll(before);
			assertThat(added).hasSize(1);
			assertThat(added.iterator().next().isDaemon()).isTrue();
			assertThat(context.getBean(ResilienceEndpoint.class).snapshot(null, null).observations()).isFalse();
			started[0] = context.getSourceApplicationContext();
		});
		// Closed with the context.
		assertThat(started[0].isActive()).isFalse();
		Set<Thread> left = samplerThreads();
		left.removeAll(before);
		assertThat(left).isEmpty();
	}

	@Test
	void noSamplerThreadExistsWhenTheEndpointIsNotAvailable() {
		Set<Thread> before = samplerThreads();
		// Not exposed (only health is, by default), exposed but switched off, or only the
		// events endpoint.
		this.observedRunner.run((context) -> {
			for (Class<?> type : DASHBOARD_BEANS) {
				assertThat(context).doesNotHaveBean(type);
			}
			assertThat(samplerThreads()).isEqualTo(before);
		});
		this.observedRunner
			.withPropertyValues("management.endpoints.web.exposure.include=resilience",
					"management.endpoint.resilience.access=none")
			.run((context) -> {
				for (Class<?> type : DASHBOARD_BEANS) {
					assertThat(context).doesNotHaveBean(type);
				}
				assertThat(samplerThreads()).isEqualTo(before);
			});
		this.observedRunner.withPropertyValues("management.endpoints.web.exposure.include=resilienceevents")
			.run((context) -> {
				assertThat(context).hasSingleBean(RecentEvents.class)
					.doesNotHaveBean(ResilienceEndpoint.class)
					.doesNotHaveBean(DashboardSampler.class)
					.doesNotHaveBean(MethodLatencyObservationHandler.class);
				assertThat(samplerThreads()).isEqualTo(before);
			});
	}

	@Test
	void recordsTheLatencyOfAnAnnotatedCallWhenObservedAndTheEndpointIsAvailable() {
		this.observedRunner.withPropertyValues("management.endpoints.web.exposure.include=resilience")
			.run((context) -> {
				assertThat(context).hasSingleBean(MethodLatencyObservationHandler.class);
				FakeTicker ticker = context.getBean(FakeTicker.class);
				PaymentClient client = context.getBean(PaymentClient.class);
				client.charge(ticker, Duration.ofMillis(40));
				client.charge(ticker, Duration.ofMillis(10));
				assertThatIOException().isThrownBy(client::fail);
				ResilienceEndpoint.Snapshot snapshot = context.getBean(ResilienceEndpoint.class).snapshot(null, null);
				assertThat(snapshot.observations()).isTrue();
				Map<String, ResilienceEndpoint.MethodSnapshot> methods = snapshot.methods()
					.stream()
					.collect(Collectors.toMap(ResilienceEndpoint.MethodSnapshot::method, (method) -> method));
				assertThat(methods).containsOnlyKeys("PaymentClient.charge", "PaymentClient.fail");
				ResilienceEndpoint.MethodSnapshot charge = methods.get("PaymentClient.charge");
				assertThat(charge.count()).isEqualTo(2);
				assertThat(charge.outcomes()).isEqualTo(new ResilienceEndpoint.Outcomes(2, 0, 0, 0));
				assertThat(charge.max()).isEqualTo(40.0);
				assertThat(charge.p50()).isBetween(10.0 * 15 / 16, 10.0 * 17 / 16);
				assertThat(methods.get("PaymentClient.fail").outcomes())
					.isEqualTo(new ResilienceEndpoint.Outcomes(0, 1, 0, 0));
			});
	}

	@Test
	void recordsNoLatencyWhenObservationsAreOffOrThereIsNoRegistry() {
		this.observedRunner
			.withPropertyValues("management.endpoints.web.exposure.include=resilience",
					"resilience.observations.enabled=false")
			.run((context) -> {
				assertThat(context).hasSingleBean(ResilienceEndpoint.class)
					.doesNotHaveBean(MethodLatencies.class)
					.doesNotHaveBean(MethodLatencyObservationHandler.class);
				assertThat(context.getBean(ResilienceEndpoint.class).snapshot(null, null).observations()).isFalse();
			});
		this.contextRunner.withUserConfiguration(Observed.class)
			.withPropertyValues("management.endpoints.web.exposure.include=resilience")
			.run((context) -> assertThat(context).hasSingleBean(ResilienceEndpoint.class)
				.doesNotHaveBean(MethodLatencyObservationHandler.class));
	}

	@Test
	void actionsNameOnlyTheExposedWriteEndpointsRelativeToTheRoot() {
		new WebApplicationContextRunner()
			.withInitializer(
					(context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
			.withConfiguration(
					AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class,
							EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=resilience,circuitbreakers,timeouts,retries",
					"management.endpoints.web.base-path=/manage")
			.run((context) -> assertThat(context.getBean(ResilienceEndpoint.class).snapshot(null, null).actions())
				.containsExactly(Map.entry("circuitbreakers", "manage/circuitbreakers"),
						Map.entry("timeouts", "manage/timeouts")));
	}

	private static Set<Thread> samplerThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(DashboardSampler.THREAD_NAME) && thread.isAlive())
			.collect(Collectors.toSet());
	}

	@Configuration(proxyBeanMethods = false)
	static class Observed {

		@Bean
		ObservationRegistry observationRegistry() {
			return ObservationRegistry.create();
		}

		@Bean
		FakeTicker fakeTicker() {
			return new FakeTicker();
		}

		@Bean
		PaymentClient paymentClient() {
			return new PaymentClient();
		}

	}

	static class PaymentClient {

		@CircuitBreaker(name = "payments")
		public String charge(FakeTicker ticker, Duration duration) {
			ticker.advance(duration);
			return "charged";
		}

		@CircuitBreaker(name = "payments")
		public String fail() throws IOException {
			throw new IOException("declined");
		}

	}

}
