package dev.resilience.boot.deadline;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.resilience.boot.deadline.DeadlineHttp.assertWithin;
import static dev.resilience.boot.deadline.DeadlineHttp.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux application on Reactor Netty, on a random port, with Reactor's automatic
 * context propagation ({@code spring.reactor.context-propagation=auto}): the request's
 * headers give the deadline in the Reactor Context of the handler's publisher, and
 * current where its operators run after a hop to another scheduler.
 */
@SpringBootTest(classes = DeadlineTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
		// Reactor Netty, as in a WebFlux application: Tomcat (for the Spring MVC tests)
		// is on the class path too.
		"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
				+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
		"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ReactiveDeadlineHttpTests {

	@LocalServerPort
	private int port;

	@AfterAll
	static void switchAutomaticPropagationOff() {
		// Spring Boot switched it on for this application; the hook is global.
		Hooks.disableAutomaticContextPropagation();
	}

	@Test
	void theReactorContextCarriesTheHeadersBudgetAndItIsCurrentInTheHandlerAndAfterAHop() throws Exception {
		String[] answer = get(this.port, "/deadline", "X-Request-Timeout-Ms", "5000").body().split(",");
		// In the Reactor Context, current in the handler method, current after the hop.
		assertWithin(answer[0], 5000);
		assertWithin(answer[1], 5000);
		assertWithin(answer[2].substring(0, answer[2].indexOf('@')), 5000);
		assertThat(answer[2]).contains("parallel");
	}

	@Test
	void theSmallestBudgetOfTheHeadersWins() throws Exception {
		String[] answer = get(this.port, "/deadline", "X-Request-Timeout-Ms", "20000", "grpc-timeout", "3S").body()
			.split(",");
		assertWithin(answer[0], 3000);
	}

	@Test
	void aRequestWithoutABudgetHasNoDeadlineAnywhere() throws Exception {
		assertThat(get(this.port, "/deadline").body()).startsWith("none,none,none@");
	}

}
