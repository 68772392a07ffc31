package dev.resilience.boot.deadline;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.resilience.boot.deadline.DeadlineHttp.assertWithin;
import static dev.resilience.boot.deadline.DeadlineHttp.get;
import static dev.resilience.boot.deadline.DeadlineHttp.remainingOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring MVC application on virtual threads ({@code spring.threads.virtual.enabled}):
 * Tomcat serves the request on a virtual thread and the {@code @Async} method it calls
 * runs on another virtual thread of the {@code applicationTaskExecutor}, under the
 * request's deadline.
 */
@SpringBootTest(classes = DeadlineTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.threads.virtual.enabled=true", "management.health.redis.enabled=false",
				"spring.main.banner-mode=off", "logging.level.root=warn" })
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads exist from Java 21 on")
@Tag("slow")
class VirtualThreadsDeadlineHttpTests {

	@LocalServerPort
	private int port;

	@Test
	void anAsyncMethodOnAVirtualThreadRunsUnderTheRequestsDeadline() throws Exception {
		String answer = get(this.port, "/deadline/async", "X-Request-Timeout-Ms", "5000").body();
		assertThat(answer).endsWith(" virtual");
		assertWithin(remainingOf(answer), 5000);
	}

}
