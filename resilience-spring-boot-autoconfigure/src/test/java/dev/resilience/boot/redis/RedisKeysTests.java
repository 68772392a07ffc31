package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-key buckets in Redis: {@code max-keys} bounds what an instance holds there, the
 * instance reports the real count, distinct keys never share a bucket, and per-key
 * decisions leave the instance's own figure alone.
 */
@Tag("redis")
@Timeout(120)
class RedisKeysTests {

	private static final AtomicInteger names = new AtomicInteger();

	private static RedisServer server;

	private final RedisClients clients = new RedisClients(server.port());

	@BeforeAll
	static void startRedis() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		if (server != null) {
			server.close();
		}
	}

	@AfterEach
	void closeClients() {
		this.clients.close();
	}

	private RedisRateLimiter limiter(String name, RateLimiterConfig.Builder config) {
		return this.clients.limiter(name, config.timeoutDuration(Duration.ZERO).build(), OnBackendFailure.DENY,
				Duration.ofSeconds(2));
	}

	private static RateLimiterConfig.Builder perHour(int limit) {
		return RateLimiterConfig.builder().limitForPeriod(limit).limitRefreshPeriod(Duration.ofHours(1));
	}

	@Test
	void maxKeysBoundsTheBucketsAnInstanceHoldsInRedis() {
		String name = "flood-" + names.incrementAndGet();
		RedisRateLimiter limiter = limiter(name, perHour(2).maxKeys(100));
		int granted = 0;
		for (int i = 0; i < 3_000; i++) {
			// 1 KB keys, all distinct.
			String key = String.format("%04d", i) + "x".repeat(1020);
			granted += limiter.forKey(key).tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).as("new keys granted while 100 buckets are refilling").isEqualTo(100);
		assertThat(limiter.metrics().liveKeys()).isEqualTo(100);
		List<String> stored = keys("resilience:ratelimiter:{" + name + "}:*");
		// The buckets, the configuration and the set of live keys.
		assertThat(stored).hasSize(102);
		// A long key is stored by its digest: what a key costs Redis does not grow with
		// it.
		assertThat(stored).allSatisfy((key) -> assertThat(key.length()).isLessThan(200));
		assertThat(limiter.forKey("0000" + "x".repeat(1020)).tryAcquirePermission(1))
			.as("a known key is served as before")
			.isTrue();
		assertThat(limiter.metrics().totalRejectedCalls()).isEqualTo(2_900);
	}

	@Test
	void aNewKeyIsServedOnceAStoredBucketHasRefilled() {
		RedisRateLimiter limiter = limiter("refill-" + names.incrementAndGet(),
				RateLimiterConfig.builder().limitForPeriod(2).limitRefreshPeriod(Duration.ofSeconds(1)).maxKeys(2));
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).isTrue();
		assertThat(limiter.forKey("bob").tryAcquirePermission(1)).isTrue();
		assertThat(limiter.forKey("cid").tryAcquirePermission(1)).as("two buckets refilling").isFalse();
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).as("a known key").isTrue();
		// A bounded wait on Redis's clock: bob's bucket is full again within half a
		// second, and its place goes to a new key.
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> limiter.forKey("cid").tryAcquirePermission(1));
		assertThat(limiter.metrics().liveKeys()).isBetween(1L, 2L);
	}

	@Test
	void distinctKeysNeverShareABucket() {
		RedisRateLimiter limiter = limiter("distinct-" + names.incrementAndGet(), perHour(1));
		Object[] keys = { 1, "1", 1L, "\uD800", "\uDC00", "?", "\uFFFD", "a:b", "a", "x".repeat(300) + "1",
				"x".repeat(300) + "2", true, "true" };
		for (Object key : keys) {
			assertThat(limiter.forKey(key).tryAcquirePermission(1)).as("the first permit of key %s", key).isTrue();
		}
		for (Object key : keys) {
			assertThat(limiter.forKey(key).tryAcquirePermission(1)).as("the second permit of key %s", key).isFalse();
		}
	}

	@Test
	void equalKeysShareABucket() {
		RedisRateLimiter limiter = limiter("equal-" + names.incrementAndGet(), perHour(1));
		assertThat(limiter.forKey(Integer.valueOf(7)).tryAcquirePermission(1)).isTrue();
		assertThat(limiter.forKey(7).tryAcquirePermission(1)).isFalse();
		assertThat(limiter.forKey(new String("ann")).tryAcquirePermission(1)).isTrue();
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).isFalse();
	}

	@Test
	void aKeyIsReadableInRedis() {
		String name = "readable-" + names.incrementAndGet();
		RedisRateLimiter limiter = limiter(name, perHour(1));
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).isTrue();
		assertThat(limiter.forKey(42).tryAcquirePermission(1)).isTrue();
		assertThat(keys("resilience:ratelimiter:{" + name + "}:bucket:*")).containsExactlyInAnyOrder(
				"resilience:ratelimiter:{" + name + "}:bucket:s:ann",
				"resilience:ratelimiter:{" + name + "}:bucket:i:42");
	}

	@Test
	void theInstancesAvailablePermissionsAreItsSharedBucketsWhateverKeysDecide() {
		RedisRateLimiter limiter = limiter("figure-" + names.incrementAndGet(), perHour(10));
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(9);
		assertThat(limiter.forKey("ann").tryAcquirePermission(10)).isTrue();
		RateLimiter bob = limiter.forKey("bob");
		assertThat(bob.tryAcquirePermission(4)).isTrue();
		assertThat(limiter.metrics().availablePermissions()).as("the shared bucket's level").isEqualTo(9);
		assertThat(bob.metrics().availablePermissions()).as("bob's bucket's level").isEqualTo(6);
	}

	private List<String> keys(String pattern) {
		List<String> found = new ArrayList<>();
		try (RedisConnection connection = this.clients.connect().getConnection();
				Cursor<byte[]> cursor = connection.keyCommands()
					.scan(ScanOptions.scanOptions().match(pattern).count(1_000).build())) {
			cursor.forEachRemaining((key) -> found.add(new String(key, StandardCharsets.UTF_8)));
		}
		return found;
	}

}
