package dev.resilience.boot.redis;

import dev.resilience.boot.autoconfigure.ResilienceProperties;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.resilience.ratelimiter.RateLimiterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed in the middle of a run: decisions give up after the backend timeout and
 * the failure policy answers; when Redis is back, limiting resumes by itself.
 * <p>
 * The backend timeout is real time: Lettuce waits for Redis's answer on the wall clock,
 * which no fake ticker drives. So the promise that no caller is held longer than the
 * timeout is checked as a bound (the timeout plus 2 s of slack for a loaded machine),
 * never as a measure of speed, together with the count of decisions the failure policy
 * took.
 */
@Tag("redis")
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageTests {

	private static final Duration BACKEND_TIMEOUT = Duration.ofMillis(200);

	// Generous: this bounds how long a caller may be held, it does not measure speed.
	private static final Duration NO_CALLER_WAITS_LONGER_THAN = BACKEND_TIMEOUT.plusSeconds(2);

	private RedisServer server;

	private RedisClients clients;

	@BeforeEach
	void startRedis() throws Exception {
		this.server = RedisServer.start();
		this.clients = new RedisClients(this.server.port());
	}

	@AfterEach
	void stopRedis() throws Exception {
		// Whatever started is stopped, even if the server or the clients did not start.
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

	private RedisRateLimiter limiter(String name, ResilienceProperties.OnBackendFailure onFailure) {
		return this.clients.limiter(name,
				RateLimiterConfig.builder()
					.limitForPeriod(2)
					.limitRefreshPeriod(Duration.ofHours(1))
					.timeoutDuration(Duration.ZERO)
					.build(),
				onFailure, BACKEND_TIMEOUT);
	}

	@Test
	void failOpenAllowsCallsWhileRedisIsDownAndLimitsAgainWhenItIsBack() throws Exception {
		RedisRateLimiter limiter = limiter("open", ResilienceProperties.OnBackendFailure.ALLOW);
		assertThat(limiter.tryAcquirePermission(2)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(limiter.backendFailures()).isZero();
		this.server.kill();
		for (int i = 0; i < 5; i++) {
			long start = System.nanoTime();
			assertThat(limiter.tryAcquirePermission(1)).as("allowed while Redis is down").isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_CALLER_WAITS_LONGER_THAN);
		}
		assertThat(limiter.backendAvailable()).isFalse();
		assertThat(limiter.backendFailures()).as("each decision taken by the failure policy").isEqualTo(5);
		this.server.restart();
		awaitBackend(limiter);
		// The restarted Redis is empty: a fresh bucket of 2, then limiting as before.
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
	}

	@Test
	void failClosedDeniesCallsWhileRedisIsDown() throws Exception {
		RedisRateLimiter limiter = limiter("closed", ResilienceProperties.OnBackendFailure.DENY);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		this.server.kill();
		for (int i = 0; i < 5; i++) {
			long start = System.nanoTime();
			assertThat(limiter.tryAcquirePermission(1)).as("denied while Redis is down").isFalse();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_CALLER_WAITS_LONGER_THAN);
		}
		assertThat(limiter.backendAvailable()).isFalse();
		assertThat(limiter.backendFailures()).isEqualTo(5);
		this.server.restart();
		awaitBackend(limiter);
		assertThat(limiter.backendAvailable()).isTrue();
	}

	@Test
	void aRedisThatBecameAReadOnlyReplicaIsLoggedWithItsOwnError(CapturedOutput output) throws Exception {
		try (RedisServer other = RedisServer.start(); RedisClients toOther = new RedisClients(other.port())) {
			RedisRateLimiter limiter = toOther.limiter("replica", RateLimiterConfig.ofDefaults(),
					ResilienceProperties.OnBackendFailure.DENY, Duration.ofSeconds(2));
			assertThat(limiter.tryAcquirePermission(1)).isTrue();
			// A failover gone wrong: the server the application talks to is now a
			// replica.
			try (RedisConnection connection = toOther.connect().getConnection()) {
				connection.execute("REPLICAOF", bytes("127.0.0.1"), bytes(Integer.toString(this.server.port())));
			}
			assertThat(limiter.tryAcquirePermission(1)).as("denied: fail closed").isFalse();
			assertThat(limiter.backendAvailable()).isFalse();
			assertThat(output.getOut() + output.getErr()).contains("RateLimiter 'replica'")
				.contains("READONLY")
				.doesNotContain("did not answer within");
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Waits (bounded, on real I/O) until the client has reconnected and a decision was
	 * taken by Redis.
	 */
	private static void awaitBackend(RedisRateLimiter limiter) {
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			long failures = limiter.backendFailures();
			limiter.tryAcquirePermission(1);
			// The restarted Redis is empty: this permit comes from a fresh bucket, which
			// the assertions that follow take into account.
			return limiter.backendFailures() == failures && limiter.backendAvailable();
		});
	}

}
