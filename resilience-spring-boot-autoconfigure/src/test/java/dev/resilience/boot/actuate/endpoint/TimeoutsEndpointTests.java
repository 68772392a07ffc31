package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The {@code timeouts} endpoint over HTTP.
 */
@EndpointTest
class TimeoutsEndpointTests {

	private static final TimeoutConfig ONE_SECOND = TimeoutConfig.builder()
		.timeoutDuration(Duration.ofSeconds(1))
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private TimeoutRegistry registry;

	@Autowired
	private ManualScheduler scheduler;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void listsEveryTimeoutWithCountersAndConfiguration() throws Throwable {
		Timeout timeout = this.registry.instance("to-list", ONE_SECOND);
		runOneOfEach(timeout);
		ActuatorClient.Response response = this.actuator.get("timeouts");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.timeouts['to-list']")).containsEntry("name", "to-list")
			.containsEntry("totalSuccessfulCalls", 1)
			.containsEntry("totalFailedCalls", 1)
			.containsEntry("totalTimedOutCalls", 1);
		assertThat(response.<Map<String, Object>>read("$.timeouts.quotes.config"))
			.containsEntry("timeoutDuration", "PT2S")
			.containsEntry("cancelRunningFuture", true);
	}

	@Test
	void describesOneTimeoutAndAnswers404ForAnUnknownOne() {
		this.registry.instance("to-detail", ONE_SECOND);
		ActuatorClient.Response response = this.actuator.get("timeouts/to-detail");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<String>read("$.config.timeoutDuration")).isEqualTo("PT1S");
		assertThat(this.actuator.get("timeouts/to-unknown").status()).isEqualTo(404);
		ActuatorClient.Response write = this.actuator.post("timeouts/to-unknown", "{\"timeoutDuration\":\"5s\"}");
		assertThat(write.status()).isEqualTo(404);
		assertThat(write.<String>read("$.message")).isEqualTo("No timeout named 'to-unknown'");
		assertThat(this.registry.find("to-unknown")).isEmpty();
	}

	@Test
	void changesTheDeadlineAtRunTimeKeepingTheCounters() throws Throwable {
		Timeout timeout = this.registry.instance("to-change", ONE_SECOND);
		runOneOfEach(timeout);
		ActuatorClient.Response response = this.actuator.post("timeouts/to-change",
				"{\"timeoutDuration\":\"3s\",\"cancelRunningFuture\":false}");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.config")).containsEntry("timeoutDuration", "PT3S")
			.containsEntry("cancelRunningFuture", false);
		assertThat(response.<Map<String, Object>>read("$")).containsEntry("totalSuccessfulCalls", 1)
			.containsEntry("totalFailedCalls", 1)
			.containsEntry("totalTimedOutCalls", 1);
		assertThat(this.registry.find("to-change")).containsSame(timeout);
		// A call that outlives the old deadline but not the new one now finishes.
		assertThat(timeout.execute(() -> {
			this.scheduler.advance(Duration.ofSeconds(2));
			return "in time";
		})).isEqualTo("in time");
		// A plain number is milliseconds, as in application properties.
		ActuatorClient.Response millis = this.actuator.post("timeouts/to-change", "{\"timeoutDuration\":1500}");
		assertThat(millis.<String>read("$.config.timeoutDuration")).isEqualTo("PT1.5S");
		assertThat(millis.<Integer>read("$.totalSuccessfulCalls")).isEqualTo(2);
	}

	@Test
	void rejectsAnInvalidChangeWithTheSettingNamedAndChangesNothing() {
		Timeout timeout = this.registry.instance("to-invalid", ONE_SECOND);
		assertBadRequest("{\"timeoutDuration\":\"0ms\"}", "timeoutDuration must be greater than zero but was PT0S");
		assertBadRequest("{\"timeoutDuration\":\"99999999999d\"}",
				"timeoutDuration must be at most PT24H but was PT2399999999976H");
		assertBadRequest("{\"cancelRunningFuture\":\"sometimes\"}",
				"cancelRunningFuture must be true or false but was 'sometimes'");
		assertBadRequest("{}", "Give at least one of timeoutDuration, cancelRunningFuture in the request body");
		assertThat(timeout.config()).isSameAs(ONE_SECOND);
	}

	private void assertBadRequest(String body, String message) {
		ActuatorClient.Response response = this.actuator.post("timeouts/to-invalid", body);
		assertThat(response.status()).as(body).isEqualTo(400);
		assertThat(response.<String>read("$.message")).as(body).isEqualTo(message);
	}

	/** One success, one failure, and one call that outlives its deadline. */
	private void runOneOfEach(Timeout timeout) throws Throwable {
		timeout.execute(() -> "fast");
		assertThatIOException().isThrownBy(() -> timeout.execute(() -> {
			throw new IOException("refused");
		}));
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> timeout.execute(() -> {
			this.scheduler.advance(timeout.config().timeoutDuration().plusMillis(1));
			return "late";
		}));
	}

}
