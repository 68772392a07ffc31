package dev.resilience.boot.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first decisions after startup: on a healthy Redis they are Redis's (the connection
 * is open and the script loaded when the limiter is created), and a Redis that is down or
 * mute at startup neither stops the application nor holds a caller longer than the
 * backend timeout. Each test has a Redis of its own, so that its script cache starts
 * empty, and an application context of its own, so that its connection starts cold.
 */
@Tag("redis")
@Timeout(120)
class RedisWarmUpTests {

	private static final int BUDGET = 10;

	// Generous: this bounds how long a caller may be held, it does not measure speed.
	private static final Duration NO_CALLER_WAITS_LONGER_THAN = RedisRateLimiterFactory.DEFAULT_BACKEND_TIMEOUT
		.plusSeconds(2);

	private static ApplicationContextRunner application(int port, String policy) {
		// Bounds Lettuce's own waits, so that a Redis that never answers is given up
		// sooner than Lettuce's default minute.
		return applicationWithLettuceDefaults(port, policy).withPropertyValues("spring.data.redis.timeout=3s",
				"spring.data.redis.connect-timeout=1s");
	}

	private static ApplicationContextRunner applicationWithLettuceDefaults(int port, String policy) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					ResilienceAutoConfiguration.class, ResilienceRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
					"resilience.ratelimiter.instances.partner.backend=redis",
					"resilience.ratelimiter.instances.partner.on-backend-failure=" + policy,
					"resilience.ratelimiter.instances.partner.limit-for-period=" + BUDGET,
					"resilience.ratelimiter.instances.partner.limit-refresh-period=1h",
					"resilience.ratelimiter.instances.partner.timeout-duration=0");
	}

	private static RedisRateLimiter partner(ConfigurableApplicationContext context) {
		return (RedisRateLimiter) context.getBean(RateLimiterRegistry.class).instance("partner");
	}

	@Test
	void theFirstBurstAfterStartupOnAHealthyRedisGetsExactlyTheBudget() throws Exception {
		try (RedisServer server = RedisServer.start(); RedisClients clients = new RedisClients(server.port())) {
			application(server.port(), "allow").run((context) -> {
				RedisRateLimiter limiter = partner(context);
				assertThat(limiter.backendTimeout()).isEqualTo(Duration.ofMillis(100));
				try (RedisConnection observer = clients.connect().getConnection()) {
					Properties before = observer.serverCommands().info("commandstats");
					int granted = burst(limiter, BUDGET + 2);
					assertThat(limiter.backendFailures()).as("decisions the failure policy took").isZero();
					assertThat(granted).isEqualTo(BUDGET);
					// Each decision was one EVALSHA of the loaded script: no EVAL after a
					// NOSCRIPT, no script loaded on the call path (each of the three
					// scripts was loaded once, when connecting).
					Properties after = observer.serverCommands().info("commandstats");
					assertThat(calls(after, "evalsha") - calls(before, "evalsha")).isEqualTo(BUDGET + 2);
					assertThat(calls(after, "eval")).as("EVAL").isZero();
					assertThat(calls(after, "script|load") + calls(after, "script")).as("SCRIPT LOAD").isEqualTo(3);
				}
			});
		}
	}

	/**
	 * Reads how often Redis ran a command from {@code INFO commandstats}
	 * ({@code cmdstat_evalsha:calls=12,usec=...}).
	 */
	private static long calls(Properties commandStats, String command) {
		String stats = commandStats.getProperty("cmdstat_" + command);
		if (stats == null) {
			return 0;
		}
		String calls = stats.substring(stats.indexOf("calls=") + 6);
		return Long.parseLong(calls.substring(0, calls.indexOf(',')));
	}

	@Test
	void theScriptsAreLoadedWhenTheLimiterIsCreatedBeforeAnyDecision() throws Exception {
		try (RedisServer server = RedisServer.start(); RedisClients clients = new RedisClients(server.port())) {
			application(server.port(), "allow").run((context) -> {
				RedisRateLimiter limiter = partner(context);
				assertThat(limiter.metrics().totalPermittedCalls()).isZero();
				try (RedisConnection connection = clients.connect().getConnection()) {
					assertThat(connection.scriptingCommands()
						.scriptExists(RedisGcra.DECIDE.sha, RedisGcra.GIVE_BACK.sha, RedisGcra.CONFIGURE.sha))
						.containsExactly(true, true, true);
				}
			});
		}
	}

	@Test
	void anApplicationStartsWhileRedisIsDownAndLimitsOnceRedisIsUp() throws Exception {
		int port = freePort();
		application(port, "deny").run((context) -> {
			assertThat(context).hasNotFailed();
			RedisRateLimiter limiter = partner(context);
			assertThat(limiter.backendAvailable()).as("available before Redis ever answered").isFalse();
			long start = System.nanoTime();
			assertThat(limiter.tryAcquirePermission(1)).as("denied: fail closed").isFalse();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_CALLER_WAITS_LONGER_THAN);
			assertThat(limiter.backendFailures()).isEqualTo(1);
			try (RedisServer server = RedisServer.startOn(port); RedisClients clients = new RedisClients(port)) {
				// A bounded wait on real I/O: the limiter connects on a later decision.
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(50))
					.until(() -> limiter.tryAcquirePermission(1) && limiter.backendAvailable());
				assertThat(burst(limiter, BUDGET + 2)).as("the rest of the budget").isEqualTo(BUDGET - 1);
				// The configuration this instance started with is stored once Redis is
				// there, as it would have been at startup.
				try (RedisConnection connection = clients.connect().getConnection()) {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> connection.hashCommands()
							.hGetAll(bytes("resilience:ratelimiter:{partner}:config")),
								(stored) -> stored != null && stored.size() == 6);
					Map<byte[], byte[]> stored = connection.hashCommands()
						.hGetAll(bytes("resilience:ratelimiter:{partner}:config"));
					assertThat(stored.entrySet()).anySatisfy((entry) -> {
						assertThat(new String(entry.getKey(), StandardCharsets.UTF_8)).isEqualTo("limit");
						assertThat(new String(entry.getValue(), StandardCharsets.UTF_8)).isEqualTo("10");
					});
				}
			}
		});
	}

	@Test
	void aRedisThatAcceptsConnectionsButNeverAnswersHoldsNoCallerLongerThanTheBackendTimeout() throws Exception {
		try (MuteServer mute = new MuteServer()) {
			long startup = System.nanoTime();
			application(mute.port(), "allow").run((context) -> {
				assertThat(context).hasNotFailed();
				// Startup waits a bounded time for Redis, then goes on without it.
				assertThat(Duration.ofNanos(System.nanoTime() - startup))
					.isLessThan(RedisRateLimiterFactory.WARM_UP_TIMEOUT.plusSeconds(10));
				RedisRateLimiter limiter = partner(context);
				for (int i = 0; i < 3; i++) {
					long start = System.nanoTime();
					assertThat(limiter.tryAcquirePermission(1)).as("allowed: fail open").isTrue();
					assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NO_CALLER_WAITS_LONGER_THAN);
				}
				assertThat(limiter.backendFailures()).isEqualTo(3);
				assertThat(limiter.backendAvailable()).isFalse();
			});
		}
	}

	@Test
	void aRedisThatHangsAtStartupWithLettucesDefaultTimeoutsHoldsNeitherStartupNorAnyDecision() throws Exception {
		// The case: TCP accepted, no answer ever, backend-timeout 100ms, and
		// Lettuce's own timeouts left at their defaults (a minute for a command).
		Duration decisionBound = RedisRateLimiterFactory.DEFAULT_BACKEND_TIMEOUT.plusMillis(900);
		try (MuteServer mute = new MuteServer()) {
			long startup = System.nanoTime();
			long[] closing = new long[1];
			applicationWithLettuceDefaults(mute.port(), "deny").run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(Duration.ofNanos(System.nanoTime() - startup)).as("startup")
					.isLessThan(RedisRateLimiterFactory.WARM_UP_TIMEOUT.plusSeconds(5));
				RedisRateLimiter limiter = partner(context);
				for (int i = 0; i < 5; i++) {
					long start = System.nanoTime();
					assertThat(limiter.tryAcquirePermission(1)).as("denied: fail closed").isFalse();
					assertThat(Duration.ofNanos(System.nanoTime() - start)).as("decision %d", i)
						.isLessThan(decisionBound);
				}
				assertThat(limiter.backendFailures()).isEqualTo(5);
				assertThat(limiter.config().limitForPeriod()).isEqualTo(BUDGET);
				closing[0] = System.nanoTime();
			});
			// Closing the context stops the attempt to connect, which holds the
			// connection factory's lock for Lettuce's minute.
			assertThat(Duration.ofNanos(System.nanoTime() - closing[0])).as("closing")
				.isLessThan(Duration.ofSeconds(10));
		}
	}

	/**
	 * Runs {@code calls} decisions at once, one per thread, and counts the granted ones.
	 */
	private static int burst(RateLimiter limiter, int calls) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(calls);
		try {
			CountDownLatch ready = new CountDownLatch(calls);
			CountDownLatch start = new CountDownLatch(1);
			AtomicInteger granted = new AtomicInteger();
			List<Future<?>> callers = new ArrayList<>();
			for (int i = 0; i < calls; i++) {
				callers.add(executor.submit(() -> {
					ready.countDown();
					start.await();
					if (limiter.tryAcquirePermission(1)) {
						granted.incrementAndGet();
					}
					return null;
				}));
			}
			ready.await(10, TimeUnit.SECONDS);
			start.countDown();
			for (Future<?> caller : callers) {
				caller.get(30, TimeUnit.SECONDS);
			}
			return granted.get();
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A server that accepts TCP connections and never answers: a Redis that hangs.
	 */
	private static final class MuteServer implements AutoCloseable {

		private final ServerSocket socket;

		private final List<Socket> accepted = new CopyOnWriteArrayList<>();

		private final Thread acceptor;

		MuteServer() throws IOException {
			this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			this.acceptor = new Thread(() -> {
				try {
					while (true) {
						this.accepted.add(this.socket.accept());
					}
				}
				catch (IOException ex) {
					// closed
				}
			}, "mute-redis");
			this.acceptor.setDaemon(true);
			this.acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		@Override
		public void close() throws Exception {
			this.socket.close();
			for (Socket connection : this.accepted) {
				connection.close();
			}
			this.acceptor.join(10_000);
		}

	}

}
