package dev.resilience.boot.autoconfigure;

import java.time.Duration;

import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.CoarseTicker;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code resilience.clock}: {@code precise} (the default) is the system ticker;
 * {@code coarse} is a coarse ticker that every primitive reads and whose thread stops
 * with the context; anything else fails startup naming the property and the value.
 */
class ClockPropertyTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@Test
	void theDefaultClockIsThePreciseSystemTicker() {
		this.contextRunner.run((context) -> assertThat(context.getBean(Ticker.class)).isSameAs(Ticker.system()));
		this.contextRunner.withPropertyValues("resilience.clock=precise")
			.run((context) -> assertThat(context.getBean(Ticker.class)).isSameAs(Ticker.system()));
	}

	@Test
	void theCoarseClockIsReadByThePrimitivesAndStopsWithTheContext() throws InterruptedException {
		CoarseTicker[] seen = new CoarseTicker[1];
		this.contextRunner
			.withPropertyValues("resilience.clock=coarse",
					"resilience.circuitbreaker.instances.orders.sliding-window-type=time-based",
					"resilience.ratelimiter.instances.orders.limit-for-period=10")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Ticker ticker = context.getBean(Ticker.class);
				assertThat(ticker).isInstanceOf(CoarseTicker.class);
				CoarseTicker coarse = (CoarseTicker) ticker;
				assertThat(coarse.resolution()).isEqualTo(Duration.ofMillis(1));
				seen[0] = coarse;
				// The instances are built on it: a time window and a rate limiter work.
				var breaker = context.getBean(CircuitBreakerRegistry.class).instance("orders");
				breaker.acquirePermit().onSuccess(breaker.startTime(), null);
				assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
				assertThat(context.getBean(RateLimiterRegistry.class).instance("orders").tryAcquirePermission(1))
					.isTrue();
			});
		// Closed with the context: its thread ends, and its reads read the clock itself.
		awaitNoRefreshThread();
		long before = System.nanoTime();
		assertThat(seen[0].read() - before).isGreaterThanOrEqualTo(0);
	}

	/** Waits, up to 10 s, for the coarse ticker's thread to end (a real thread). */
	private static void awaitNoRefreshThread() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (Thread.getAllStackTraces()
			.keySet()
			.stream()
			.anyMatch((thread) -> thread.isAlive() && thread.getName().equals("resilience-coarse-ticker"))) {
			assertThat(System.nanoTime() - deadline).as("the refresh thread still runs after 10 s").isNegative();
			Thread.sleep(5);
		}
	}

	@Test
	void anUnknownClockFailsStartupNamingThePropertyAndTheValue() {
		this.contextRunner.withPropertyValues("resilience.clock=sundial").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("resilience.clock")
				.hasStackTraceContaining("sundial");
		});
	}

}
