package dev.resilience.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.redis.ResilienceRedisAutoConfiguration;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Load benchmark of the Redis backend: rate-limit decisions per second and their latency
 * (p50, p90, p99, max) against a local {@code redis-server}, at 1 and 8 concurrent
 * callers, through the whole starter (Spring Data Redis with Lettuce, the Lua script,
 * Redis time). Every decision is granted (a huge limit), so each one is a full script run
 * that writes the bucket.
 * <p>
 * Run (needs {@code redis-server} on the path; it starts its own on a free loopback
 * port): <pre>
 * mvn -B -q install -DskipTests &amp;&amp; java -cp benchmarks/target/benchmarks.jar dev.resilience.benchmarks.RedisRateLimiterLoad [seconds]
 * </pre>
 */
public final class RedisRateLimiterLoad {

	private RedisRateLimiterLoad() {
	}

	public static void main(String[] args) throws Exception {
		int seconds = (args.length > 0) ? Integer.parseInt(args[0]) : 10;
		int port = freePort();
		Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			awaitPort(port);
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(LoadApplication.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "logging.level.root=warn", "spring.data.redis.port=" + port,
						"resilience.ratelimiter.instances.load.backend=redis",
						"resilience.ratelimiter.instances.load.limit-for-period=1000000000",
						"resilience.ratelimiter.instances.load.limit-refresh-period=1s",
						"resilience.ratelimiter.instances.load.timeout-duration=0",
						"resilience.ratelimiter.instances.load.backend-timeout=1s")
				.run()) {
				RateLimiter limiter = context.getBean(RateLimiterRegistry.class).instance("load");
				System.out.printf("Redis backend load, %s, JDK %s, %d cores, %d s per run%n",
						limiter.getClass().getSimpleName(), System.getProperty("java.version"),
						Runtime.getRuntime().availableProcessors(), seconds);
				run(limiter, 8, Math.max(2, seconds / 2), false);
				for (int callers : new int[] { 1, 8 }) {
					run(limiter, callers, seconds, true);
				}
			}
		}
		finally {
			redis.destroyForcibly();
			redis.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static void run(RateLimiter limiter, int callers, int seconds, boolean report) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(callers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
			List<Future<long[]>> results = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				results.add(executor.submit(() -> {
					long[] latencies = new long[1 << 20];
					int count = 0;
					start.await();
					while (System.nanoTime() - end < 0 && count < latencies.length) {
						long before = System.nanoTime();
						if (!limiter.tryAcquirePermission(1)) {
							throw new IllegalStateException("a decision was refused: the limit is meant to be huge");
						}
						latencies[count++] = System.nanoTime() - before;
					}
					return Arrays.copyOf(latencies, count);
				}));
			}
			long started = System.nanoTime();
			start.countDown();
			List<long[]> all = new ArrayList<>();
			for (Future<long[]> result : results) {
				all.add(result.get(seconds + 60L, TimeUnit.SECONDS));
			}
			double elapsed = (System.nanoTime() - started) / 1e9;
			long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
			if (report) {
				System.out.printf(Locale.ROOT,
						"callers=%d decisions=%d decisions/s=%.0f p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms%n",
						callers, merged.length, merged.length / elapsed, millis(merged, 0.50), millis(merged, 0.90),
						millis(merged, 0.99), merged[merged.length - 1] / 1e6);
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static double millis(long[] sorted, double quantile) {
		return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void awaitPort(int port) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() - deadline < 0) {
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
				return;
			}
			catch (IOException ex) {
				Thread.sleep(20);
			}
		}
		throw new IllegalStateException("redis-server did not start on port " + port);
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, ResilienceAutoConfiguration.class,
			ResilienceRedisAutoConfiguration.class })
	static class LoadApplication {

	}

}
