package dev.resilience.boot.shedding;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.resilience.limit.PartitionedLimiter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static dev.resilience.boot.shedding.ServletSheddingHttpTests.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load shedding of a WebFlux application on Reactor Netty, over real HTTP on a random
 * loopback port, with a limit of 2 shared by {@code critical} (share 0.5: 1 place,
 * matched by the header {@code X-Priority: critical}) and {@code default}: two held
 * {@code default} requests fill it, a third gets {@code 503} with {@code Retry-After}
 * without reaching the controller, a {@code critical} one waits and gets the place the
 * first held request gives back, the Actuator is still answered, and once the requests
 * complete their places come back; a client that goes away gives its place back too.
 */
@SpringBootTest(classes = SheddingTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"spring.main.web-application-type=reactive", "test.shedding.limit=2", "resilience.shedding.enabled=true",
		"resilience.shedding.max-wait-duration=20s", "resilience.shedding.retry-after=3s",
		"resilience.shedding.partitions.critical.share=0.5",
		"resilience.shedding.partitions.critical.match=header:X-Priority=critical",
		// Reactor Netty, as in a WebFlux application: Tomcat (for the Spring MVC tests)
		// is on the class path too.
		"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
				+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
		"management.endpoints.web.exposure.include=health", "management.health.redis.enabled=false",
		"spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ReactiveSheddingHttpTests {

	@LocalServerPort
	private int port;

	@Autowired
	private PartitionedLimiter limiter;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@Test
	void theExcessIsRejectedWithRetryAfterACriticalRequestWaitsForAPlaceAndThePlacesComeBack() throws Exception {
		CompletableFuture<String> gate = new CompletableFuture<>();
		SheddingTestApplication.GATE.set(gate);
		long rejectedBefore = this.limiter.rejected();
		CompletableFuture<HttpResponse<String>> first = send("/hold");
		CompletableFuture<HttpResponse<String>> second = send("/hold");
		awaitTrue(() -> this.limiter.inFlight() == 2, Duration.ofSeconds(10));
		HttpResponse<String> third = send("/quick").get(10, TimeUnit.SECONDS);
		assertThat(third.statusCode()).isEqualTo(503);
		assertThat(third.headers().firstValue("Retry-After")).hasValue("3");
		assertThat(third.body()).startsWith("Service Unavailable");
		assertThat(this.limiter.rejected() - rejectedBefore).isEqualTo(1);
		assertThat(send("/actuator/health").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		CompletableFuture<HttpResponse<String>> critical = send("/quick", "X-Priority", "critical");
		awaitTrue(() -> this.limiter.waiting() == 1, Duration.ofSeconds(10));
		gate.complete("held");
		assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("held");
		assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("held");
		HttpResponse<String> admitted = critical.get(10, TimeUnit.SECONDS);
		assertThat(admitted.statusCode()).isEqualTo(200);
		assertThat(admitted.body()).isEqualTo("quick");
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		assertThat(this.limiter.waiting()).isZero();
		assertThat(this.limiter.rejected() - rejectedBefore).isEqualTo(1);
		assertThat(send("/quick").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
	}

	@Test
	void aClientThatGoesAwayGivesItsPlaceBack() throws Exception {
		CompletableFuture<String> gate = new CompletableFuture<>();
		SheddingTestApplication.GATE.set(gate);
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.getOutputStream()
				.write("GET /hold HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			awaitTrue(() -> this.limiter.inFlight() == 1, Duration.ofSeconds(10));
		}
		// The connection closed: the server cancels the chain.
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		gate.complete("late");
	}

	private CompletableFuture<HttpResponse<String>> send(String path, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
