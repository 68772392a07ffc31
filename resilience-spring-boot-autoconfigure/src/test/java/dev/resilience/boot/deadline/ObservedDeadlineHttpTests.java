package dev.resilience.boot.deadline;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.resilience.boot.deadline.DeadlineHttp.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under {@code resilience.deadline.mode=observe} (the default), a call that runs past the
 * request's budget inside its own timeout is not cut, and is counted in
 * {@code resilience.deadline.exceeded{stage=timeout,mode=observe}}.
 */
@SpringBootTest(classes = { DeadlineTestApplication.class, SlowCalls.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.timeout.instances.slow.timeout-duration=5s", "management.health.redis.enabled=false",
				"spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ObservedDeadlineHttpTests {

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aCallPastTheBudgetGoesOnAndIsCounted() throws Exception {
		double before = exceeded("timeout", "observe");
		String[] answer = get(this.port, "/deadline/slow?millis=600", "X-Request-Timeout-Ms", "100").body().split(",");
		assertThat(answer[0]).isEqualTo("ok");
		assertThat(exceeded("timeout", "observe")).isEqualTo(before + 1);
		assertThat(exceeded("timeout", "enforce")).isZero();
	}

	private double exceeded(String stage, String mode) {
		return this.meters.get("resilience.deadline.exceeded").tag("stage", stage).tag("mode", mode).counter().count();
	}

}
