package dev.resilience.boot.redis;

import dev.resilience.boot.autoconfigure.ResilienceProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Rate limiting shared through a real Redis: several clients ("pods") draw from one
 * budget, keys are isolated, and a run-time change applies to every client.
 */
@Tag("redis")
@Timeout(60)
class RedisRateLimiterTests {

	private static RedisServer server;

	private final RedisClients clients = new RedisClients(server.port());

	private static final AtomicInteger names = new AtomicInteger();

	@BeforeAll
	static void startRedis() throws Exception {
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

	private static RateLimiterConfig perHour(int limit) {
		return RateLimiterConfig.builder()
			.limitForPeriod(limit)
			.limitRefreshPeriod(Duration.ofHours(1))
			.timeoutDuration(Duration.ZERO)
			.build();
	}

	private RedisRateLimiter limiter(String name, RateLimiterConfig config) {
		return this.clients.limiter(name, config, ResilienceProperties.OnBackendFailure.DENY, Duration.ofSeconds(2));
	}

	@Test
	void twoApplicationInstancesShareOneBudgetExactly() throws Exception {
		String name = "quota-" + names.incrementAndGet();
		List<RateLimiter> pods = List.of(limiter(name, perHour(25)), limiter(name, perHour(25)));
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			CountDownLatch start = new CountDownLatch(1);
			AtomicInteger granted = new AtomicInteger();
			List<Future<?>> callers = new ArrayList<>();
			for (int thread = 0; thread < 8; thread++) {
				RateLimiter pod = pods.get(thread % 2);
				callers.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < 20; i++) {
						if (pod.tryAcquirePermission(1)) {
							granted.incrementAndGet();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> caller : callers) {
				caller.get(30, TimeUnit.SECONDS);
			}
			// 160 attempts against a bucket of 25 that refills one permit per 144 s.
			assertThat(granted).hasValue(25);
			long permitted = pods.stream().mapToLong((pod) -> pod.metrics().totalPermittedCalls()).sum();
			long rejected = pods.stream().mapToLong((pod) -> pod.metrics().totalRejectedCalls()).sum();
			assertThat(permitted).isEqualTo(25);
			assertThat(permitted + rejected).isEqualTo(160);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void eachKeyHasItsOwnBucketInRedis() {
		RedisRateLimiter limiter = limiter("api-" + names.incrementAndGet(), perHour(2));
		assertThat(limiter.forKey("ann").tryAcquirePermission(2)).isTrue();
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).isFalse();
		assertThat(limiter.forKey("bob").tryAcquirePermission(2)).isTrue();
		assertThat(limiter.tryAcquirePermission(2)).as("the shared bucket is apart").isTrue();
		assertThat(limiter.metrics().totalPermittedCalls()).isEqualTo(3);
	}

	@Test
	void aRejectionSaysWhenThePermitsWillBeThere() {
		RedisRateLimiter limiter = limiter("hint-" + names.incrementAndGet(), perHour(1));
		limiter.acquirePermission(1);
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.acquirePermission(1))
			.satisfies((ex) -> assertThat(Duration.ofNanos(ex.retryAfterNanos())).isBetween(Duration.ofMinutes(59),
					Duration.ofHours(1)));
	}

	@Test
	void aRunTimeChangeAppliesToEveryApplicationInstance() {
		String name = "shared-" + names.incrementAndGet();
		RedisRateLimiter first = limiter(name, perHour(1));
		RedisRateLimiter second = limiter(name, perHour(1));
		assertThat(second.tryAcquirePermission(1)).isTrue();
		assertThat(second.tryAcquirePermission(1)).isFalse();
		first.reconfigure(perHour(3));
		// The second instance still has its own configuration of 1, yet draws on the new
		// 3.
		assertThat(second.tryAcquirePermission(1)).isTrue();
		assertThat(second.tryAcquirePermission(1)).isTrue();
		assertThat(second.tryAcquirePermission(1)).isFalse();
	}

	@Test
	void aConnectionTheFactoryClosesIsReplacedByANewOne() {
		LettuceConnectionFactory factory = this.clients.connect();
		RedisRateLimiter limiter = this.clients.limiter("reset-" + names.incrementAndGet(), perHour(5),
				ResilienceProperties.OnBackendFailure.DENY, Duration.ofSeconds(2), factory);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		// Closes the shared connection for good, as a reset or a stop of the factory
		// does.
		factory.resetConnection();
		// A bounded wait on real I/O: the decision on the closed connection fails (and
		// takes nothing); the next ones are Redis's on a new connection.
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
			long failures = limiter.backendFailures();
			boolean granted = limiter.tryAcquirePermission(1);
			return granted && limiter.backendFailures() == failures;
		});
		assertThat(limiter.backendFailures()).isLessThanOrEqualTo(1);
		int granted = 0;
		for (int i = 0; i < 5; i++) {
			granted += limiter.tryAcquirePermission(1) ? 1 : 0;
		}
		assertThat(granted).as("the rest of the budget of 5").isEqualTo(3);
	}

	@Test
	void moreThanTheBurstCapacityIsRefused() {
		RedisRateLimiter limiter = limiter("big-" + names.incrementAndGet(), perHour(2));
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> limiter.tryAcquirePermission(3))
			.withMessageContaining("burst capacity 2");
	}

}
