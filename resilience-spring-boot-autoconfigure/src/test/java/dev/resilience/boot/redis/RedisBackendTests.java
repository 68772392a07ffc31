package dev.resilience.boot.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.annotation.RateLimited;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code backend: redis} through the whole starter: two application contexts stand for
 * two pods of one service and share one budget, with a real Redis.
 */
@Tag("redis")
@Timeout(60)
class RedisBackendTests {

	private static RedisServer server;

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

	private ApplicationContextRunner pod(String instance, int limitPerHour) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
					ResilienceAutoConfiguration.class, ResilienceRedisAutoConfiguration.class))
			.withBean(PartnerClient.class)
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
					"resilience.ratelimiter.configs.shared.backend=redis",
					"resilience.ratelimiter.configs.shared.limit-for-period=" + limitPerHour,
					"resilience.ratelimiter.configs.shared.limit-refresh-period=1h",
					"resilience.ratelimiter.configs.shared.timeout-duration=0",
					// These tests are about the shared budget: a 100 ms stall of a loaded
					// machine must not turn into a fail-open decision here
					// (RedisWarmUpTests covers the default timeout).
					"resilience.ratelimiter.configs.shared.backend-timeout=2s",
					"resilience.ratelimiter.instances." + instance + ".base-config=shared",
					"partner.instance=" + instance);
	}

	@Test
	void twoPodsShareOneBudgetExactly() {
		String instance = "partner-" + names.incrementAndGet();
		pod(instance, 12).run((first) -> pod(instance, 12).run((second) -> {
			assertThat(first.getBean(RateLimiterRegistry.class).find(instance).orElseThrow())
				.isInstanceOf(RedisRateLimiter.class);
			int granted = hammer(List.of(first, second), 40);
			assertThat(granted).isEqualTo(12);
		}));
	}

	@Test
	void eachUserHasABudgetOfTheirOwnAcrossPods() {
		String instance = "partner-" + names.incrementAndGet();
		pod(instance, 1).run((first) -> pod(instance, 1).run((second) -> {
			PartnerClient a = first.getBean(PartnerClient.class);
			PartnerClient b = second.getBean(PartnerClient.class);
			assertThat(a.perUser("ann")).isEqualTo("ann");
			assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> b.perUser("ann"));
			assertThat(b.perUser("bob")).isEqualTo("bob");
		}));
	}

	@Test
	void redisBackendWithoutSpringDataRedisFailsStartup() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
			.withPropertyValues("resilience.ratelimiter.instances.partner.backend=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.ratelimiter.instances.partner.backend")
				.hasMessageContaining("needs Spring Data Redis"));
	}

	@Test
	void theRedisAutoConfigurationStandsWithoutTheMainOne() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ResilienceRedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(RateLimiterRegistry.Factory.class));
	}

	private static int hammer(List<ConfigurableApplicationContext> pods, int attemptsPerPod) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			AtomicInteger granted = new AtomicInteger();
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> callers = new ArrayList<>();
			for (int thread = 0; thread < 8; thread++) {
				PartnerClient client = pods.get(thread % pods.size()).getBean(PartnerClient.class);
				int attempts = attemptsPerPod * pods.size() / 8;
				callers.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < attempts; i++) {
						try {
							client.call();
							granted.incrementAndGet();
						}
						catch (RequestNotPermittedException ex) {
							// over the shared budget
						}
					}
					return null;
				}));
			}
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

	static class PartnerClient {

		@RateLimited(name = "${partner.instance}")
		public String call() {
			return "ok";
		}

		@RateLimited(name = "${partner.instance}", key = "#user")
		public String perUser(String user) {
			return user;
		}

	}

}
