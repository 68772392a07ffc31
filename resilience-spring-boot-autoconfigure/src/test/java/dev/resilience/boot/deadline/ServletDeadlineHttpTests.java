package dev.resilience.boot.deadline;

import java.net.http.HttpResponse;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.resilience.boot.deadline.DeadlineHttp.assertWithin;
import static dev.resilience.boot.deadline.DeadlineHttp.get;
import static dev.resilience.boot.deadline.DeadlineHttp.remainingOf;
import static dev.resilience.boot.deadline.DeadlineHttp.threadOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring MVC application on Tomcat, on a random port: the request's headers give the
 * deadline current in the controller, in an {@code @Async} method it calls, in a
 * {@code Callable} it returns and on the {@code ASYNC} dispatch of a
 * {@code DeferredResult}; the default budget applies without a header; a malformed header
 * is counted and left out.
 */
@SpringBootTest(classes = DeadlineTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.deadline.default-budget=60s",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn",
				"logging.level.dev.resilience.deadline=debug" })
@ExtendWith(OutputCaptureExtension.class)
@Tag("slow")
class ServletDeadlineHttpTests {

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Test
	void theControllerRunsUnderTheHeadersBudget() throws Exception {
		assertWithin(remainingOf(get(this.port, "/deadline", "X-Request-Timeout-Ms", "5000").body()), 5000);
	}

	@Test
	void theSmallestBudgetOfTheHeadersWins() throws Exception {
		String answer = get(this.port, "/deadline", "X-Request-Timeout-Ms", "20000", "grpc-timeout", "3S",
				"x-envoy-expected-rq-timeout-ms", "9000")
			.body();
		assertWithin(remainingOf(answer), 3000);
	}

	@Test
	void aRequestWithoutAHeaderGetsTheDefaultBudget() throws Exception {
		String remaining = remainingOf(get(this.port, "/deadline").body());
		assertWithin(remaining, 60_000);
		// More than any header of these tests sends: the default's.
		assertThat(Long.parseLong(remaining)).isGreaterThan(30_000);
	}

	@Test
	void anAsyncMethodRunsUnderTheRequestsDeadlineOnTheApplicationTaskExecutor() throws Exception {
		String answer = get(this.port, "/deadline/async", "X-Request-Timeout-Ms", "5000").body();
		assertWithin(remainingOf(answer), 5000);
		assertThat(threadOf(answer)).startsWith("task-");
	}

	@Test
	void aCallableRunsUnderTheRequestsDeadlineOnSpringMvcsTaskExecutor() throws Exception {
		HttpResponse<String> response = get(this.port, "/deadline/callable", "X-Request-Timeout-Ms", "5000");
		assertWithin(remainingOf(response.body()), 5000);
		assertThat(threadOf(response.body())).startsWith("task-");
		// And the ASYNC dispatch that writes its result runs under the same deadline.
		assertWithin(response.headers().firstValue(DeadlineTestApplication.ASYNC_DISPATCH_HEADER).orElseThrow(), 5000);
	}

	@Test
	void theAsyncDispatchOfADeferredResultRunsUnderTheDeadlineMeasuredFromArrival() throws Exception {
		HttpResponse<String> response = get(this.port, "/deadline/deferred", "grpc-timeout", "4000m");
		// Set on a thread of its own, without the deadline...
		assertThat(response.body()).isEqualTo("none@deferred-setter");
		// ...and the ASYNC dispatch has it again, not a fresh one.
		assertWithin(response.headers().firstValue(DeadlineTestApplication.ASYNC_DISPATCH_HEADER).orElseThrow(), 4000);
	}

	@Test
	void aMalformedHeaderIsCountedLoggedAndLeftOutAndTheOtherHeadersStillApply(CapturedOutput output) throws Exception {
		double before = malformed("X-Request-Timeout-Ms");
		String answer = get(this.port, "/deadline", "X-Request-Timeout-Ms", "soon", "grpc-timeout", "2S").body();
		assertWithin(remainingOf(answer), 2000);
		assertThat(malformed("X-Request-Timeout-Ms")).isEqualTo(before + 1);
		assertThat(output).contains("dev.resilience.deadline")
			.contains("Ignored the malformed request header X-Request-Timeout-Ms: 'soon'");
		// Without another header, as without one: the default budget.
		assertThat(Long.parseLong(remainingOf(get(this.port, "/deadline", "X-Request-Timeout-Ms", "-1").body())))
			.isGreaterThan(30_000);
		assertThat(malformed("X-Request-Timeout-Ms")).isEqualTo(before + 2);
	}

	@Test
	void theRequestThreadGoesBackToThePoolWithoutTheDeadline() throws Exception {
		for (int i = 0; i < 20; i++) {
			get(this.port, "/deadline", "X-Request-Timeout-Ms", "5000");
		}
		// A thread that kept a 5 s deadline would keep it for these too (a nested
		// deadline never extends), instead of the 60 s default.
		for (int i = 0; i < 20; i++) {
			assertThat(Long.parseLong(remainingOf(get(this.port, "/deadline").body()))).isGreaterThan(30_000);
		}
	}

	private double malformed(String header) {
		return this.meters.get("resilience.deadline.inbound.malformed").tag("header", header).counter().count();
	}

}
