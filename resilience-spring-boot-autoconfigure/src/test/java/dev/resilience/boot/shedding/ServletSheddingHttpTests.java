package dev.resilience.boot.shedding;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.PartitionedLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Load shedding of a Spring MVC application on Tomcat, over real HTTP on a random
 * loopback port: a limit of 10 shared by {@code critical} (share 0.3: 3 places; matched
 * by {@code path:/orders/**} or the header {@code X-Priority: critical}) and
 * {@code default}. A flood of slow {@code default} requests saturates the limit; the
 * {@code critical} requests keep their share (their success rate is measured and must
 * stay at or above 95 %), the excess gets {@code 503} with {@code Retry-After}, the
 * Actuator is never shed, and once the flood is over every place has come back.
 */
@SpringBootTest(classes = SheddingTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.shedding.limit=10", "resilience.shedding.enabled=true",
				"resilience.shedding.retry-after=1500ms", "resilience.shedding.max-wait-duration=1s",
				"resilience.shedding.partitions.critical.share=0.3",
				"resilience.shedding.partitions.critical.match=path:/orders/**,header:X-Priority=critical",
				"management.endpoints.web.exposure.include=health", "management.endpoint.health.show-details=always",
				"server.tomcat.threads.max=100",
				// Spring Data Redis is on the test class path; no Redis runs here.
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class ServletSheddingHttpTests {

	static final double CRITICAL_SUCCESS_BOUND = 0.95;

	private static final int FLOODERS = 40;

	private static final int CRITICAL_CLIENTS = 3;

	private static final int CRITICAL_REQUESTS = 40;

	@LocalServerPort
	private int port;

	@Autowired
	private PartitionedLimiter limiter;

	@Autowired
	@Qualifier("resilienceSheddingLimit")
	private AdaptiveLimit limit;

	@Autowired
	private MeterRegistry meters;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final ExecutorService executor = Executors.newFixedThreadPool(FLOODERS + CRITICAL_CLIENTS + 1);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	@Test
	void aDefaultFloodIsShedWhileCriticalRequestsKeepTheirShare() throws Exception {
		AtomicBoolean flooding = new AtomicBoolean(true);
		AtomicInteger defaultOk = new AtomicInteger();
		AtomicInteger shed = new AtomicInteger();
		AtomicInteger badRetryAfter = new AtomicInteger();
		AtomicInteger other = new AtomicInteger();
		long rejectedBefore = this.limiter.rejected();
		List<Future<?>> flood = new ArrayList<>();
		for (int i = 0; i < FLOODERS; i++) {
			flood.add(this.executor.submit(() -> {
				while (flooding.get()) {
					HttpResponse<String> response = get("/cheap");
					if (response.statusCode() == 200) {
						defaultOk.incrementAndGet();
					}
					else if (response.statusCode() == 503) {
						shed.incrementAndGet();
						if (!"2".equals(response.headers().firstValue("Retry-After").orElse(null))) {
							badRetryAfter.incrementAndGet();
						}
						// A client that backs off a little, as Retry-After asks (less
						// so).
						Thread.sleep(5);
					}
					else {
						other.incrementAndGet();
					}
				}
				return null;
			}));
		}
		// The flood saturates the limit before the critical clients start.
		awaitTrue(() -> shed.get() > 50, Duration.ofSeconds(30));
		AtomicInteger criticalOk = new AtomicInteger();
		AtomicInteger criticalShed = new AtomicInteger();
		List<Future<?>> critical = new ArrayList<>();
		for (int c = 0; c < CRITICAL_CLIENTS; c++) {
			int client = c;
			critical.add(this.executor.submit(() -> {
				for (int i = 0; i < CRITICAL_REQUESTS; i++) {
					// By path, and by header on the cheap endpoint.
					HttpResponse<String> response = ((i + client) % 2 == 0) ? get("/orders/" + i)
							: get("/cheap", "X-Priority", "critical");
					if (response.statusCode() == 200) {
						criticalOk.incrementAndGet();
					}
					else {
						criticalShed.incrementAndGet();
					}
				}
				return null;
			}));
		}
		int probesOk = 0;
		for (int i = 0; i < 5; i++) {
			if (get("/actuator/health").statusCode() == 200) {
				probesOk++;
			}
		}
		HttpResponse<String> details = get("/actuator/health/loadShedding");
		for (Future<?> future : critical) {
			future.get(120, TimeUnit.SECONDS);
		}
		flooding.set(false);
		for (Future<?> future : flood) {
			future.get(60, TimeUnit.SECONDS);
		}
		int criticalTotal = CRITICAL_CLIENTS * CRITICAL_REQUESTS;
		double criticalSuccess = criticalOk.get() / (double) criticalTotal;
		System.out.printf("load shedding: critical %d/%d ok (%.1f %%), default %d ok, %d shed (503)%n",
				criticalOk.get(), criticalTotal, 100 * criticalSuccess, defaultOk.get(), shed.get());
		assertThat(criticalSuccess).as("critical success rate").isGreaterThanOrEqualTo(CRITICAL_SUCCESS_BOUND);
		assertThat(shed.get()).as("default requests shed").isGreaterThan(50);
		assertThat(defaultOk.get()).as("default requests served (borrowing)").isGreaterThan(0);
		assertThat(badRetryAfter.get()).as("503 without Retry-After: 2").isZero();
		assertThat(other.get()).isZero();
		assertThat(probesOk).as("health probes answered during the flood").isEqualTo(5);
		assertThat(details.statusCode()).isEqualTo(200);
		assertThat(details.body()).contains("\"status\":\"UP\"").contains("\"limit\":10").contains("\"critical\"");
		// Every place comes back once the last responses are out (released after them).
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		assertThat(this.limiter.waiting()).isZero();
		assertThat(this.limiter.inFlight(0)).isZero();
		assertThat(this.limiter.inFlight(1)).isZero();
		assertThat(this.limiter.rejected() - rejectedBefore).isEqualTo(shed.get() + criticalShed.get());
		assertThat(
				this.meters.get("resilience.shedding.rejected").tag("partition", "default").functionCounter().count())
			.isEqualTo(this.limiter.rejected(0));
	}

	@Test
	void anAsynchronousRequestGivesItsPlaceBackOnceWhenItCompletes() throws Exception {
		PinnedLimit pinned = (PinnedLimit) this.limit;
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		long samples = pinned.samples.get();
		assertThat(get("/async").body()).isEqualTo("done");
		awaitTrue(() -> pinned.samples.get() == samples + 1, Duration.ofSeconds(10));
		assertThat(this.limiter.inFlight()).isZero();
		// Still one sample a little later: no second release.
		assertThat(get("/orders/1").statusCode()).isEqualTo(200);
		awaitTrue(() -> pinned.samples.get() == samples + 2, Duration.ofSeconds(10));
		assertThat(this.limiter.inFlight()).isZero();
	}

	@Test
	void aServerErrorIsSampledAsADropAndActuatorRequestsAreNotCounted() throws Exception {
		PinnedLimit pinned = (PinnedLimit) this.limit;
		awaitTrue(() -> this.limiter.inFlight() == 0, Duration.ofSeconds(10));
		long samples = pinned.samples.get();
		long drops = pinned.drops.get();
		assertThat(get("/boom").statusCode()).isEqualTo(500);
		awaitTrue(() -> pinned.drops.get() == drops + 1, Duration.ofSeconds(10));
		long afterBoom = pinned.samples.get();
		assertThat(afterBoom).isEqualTo(samples + 1);
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(get("/orders/2").statusCode()).isEqualTo(200);
		// The sample of /orders/2 only: the probe was not admitted, so not sampled.
		awaitTrue(() -> pinned.samples.get() == afterBoom + 1, Duration.ofSeconds(10));
		assertThat(pinned.samples.get()).isEqualTo(afterBoom + 1);
	}

	private HttpResponse<String> get(String path, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	// A bounded wait, only around real I/O.
	static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
			Thread.sleep(5);
		}
		assertThat(condition.getAsBoolean()).as("condition within " + timeout).isTrue();
	}

}
