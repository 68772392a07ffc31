package dev.resilience.boot.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The outbound side of deadlines: each attempt carries what is left of the budget, a
 * request with nothing left is not sent under {@code enforce}, the wait for the response
 * is bounded by the budget, and {@code resilience.deadline.remaining} records what was
 * left.
 */
class OutboundDeadlineTests {

	private final TestServer server = new TestServer();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceHttpAutoConfiguration.class))
		.withUserConfiguration(Listening.class)
		.withPropertyValues("resilience.retry.instances.quick.wait-duration=10ms",
				"resilience.http.clients.api.retry=quick");

	@AfterEach
	void close() {
		this.server.close();
	}

	private static RestClient client(ResilienceHttp http) {
		return http.restClient(RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()), "api").build();
	}

	@Test
	void everyAttemptCarriesTheBudgetLeftMinusTheMargin() throws Exception {
		this.server.answer(503).answer(200);
		this.runner.withPropertyValues("resilience.deadline.outbound-margin=50ms").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			String body = Deadline.within(Duration.ofSeconds(2),
					() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
			assertThat(body).isEqualTo("ok");
			assertThat(this.server.received()).hasSize(2);
			long first = Long.parseLong(this.server.received().get(0).header("X-Request-Timeout-Ms"));
			long second = Long.parseLong(this.server.received().get(1).header("X-Request-Timeout-Ms"));
			assertThat(first).isPositive().isLessThanOrEqualTo(2000 - 50);
			// Stamped again for the retry, after the first attempt and the wait.
			assertThat(second).isPositive().isLessThan(first);
		});
	}

	@Test
	void noHeaderGoesOutWithoutADeadline() {
		this.runner.run((context) -> {
			client(context.getBean(ResilienceHttp.class)).get()
				.uri(this.server.url("/a"))
				.retrieve()
				.toBodilessEntity();
			assertThat(this.server.received().get(0).header("X-Request-Timeout-Ms")).isNull();
		});
	}

	@Test
	void theHeaderIsNamedByTheProperty() throws Exception {
		this.runner.withPropertyValues("resilience.deadline.outbound-header=X-Budget").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			Deadline.within(Duration.ofSeconds(2),
					() -> client.get().uri(this.server.url("/a")).retrieve().toBodilessEntity());
			assertThat(this.server.received().get(0).header("X-Budget")).isNotNull();
			assertThat(this.server.received().get(0).header("X-Request-Timeout-Ms")).isNull();
		});
	}

	@Test
	void aSmallerBudgetTheCallerSetIsKept() throws Exception {
		this.runner.run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			Deadline.within(Duration.ofSeconds(2),
					() -> client.get()
						.uri(this.server.url("/a"))
						.header("X-Request-Timeout-Ms", "120")
						.retrieve()
						.toBodilessEntity());
			Deadline.within(Duration.ofSeconds(2),
					() -> client.get()
						.uri(this.server.url("/a"))
						.header("X-Request-Timeout-Ms", "999999")
						.retrieve()
						.toBodilessEntity());
			assertThat(this.server.received().get(0).header("X-Request-Timeout-Ms")).isEqualTo("120");
			assertThat(Long.parseLong(this.server.received().get(1).header("X-Request-Timeout-Ms")))
				.isLessThanOrEqualTo(2000);
		});
	}

	@Test
	void nothingIsSentUnderEnforceWhenNothingIsLeft() {
		this.runner.withPropertyValues("resilience.deadline.mode=enforce", "resilience.deadline.outbound-margin=1s")
			.run((context) -> {
				RestClient client = client(context.getBean(ResilienceHttp.class));
				assertThatExceptionOfType(DeadlineExceededException.class)
					.isThrownBy(() -> Deadline.within(Duration.ofMillis(500),
							() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class)))
					.satisfies((ex) -> {
						assertThat(ex.stage()).isEqualTo(DeadlineStage.HTTP_CLIENT);
						assertThat(ex.instanceName()).isEqualTo("api");
					});
				assertThat(this.server.received()).isEmpty();
				assertThat(context.getBean(Listening.class).told)
					.contains(DeadlineStage.HTTP_CLIENT + "/api/" + DeadlineMode.ENFORCE);
			});
	}

	@Test
	void underObserveTheRequestGoesOutWithZeroAndTheListenerIsTold() throws Exception {
		this.runner.withPropertyValues("resilience.deadline.outbound-margin=1s").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			String body = Deadline.within(Duration.ofMillis(500),
					() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class));
			assertThat(body).isEqualTo("ok");
			assertThat(this.server.received().get(0).header("X-Request-Timeout-Ms")).isEqualTo("0");
			assertThat(context.getBean(Listening.class).told)
				.contains(DeadlineStage.HTTP_CLIENT + "/api/" + DeadlineMode.OBSERVE);
		});
	}

	@Test
	void theWaitForTheResponseIsBoundedByTheBudgetUnderEnforce() {
		this.server.answer(200, Map.of(), Duration.ofSeconds(5));
		this.runner.withPropertyValues("resilience.deadline.mode=enforce").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			// No attempt timeout: only the deadline can end the wait before the 5 s
			// answer.
			assertThatExceptionOfType(DeadlineExceededException.class)
				.isThrownBy(() -> Deadline.within(Duration.ofMillis(300),
						() -> client.get().uri(this.server.url("/a")).retrieve().body(String.class)))
				.satisfies((ex) -> assertThat(ex.stage()).isEqualTo(DeadlineStage.HTTP_CLIENT));
			assertThat(this.server.received()).hasSize(1);
			// The cut leaves no interrupt behind for the caller's next wait.
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
		});
	}

	@Test
	void theBudgetLeftIsRecordedPerClient() throws Exception {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			client.get().uri(this.server.url("/a")).retrieve().toBodilessEntity();
			DistributionSummary summary = context.getBean(MeterRegistry.class)
				.get("resilience.deadline.remaining")
				.tag("client", "api")
				.summary();
			assertThat(summary.count()).isZero();
			Deadline.within(Duration.ofSeconds(2),
					() -> client.get().uri(this.server.url("/a")).retrieve().toBodilessEntity());
			assertThat(summary.count()).isEqualTo(1);
			assertThat(summary.getId().getBaseUnit()).isEqualTo("seconds");
			assertThat(summary.max()).isGreaterThan(0.0).isLessThanOrEqualTo(2.0);
		});
	}

	@Test
	void deadlinesSwitchedOffSendNothing() throws Exception {
		this.runner.withPropertyValues("resilience.deadline.enabled=false").run((context) -> {
			RestClient client = client(context.getBean(ResilienceHttp.class));
			Deadline.within(Duration.ofSeconds(2),
					() -> client.get().uri(this.server.url("/a")).retrieve().toBodilessEntity());
			assertThat(this.server.received().get(0).header("X-Request-Timeout-Ms")).isNull();
		});
	}

	/** A configuration that is itself the application's {@link DeadlineListener} bean. */
	@Configuration(proxyBeanMethods = false)
	static class Listening implements DeadlineListener {

		final List<String> told = new CopyOnWriteArrayList<>();

		@Override
		public void exceeded(DeadlineStage stage, String instanceName, DeadlineMode mode, long remainingNanos) {
			this.told.add(stage + "/" + instanceName + "/" + mode);
		}

	}

}
