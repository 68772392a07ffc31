package dev.resilience.boot.redis;

import dev.resilience.boot.autoconfigure.ResilienceProperties;

import java.time.Duration;

import dev.resilience.ratelimiter.RateLimiterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis killed in the middle of a run: decisions give up after the backend timeout and
 * the failure policy answers; when Redis is back, limiting resumes by itself.
 */
@Timeout(60)
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
		this.clients.close();
		this.server.close();
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
		this.server.kill();
		for (int i = 0; i < 5; i++) {
			long start = System.nanoTime();
			assertThat(limiter.tryAcquirePermission(1)).as("allowed while Redis is down").isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_CALLER_WAITS_LONGER_THAN);
		}
		assertThat(limiter.backendAvailable()).isFalse();
		assertThat(limiter.backendFailures()).isGreaterThanOrEqualTo(5);
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
		this.server.restart();
		awaitBackend(limiter);
		assertThat(limiter.backendAvailable()).isTrue();
	}

	/**
	 * Waits (bounded) until the client has reconnected and a decision was taken by Redis.
	 */
	private static void awaitBackend(RedisRateLimiter limiter) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		long failures = limiter.backendFailures();
		while (System.nanoTime() - deadline < 0) {
			limiter.tryAcquirePermission(1);
			if (limiter.backendFailures() == failures && limiter.backendAvailable()) {
				// The last decision was Redis's: undo nothing, the bucket is fresh
				// anyway.
				return;
			}
			failures = limiter.backendFailures();
			Thread.sleep(100);
		}
		throw new AssertionError("Redis did not answer again within 30 s");
	}

}
