package dev.resilience.boot.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.testing.spring.ResilienceFakeTime;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * resilience-test's {@link ResilienceFakeTime} with the real auto-configuration: the
 * starter's ticker and scheduler back off, and every primitive the starter builds
 * measures and waits on the fake time.
 */
@SpringBootTest(classes = FakeTimeWithTheStarterTests.App.class,
		properties = { "resilience.circuitbreaker.instances.cb.minimum-number-of-calls=1",
				"resilience.circuitbreaker.instances.cb.wait-duration-in-open-state=10s",
				"resilience.circuitbreaker.instances.cb.automatic-transition-from-open-to-half-open-enabled=true",
				"resilience.ratelimiter.instances.rl.limit-for-period=1",
				"resilience.ratelimiter.instances.rl.limit-refresh-period=1m",
				"resilience.ratelimiter.instances.rl.timeout-duration=5m",
				"resilience.bulkhead.instances.bh.max-concurrent-calls=1",
				"resilience.bulkhead.instances.bh.max-wait-duration=5s", "resilience.retry.instances.rt.max-attempts=2",
				"resilience.timeout.instances.to.timeout-duration=2s" })
@ResilienceFakeTime
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FakeTimeWithTheStarterTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private FakeTicker ticker;

	@Autowired
	private ManualScheduler time;

	@Test
	void theStartersTickerAndSchedulerBackOff() {
		assertThat(this.context.getBeansOfType(Ticker.class)).containsOnlyKeys("resilienceTicker")
			.containsValue(this.ticker);
		assertThat(this.context.getBeansOfType(Scheduler.class)).containsOnlyKeys("resilienceScheduler")
			.containsValue(this.time);
	}

	@Test
	void everyPrimitiveWaitsOnTheFakeScheduler() {
		assertThat(this.context.getBean(RetryRegistry.class).instance("rt").scheduler()).isSameAs(this.time);
		assertThat(this.context.getBean(TimeoutRegistry.class).instance("to").scheduler()).isSameAs(this.time);
		assertThat(this.context.getBean(RateLimiterRegistry.class).instance("rl").scheduler()).isSameAs(this.time);
	}

	@Test
	void anOpenBreakerHalfOpensOnFakeTime() {
		CircuitBreaker breaker = this.context.getBean(CircuitBreakerRegistry.class).instance("cb");
		breaker.acquirePermit().onFailure(breaker.startTime(), new IllegalStateException("down"));
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		this.time.advance(Duration.ofSeconds(10));
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
	}

	@Test
	void aRateLimitWaitPassesOnFakeTime() {
		RateLimiter limiter = this.context.getBean(RateLimiterRegistry.class).instance("rl");
		limiter.acquirePermission(1);
		long before = this.ticker.read();
		limiter.acquirePermission(1);
		assertThat(this.time.sleeps()).endsWith(Duration.ofMinutes(1));
		assertThat(this.ticker.read() - before).isEqualTo(Duration.ofMinutes(1).toNanos());
	}

	@Test
	void aTimeoutFiresOnFakeTime() {
		CompletableFuture<String> result = this.context.getBean(TimeoutRegistry.class)
			.instance("to")
			.executeAsync(CompletableFuture::new);
		this.time.advance(Duration.ofMillis(1999));
		assertThat(result).isNotDone();
		this.time.advance(Duration.ofMillis(1));
		assertThat(result).isCompletedExceptionally();
	}

	@Test
	void aBulkheadWaitEndsOnFakeTime() throws Exception {
		Bulkhead bulkhead = this.context.getBean(BulkheadRegistry.class).instance("bh");
		bulkhead.acquirePermission();
		int before = this.time.pendingTasks();
		CompletableFuture<Void> waiter = CompletableFuture.runAsync(bulkhead::acquirePermission);
		// A real thread parks: poll, with a deadline, for its alarm on the fake
		// scheduler.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.time.pendingTasks() == before && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		assertThat(waiter).isNotDone();
		this.time.advance(Duration.ofSeconds(5));
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOf(BulkheadFullException.class);
		bulkhead.releasePermission();
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration(ResilienceAutoConfiguration.class)
	static class App {

	}

}
