package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.boot.actuate.endpoint.RateLimitersEndpoint;
import dev.resilience.boot.actuate.endpoint.RateLimitersEndpoint.RateLimiterDescriptor;
import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The configuration stored in Redis is the truth for every pod: each pod's
 * {@code config()} and endpoint show it, a run-time change names only the settings it
 * changes, and neither a stale pod, a pod that restarts nor a Redis that restarts empty
 * brings an older configuration back.
 */
@Tag("redis")
@Timeout(60)
class RedisConfigurationTests {

	private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(2);

	private static final AtomicInteger names = new AtomicInteger();

	private RedisServer server;

	private RedisClients clients;

	@BeforeEach
	void startRedis() {
		this.server = RedisServer.start();
		this.clients = new RedisClients(this.server.port());
	}

	@AfterEach
	void stopRedis() throws Exception {
		try {
			if (this.clients != null) {
				this.clients.close();
			}
		}
		finally {
			if (this.server != null) {
				this.server.close();
			}
		}
	}

	private static RateLimiterConfig perHour(int limit) {
		return RateLimiterConfig.builder()
			.limitForPeriod(limit)
			.limitRefreshPeriod(Duration.ofHours(1))
			.timeoutDuration(Duration.ZERO)
			.build();
	}

	private RedisRateLimiter limiter(String name, RateLimiterConfig config) {
		return this.clients.limiter(name, config, OnBackendFailure.DENY, BACKEND_TIMEOUT);
	}

	@Test
	void aStalePodThatChangesAnotherSettingKeepsTheLimitAnotherPodLowered() {
		String name = "stale-" + names.incrementAndGet();
		RateLimiterRegistry podA = this.clients.registry(perHour(10), OnBackendFailure.DENY, BACKEND_TIMEOUT);
		RateLimiterRegistry podB = this.clients.registry(perHour(10), OnBackendFailure.DENY, BACKEND_TIMEOUT);
		RateLimitersEndpoint endpointA = new RateLimitersEndpoint(podA);
		RateLimitersEndpoint endpointB = new RateLimitersEndpoint(podB);
		RateLimiter onB = podB.instance(name);
		podA.instance(name);
		assertThat(endpointA.update(name, "2", null, null, null).getStatus()).isEqualTo(200);
		// B took no decision since: its endpoint shows what Redis holds all the same.
		assertThat(config(endpointB.rateLimiter(name))).containsEntry("limitForPeriod", 2);
		assertThat(onB.tryAcquirePermission(1)).as("B draws on the lowered limit").isTrue();
		assertThat(endpointB.update(name, null, null, "1s", null).getStatus()).isEqualTo(200);
		int granted = 1;
		for (int i = 0; i < 12; i++) {
			granted += onB.tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).as("permits granted in the hour").isEqualTo(2);
		// The change of the timeout applies to every pod, and the limit stays 2.
		for (RateLimitersEndpoint endpoint : new RateLimitersEndpoint[] { endpointA, endpointB }) {
			assertThat(config(endpoint.rateLimiter(name))).containsEntry("limitForPeriod", 2)
				.containsEntry("timeoutDuration", Duration.ofSeconds(1).toString());
		}
	}

	@Test
	void aRunTimeChangeOutlivesARedisThatRestartsEmpty() throws Exception {
		String name = "restart-" + names.incrementAndGet();
		RedisRateLimiter podA = limiter(name, perHour(10));
		RedisRateLimiter podB = limiter(name, perHour(10));
		podA.reconfigure(RateLimiterConfig.from(podA.config()).limitForPeriod(2).build());
		assertThat(podB.tryAcquirePermission(1)).as("B draws on the lowered limit").isTrue();
		this.server.kill();
		this.server.restart();
		// A bounded wait on real I/O: the client reconnects by itself. The decision that
		// Redis takes first is B's first permit from the restarted (empty) Redis.
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			long failures = podB.backendFailures();
			boolean granted = podB.tryAcquirePermission(1);
			return granted && podB.backendFailures() == failures;
		});
		int granted = 1;
		for (int i = 0; i < 12; i++) {
			granted += podB.tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).as("permits granted in the hour after the restart").isEqualTo(2);
		assertThat(storedField(name, "limit")).isEqualTo("2");
		assertThat(podA.config().limitForPeriod()).isEqualTo(2);
	}

	@Test
	void aPodThatStartsWithTheDeployedConfigurationKeepsARunTimeChange() {
		String name = "scale-" + names.incrementAndGet();
		RedisRateLimiter first = limiter(name, perHour(10));
		first.reconfigure(RateLimiterConfig.from(first.config()).limitForPeriod(2).build());
		// A restart or a scale-up: a new pod with the configuration of the deploy.
		RedisRateLimiter second = limiter(name, perHour(10));
		assertThat(second.config().limitForPeriod()).isEqualTo(2);
		int granted = 0;
		for (int i = 0; i < 12; i++) {
			granted += second.tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).isEqualTo(2);
	}

	@Test
	void aPodThatStartsWithAnotherConfigurationDeploysIt() {
		String name = "deploy-" + names.incrementAndGet();
		RedisRateLimiter old = limiter(name, perHour(10));
		old.reconfigure(RateLimiterConfig.from(old.config()).limitForPeriod(2).build());
		// A deploy that changes the configuration: its pods start with the new one.
		RedisRateLimiter deployed = limiter(name, perHour(5));
		assertThat(deployed.config().limitForPeriod()).isEqualTo(5);
		assertThat(old.config().limitForPeriod()).as("every pod's view").isEqualTo(5);
		int granted = 0;
		for (int i = 0; i < 12; i++) {
			granted += old.tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).isEqualTo(5);
	}

	@Test
	void aChangeMadeWhileRedisIsDownIsStoredOnceItIsBack() throws Exception {
		String name = "offline-" + names.incrementAndGet();
		RedisRateLimiter limiter = this.clients.limiter(name, perHour(10), OnBackendFailure.DENY,
				Duration.ofMillis(200));
		this.server.kill();
		limiter.reconfigure(RateLimiterConfig.from(limiter.config()).limitForPeriod(3).build());
		assertThat(limiter.config().limitForPeriod()).as("this pod's view meanwhile").isEqualTo(3);
		this.server.restart();
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> limiter.tryAcquirePermission(1) && limiter.backendAvailable());
		await().atMost(Duration.ofSeconds(10)).until(() -> "3".equals(storedField(name, "limit")));
	}

	private static Map<String, Object> config(WebEndpointResponse<Object> response) {
		assertThat(response.getStatus()).isEqualTo(200);
		return ((RateLimiterDescriptor) response.getBody()).config();
	}

	private String storedField(String name, String field) {
		try (RedisConnection connection = this.clients.connect().getConnection()) {
			byte[] value = connection.hashCommands()
				.hGet(("resilience:ratelimiter:{" + name + "}:config").getBytes(StandardCharsets.UTF_8),
						field.getBytes(StandardCharsets.UTF_8));
			return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
		}
	}

}
