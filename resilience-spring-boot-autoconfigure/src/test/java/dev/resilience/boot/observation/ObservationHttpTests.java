package dev.resilience.boot.observation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Retry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.reactivex.rxjava3.core.Single;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Observations in a real application over HTTP, with Spring Boot's own handlers: the
 * spans of a call, of its attempts, and of the HTTP client requests the method makes,
 * nested call, attempt, request, for every return type; and the {@code resilience.call}
 * timer, its histogram and the rejection counter in a Prometheus scrape.
 */
@SpringBootTest(classes = ObservationHttpTests.TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=prometheus",
				"management.metrics.distribution.percentiles-histogram.resilience.call=true",
				"resilience.retry.instances.downstream.max-attempts=3",
				"resilience.retry.instances.downstream.wait-duration=0",
				"resilience.circuitbreaker.instances.downstream.minimum-number-of-calls=100",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ObservationHttpTests {

	private static final Duration BOUND = Duration.ofSeconds(10);

	@LocalServerPort
	private int port;

	@Autowired
	private SimpleTracer tracer;

	@Autowired
	private Client client;

	@Autowired
	private Downstream downstream;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@BeforeEach
	void startClean() {
		this.tracer.getSpans().clear();
		this.downstream.calls.set(0);
		this.circuitBreakers.instance("downstream").reset();
	}

	@Test
	void aPlainCallsHttpRequestsNestUnderItsAttemptsWhichNestUnderTheCall() throws InterruptedException {
		this.downstream.failures.set(1);
		assertThat(this.client.plain()).isEqualTo("answer 2");
		assertNesting("Client.plain");
	}

	@Test
	void aFuturesHttpRequestsNestUnderItsAttemptsWhichNestUnderTheCall() throws InterruptedException {
		this.downstream.failures.set(1);
		assertThat(this.client.future()).succeedsWithin(BOUND).isEqualTo("answer 2");
		assertNesting("Client.future");
	}

	@Test
	void aMonosWebClientExchangesNestUnderItsAttemptsWhichNestUnderTheCall() throws InterruptedException {
		this.downstream.failures.set(1);
		assertThat(this.client.mono().block(BOUND)).isEqualTo("answer 2");
		assertNesting("Client.mono");
	}

	@Test
	void aFluxsWebClientExchangesNestUnderItsAttemptsWhichNestUnderTheCall() throws InterruptedException {
		this.downstream.failures.set(1);
		assertThat(this.client.flux().collectList().block(BOUND)).containsExactly("answer 2");
		assertNesting("Client.flux");
	}

	@Test
	void aSinglesHttpRequestsMadeWhenItIsSubscribedNestUnderItsAttemptsWhichNestUnderTheCall()
			throws InterruptedException {
		this.downstream.failures.set(1);
		assertThat(this.client.single().blockingGet()).isEqualTo("answer 2");
		assertNesting("Client.single");
	}

	@Test
	void theCallTimerItsHistogramTheAttemptsAndRejectionsAreScraped() throws Exception {
		// Every return type's calls are timed.
		assertThat(this.client.future()).succeedsWithin(BOUND);
		assertThat(this.client.mono().block(BOUND)).isNotNull();
		assertThat(this.client.flux().collectList().block(BOUND)).isNotEmpty();
		assertThat(this.client.single().blockingGet()).isNotNull();
		this.downstream.failures.set(1);
		this.client.plain();
		this.circuitBreakers.instance("downstream")
			.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.FORCED_OPEN);
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(this.client::plain);
		String scrape = scrape();
		String labels = "error=\"none\",resilience_bulkhead=\"none\",resilience_circuitbreaker=\"downstream\","
				+ "resilience_method=\"Client.plain\",resilience_outcome=\"success\",resilience_ratelimiter=\"none\","
				+ "resilience_retry=\"downstream\",resilience_timeout=\"none\"";
		assertThat(scrape).contains("resilience_call_seconds_count{" + labels + "} 1");
		for (String method : List.of("future", "mono", "flux", "single")) {
			assertThat(scrape)
				.containsPattern("resilience_call_seconds_count\\{error=\"none\",.*resilience_method=\"Client." + method
						+ "\",resilience_outcome=\"success\".*} [1-9]");
		}
		assertThat(scrape)
			.containsPattern("resilience_call_seconds_bucket\\{" + labels.replace("{", "\\{") + ",le=\"[0-9.]+\"} 1");
		assertThat(scrape).contains("resilience_call_seconds_count{error=\"CallNotPermittedException\","
				+ "resilience_bulkhead=\"none\",resilience_circuitbreaker=\"downstream\","
				+ "resilience_method=\"Client.plain\",resilience_outcome=\"rejected\"");
		// The rejection events, counted with the call's keys at its start (the outcome
		// is known at its end).
		assertThat(scrape).contains("resilience_call_rejected_total{resilience_bulkhead=\"none\","
				+ "resilience_circuitbreaker=\"downstream\",resilience_method=\"Client.plain\","
				+ "resilience_ratelimiter=\"none\",resilience_retry=\"downstream\",resilience_timeout=\"none\"} 1");
		assertThat(scrape).contains("resilience_attempt_seconds_count{error=\"InternalServerError\","
				+ "resilience_method=\"Client.plain\",resilience_outcome=\"failure\",resilience_retry=\"downstream\"} 1");
		assertThat(scrape).contains("resilience_call_active_seconds_max{");
	}

	private void assertNesting(String method) {
		Deque<SimpleSpan> spans = this.tracer.getSpans();
		// A WebClient's exchange may end on its own thread just after the caller got
		// the body: wait (bounded, real I/O) for both client spans to end.
		await().atMost(BOUND)
			.pollInterval(Duration.ofMillis(10))
			.until(() -> spans.stream()
				.filter((span) -> span.getKind() == io.micrometer.tracing.Span.Kind.CLIENT
						&& span.getEndTimestamp().toEpochMilli() > 0)
				.count() >= 2);
		SimpleSpan call = single(spans, (span) -> method.equals(span.getName()));
		List<SimpleSpan> attempts = spans.stream()
			.filter((span) -> (method + " attempt").equals(span.getName()))
			.toList();
		assertThat(attempts).hasSize(2)
			.allSatisfy((attempt) -> assertThat(attempt.getParentId()).isEqualTo(call.getSpanId()));
		// The client's spans (the server's, of the same requests, are roots of their own
		// traces here: no propagation).
		List<SimpleSpan> requests = spans.stream()
			.filter((span) -> span.getKind() == io.micrometer.tracing.Span.Kind.CLIENT)
			.toList();
		assertThat(requests).as("the HTTP client's spans").hasSize(2);
		assertThat(requests).map(SimpleSpan::getParentId)
			.containsExactlyInAnyOrderElementsOf(attempts.stream().map(SimpleSpan::getSpanId).toList());
		assertThat(call.getTags()).containsEntry("resilience.outcome", "success")
			.containsEntry("resilience.method", method);
		assertThat(attempts)
			.anySatisfy((attempt) -> assertThat(attempt.getTags()).containsEntry("resilience.attempt.number", "1")
				.containsEntry("resilience.outcome", "failure"));
	}

	private static SimpleSpan single(Deque<SimpleSpan> spans, Predicate<SimpleSpan> which) {
		List<SimpleSpan> found = spans.stream().filter(which).toList();
		assertThat(found).as("spans %s", spans.stream().map(SimpleSpan::getName).toList()).hasSize(1);
		return found.get(0);
	}

	private String scrape() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/prometheus"))
				.timeout(BOUND)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		SecurityFilterChain openEverything(HttpSecurity http) throws Exception {
			http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll()).csrf((csrf) -> csrf.disable());
			return http.build();
		}

		@Bean
		SimpleTracer simpleTracer() {
			return new SimpleTracer();
		}

		// Spring Boot registers observation handler beans with its registry; the tracing
		// ones as Micrometer Tracing's own configuration would: the first that supports
		// a context handles it.
		@Bean
		ObservationHandler<?> tracingHandlers(SimpleTracer tracer) {
			return new ObservationHandler.FirstMatchingCompositeObservationHandler(
					new PropagatingSenderTracingObservationHandler<>(tracer, Propagator.NOOP),
					new DefaultTracingObservationHandler(tracer));
		}

		@Bean
		Downstream downstream() {
			return new Downstream();
		}

		@Bean
		Client client(ObservationRegistry registry, Environment environment) {
			return new Client(registry, environment);
		}

	}

	/** Fails as many times as told with a 500, then answers. */
	@RestController
	static class Downstream {

		final AtomicInteger failures = new AtomicInteger();

		final AtomicInteger calls = new AtomicInteger();

		@GetMapping("/downstream")
		String answer() {
			int call = this.calls.incrementAndGet();
			if (this.failures.getAndDecrement() > 0) {
				throw new ResponseStatusException(HttpStatus.INTERNAL_SERVER_ERROR, "down");
			}
			return "answer " + call;
		}

	}

	/**
	 * Calls the downstream with Spring's HTTP clients, observed by the application's
	 * registry.
	 */
	@Retry(name = "downstream")
	@CircuitBreaker(name = "downstream")
	static class Client {

		private final ObservationRegistry registry;

		private final Environment environment;

		Client(ObservationRegistry registry, Environment environment) {
			this.registry = registry;
			this.environment = environment;
		}

		public String plain() {
			return restClient().get().uri("/downstream").retrieve().body(String.class);
		}

		public CompletableFuture<String> future() {
			return CompletableFuture.completedFuture(plain());
		}

		public Mono<String> mono() {
			return webClient().get().uri("/downstream").retrieve().bodyToMono(String.class);
		}

		public Flux<String> flux() {
			return webClient().get().uri("/downstream").retrieve().bodyToFlux(String.class);
		}

		public Single<String> single() {
			// Lazy: the request is made when the Single is subscribed.
			return Single.fromCallable(this::plainRequest);
		}

		private String plainRequest() {
			return restClient().get().uri("/downstream").retrieve().body(String.class);
		}

		private String baseUrl() {
			return "http://localhost:" + this.environment.getProperty("local.server.port");
		}

		private RestClient restClient() {
			return RestClient.builder().baseUrl(baseUrl()).observationRegistry(this.registry).build();
		}

		private WebClient webClient() {
			return WebClient.builder()
				.baseUrl(baseUrl())
				.clientConnector(new JdkClientHttpConnector())
				.observationRegistry(this.registry)
				.build();
		}

	}

}
