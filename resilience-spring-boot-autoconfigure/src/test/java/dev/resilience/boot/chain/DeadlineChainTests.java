package dev.resilience.boot.chain;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.resilience.annotation.Timeout;
import dev.resilience.deadline.DeadlineExceededException;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three applications over real HTTP on loopback, A -> B -> C, each with the starter: A
 * receives a request with a 300 ms budget ({@code X-Request-Timeout-Ms}); A calls B and B
 * calls C through HTTP client policy sets, which send the budget left on; B's call to C
 * sits behind a {@code @Timeout} of 5 s, and C does not answer in time. Under
 * {@code enforce} B's call is cut at the budget, well before its 5 s, on the synchronous,
 * asynchronous ({@code CompletableFuture} on the application's task executor) and Reactor
 * ({@code Mono} through a {@code WebClient}) paths; under {@code observe} nothing is cut
 * and B counts what would have been. C sees a budget smaller than 300 ms and larger than
 * zero every time.
 */
class DeadlineChainTests {

	private static final String BUDGET = "X-Request-Timeout-Ms";

	private ConfigurableApplicationContext a;

	private ConfigurableApplicationContext b;

	private ConfigurableApplicationContext c;

	@AfterEach
	void close() {
		if (this.c != null) {
			// Let C's handlers go, so that its server stops at once.
			this.c.getBean(AppC.Gate.class).release.countDown();
		}
		for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { this.a, this.b, this.c }) {
			if (context != null) {
				context.close();
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "sync", "async", "reactive" })
	void underEnforceBsCallIsCutAtTheBudgetLeftAndCSeesWhatIsLeft(String path) throws Exception {
		start("enforce", 5_000);
		warmUp(path);
		ResponseEntity<String> answer = callA(path, "300");
		AppB.Outcomes outcomes = this.b.getBean(AppB.Outcomes.class);
		Throwable cut = outcomes.failures.poll(10, TimeUnit.SECONDS);
		assertThat(cut).as("B's call to C ended by the deadline, not by its 5 s timeout")
			.isInstanceOfSatisfying(DeadlineExceededException.class,
					(deadline) -> assertThat(deadline.stage().value()).isIn("timeout", "call", "http-client"));
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
		assertThat(this.c.getBean(AppC.Gate.class).answered).as("C had not answered when B gave up").hasValue(0);
		assertThat(this.c.getBean(AppC.Gate.class).budgets.poll(10, TimeUnit.SECONDS))
			.as("the budget C received, B having failed with %s (async tasks started with %s ms left)", cut,
					outcomes.taskStarts)
			.isNotNull()
			.satisfies((budget) -> assertThat(Long.parseLong(budget)).isGreaterThan(0).isLessThan(300));
	}

	@Test
	void underObserveNothingIsCutAndBCountsWhatWouldHaveBeen() throws Exception {
		// C answers after 600 ms: past the 300 ms budget, within B's 5 s timeout.
		start("observe", 600);
		warmUp("sync");
		ResponseEntity<String> answer = callA("sync", "300");
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(answer.getBody()).isEqualTo("C answered");
		assertThat(this.b.getBean(AppB.Outcomes.class).failures).isEmpty();
		MeterRegistry meters = this.b.getBean(MeterRegistry.class);
		assertThat(meters.find("resilience.deadline.exceeded").tag("mode", "observe").tag("stage", "timeout").counter())
			.as("B's @Timeout would have cut the call")
			.isNotNull()
			.satisfies((counter) -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
		assertThatCSawABudgetWithin300Ms();
	}

	private void assertThatCSawABudgetWithin300Ms() throws InterruptedException {
		String received = this.c.getBean(AppC.Gate.class).budgets.poll(10, TimeUnit.SECONDS);
		assertThat(received).as("the budget C received").isNotNull();
		assertThat(Long.parseLong(received)).isGreaterThan(0).isLessThan(300);
	}

	/**
	 * One request through the whole chain first, with time to spare and answered at once,
	 * so that the one measured against 300 ms finds every server, client and code path
	 * started (on a loaded machine the first request of a new application can take longer
	 * than the budget on its own).
	 */
	private void warmUp(String path) {
		ResponseEntity<String> warm = callA(path, "10000");
		assertThat(warm.getStatusCode()).as("the warm-up request: %s", warm.getBody()).isEqualTo(HttpStatus.OK);
		this.c.getBean(AppC.Gate.class).budgets.clear();
	}

	private ResponseEntity<String> callA(String path, String budget) {
		RestClient client = RestClient.builder().baseUrl("http://localhost:" + port(this.a)).build();
		try {
			return client.get().uri("/a/{path}", path).header(BUDGET, budget).retrieve().toEntity(String.class);
		}
		catch (HttpStatusCodeException ex) {
			return ResponseEntity.status(ex.getStatusCode()).body(ex.getResponseBodyAsString());
		}
	}

	private void start(String mode, long cAnswersAfterMillis) {
		this.c = new SpringApplicationBuilder(AppC.class)
			.properties("server.port=0", "spring.main.banner-mode=off", "c.answers-after-ms=" + cAnswersAfterMillis)
			.run();
		this.b = new SpringApplicationBuilder(AppB.class)
			.properties("server.port=0", "spring.main.banner-mode=off", "resilience.deadline.mode=" + mode,
					"c.url=http://localhost:" + port(this.c),
					"resilience.http.clients.c.base-urls=http://localhost:" + port(this.c),
					"resilience.timeout.instances.c.timeout-duration=5s")
			.run();
		this.a = new SpringApplicationBuilder(AppA.class)
			.properties("server.port=0", "spring.main.banner-mode=off", "resilience.deadline.mode=" + mode,
					"b.url=http://localhost:" + port(this.b),
					"resilience.http.clients.b.base-urls=http://localhost:" + port(this.b))
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/** Spring Security is on the test class path: each service lets every request in. */
	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class Open {

		@Bean
		org.springframework.security.web.SecurityFilterChain openToAll(
				org.springframework.security.config.annotation.web.builders.HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

	}

	/** The first service: passes the request on to B's path of the same name. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ AppA.Front.class, Open.class })
	static class AppA {

		@RestController
		static class Front {

			private final RestClient b;

			Front(RestClient.Builder builder, org.springframework.core.env.Environment environment) {
				this.b = builder.baseUrl(environment.getRequiredProperty("b.url")).build();
			}

			@GetMapping("/a/{path}")
			ResponseEntity<String> a(@PathVariable String path) {
				try {
					return ResponseEntity.ok(this.b.get().uri("/b/{path}", path).retrieve().body(String.class));
				}
				catch (HttpStatusCodeException ex) {
					return ResponseEntity.status(ex.getStatusCode()).body(ex.getResponseBodyAsString());
				}
				catch (DeadlineExceededException ex) {
					return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(ex.getMessage());
				}
			}

		}

	}

	/** The middle service: calls C behind a 5 s {@code @Timeout}, three ways. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ AppB.Middle.class, AppB.CClient.class, Open.class })
	static class AppB {

		@Bean
		Outcomes outcomes() {
			return new Outcomes();
		}

		static class Outcomes {

			final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

			// What was left of the deadline when each asynchronous task started (-1:
			// none).
			final BlockingQueue<Long> taskStarts = new LinkedBlockingQueue<>();

		}

		static class CClient {

			private final RestClient rest;

			private final WebClient web;

			private final Executor executor;

			private final Outcomes outcomes;

			CClient(RestClient.Builder rest, WebClient.Builder web, Executor applicationTaskExecutor,
					org.springframework.core.env.Environment environment, Outcomes outcomes) {
				this.outcomes = outcomes;
				String url = environment.getRequiredProperty("c.url");
				this.rest = rest.baseUrl(url).build();
				this.web = web.baseUrl(url).build();
				this.executor = applicationTaskExecutor;
			}

			@Timeout(name = "c")
			public String call() {
				return this.rest.get().uri("/c").retrieve().body(String.class);
			}

			@Timeout(name = "c")
			public CompletableFuture<String> callAsync() {
				// On the application's task executor: the outbound header needs the
				// deadline on that thread too.
				return CompletableFuture.supplyAsync(() -> {
					this.outcomes.taskStarts.add(
							dev.resilience.deadline.Deadline.remaining().map(java.time.Duration::toMillis).orElse(-1L));
					return this.rest.get().uri("/c").retrieve().body(String.class);
				}, this.executor);
			}

			@Timeout(name = "c")
			public reactor.core.publisher.Mono<String> callReactive() {
				return this.web.get().uri("/c").retrieve().bodyToMono(String.class);
			}

		}

		@RestController
		static class Middle {

			private final CClient c;

			private final Outcomes outcomes;

			Middle(CClient c, Outcomes outcomes) {
				this.c = c;
				this.outcomes = outcomes;
			}

			@GetMapping("/b/sync")
			String sync() {
				return this.c.call();
			}

			@GetMapping("/b/async")
			String async() throws Throwable {
				try {
					return this.c.callAsync().join();
				}
				catch (java.util.concurrent.CompletionException ex) {
					throw ex.getCause();
				}
			}

			@GetMapping("/b/reactive")
			String reactive() {
				return this.c.callReactive().block();
			}

			@ExceptionHandler
			ResponseEntity<String> deadline(DeadlineExceededException ex) {
				this.outcomes.failures.add(ex);
				return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(ex.getMessage());
			}

			@ExceptionHandler
			ResponseEntity<String> other(Exception ex) {
				this.outcomes.failures.add(ex);
				return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(String.valueOf(ex));
			}

		}

	}

	/** The last service: records the budget it was given and answers late. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ AppC.Back.class, Open.class })
	static class AppC {

		@Bean
		Gate gate(org.springframework.core.env.Environment environment) {
			return new Gate(environment.getRequiredProperty("c.answers-after-ms", Long.class));
		}

		static class Gate {

			final BlockingQueue<String> budgets = new LinkedBlockingQueue<>();

			final CountDownLatch release = new CountDownLatch(1);

			final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();

			final long answersAfterMillis;

			// The warm-up request is answered at once.
			final java.util.concurrent.atomic.AtomicBoolean warm = new java.util.concurrent.atomic.AtomicBoolean();

			Gate(long answersAfterMillis) {
				this.answersAfterMillis = answersAfterMillis;
			}

		}

		@RestController
		static class Back {

			private final Gate gate;

			Back(Gate gate) {
				this.gate = gate;
			}

			@GetMapping("/c")
			String c(@RequestHeader(name = BUDGET, required = false) String budget) throws InterruptedException {
				this.gate.budgets.add((budget != null) ? budget : "none");
				if (!this.gate.warm.getAndSet(true)) {
					return "C answered";
				}
				// A slow dependency: real time, as C is a real server (bounded by the
				// test's release at the latest).
				this.gate.release.await(this.gate.answersAfterMillis, TimeUnit.MILLISECONDS);
				this.gate.answered.incrementAndGet();
				return "C answered";
			}

		}

	}

}
