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
 * Under {@code resilience.deadline.mode=enforce}, a {@code @Timeout} of 5 s called in a
 * request that arrived with a 300 ms budget is cut at the budget, with
 * {@code DeadlineExceededException} from the timeout stage, and counted.
 */
@SpringBootTest(classes = { DeadlineTestApplication.class, SlowCalls.class },
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.deadline.mode=enforce", "resilience.timeout.instances.slow.timeout-duration=5s",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class EnforcedDeadlineHttpTests {

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aTimeoutLongerThanTheBudgetIsCutAtTheBudget() throws Exception {
		double before = exceeded("timeout", "enforce");
		String[] answer = get(this.port, "/deadline/slow?millis=10000", "X-Request-Timeout-Ms", "300").body()
			.split(",");
		assertThat(answer[0]).isEqualTo("DeadlineExceededException");
		assertThat(answer[1]).isEqualTo("timeout");
		// Cut at the budget's end, long before the timeout's own 5 s.
		assertThat(Long.parseLong(answer[2])).isLessThan(4000);
		assertThat(exceeded("timeout", "enforce")).isEqualTo(before + 1);
	}

	@Test
	void aCallThatFitsInTheBudgetIsNotCut() throws Exception {
		String[] answer = get(this.port, "/deadline/slow?millis=0", "X-Request-Timeout-Ms", "20000").body().split(",");
		assertThat(answer[0]).isEqualTo("ok");
	}

	private double exceeded(String stage, String mode) {
		return this.meters.get("resilience.deadline.exceeded").tag("stage", stage).tag("mode", mode).counter().count();
	}

}
