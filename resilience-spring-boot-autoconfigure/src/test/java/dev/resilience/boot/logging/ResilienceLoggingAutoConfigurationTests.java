package dev.resilience.boot.logging;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class ResilienceLoggingAutoConfigurationTests {

	private static final String PAYMENTS = "resilience.circuitbreaker.instances.payments.";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceLoggingAutoConfiguration.class))
		.withPropertyValues(PAYMENTS + "sliding-window-size=16", PAYMENTS + "minimum-number-of-calls=16",
				PAYMENTS + "failure-rate-threshold=50", PAYMENTS + "wait-duration-in-open-state=60s",
				PAYMENTS + "permitted-number-of-calls-in-half-open-state=2");

	private final LogLines log = new LogLines();

	@AfterEach
	void stopCatching() {
		this.log.close();
	}

	private static void succeed(CircuitBreaker breaker) {
		breaker.acquirePermit().onSuccess(breaker.startTime(), "ok");
	}

	private static void fail(CircuitBreaker breaker) {
		breaker.acquirePermit().onFailure(breaker.startTime(), new IOException("boom"));
	}

	/** 6 successes and 10 failures: 62.5 % over the 16 calls of the window. */
	private static void open(CircuitBreaker breaker) {
		for (int i = 0; i < 6; i++) {
			succeed(breaker);
		}
		for (int i = 0; i < 10; i++) {
			fail(breaker);
		}
		assertThat(breaker.state()).isEqualTo(State.OPEN);
	}

	private static void assertRejected(CircuitBreaker breaker) {
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
	}

	@Test
	void logsOneLinePerTransitionWithItsFiguresAndTheFirstRejectionOfTheOpening() {
		this.contextRunner.run((context) -> {
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("payments");
			open(breaker);
			assertRejected(breaker);
			assertRejected(breaker);
			assertRejected(breaker);
			breaker.transitionTo(State.HALF_OPEN);
			succeed(breaker);
			succeed(breaker);
			assertThat(breaker.state()).isEqualTo(State.CLOSED);
			assertThat(this.log.lines()).containsExactly(
					"WARN circuit breaker 'payments' CLOSED -> OPEN: failure rate 62.5 % over 16 calls "
							+ "(threshold 50 %); calls rejected for 60 s",
					"WARN circuit breaker 'payments' OPEN: first call rejected since it opened; "
							+ "calls rejected for 60 s from the opening",
					"INFO circuit breaker 'payments' OPEN -> HALF_OPEN: manual transition",
					"INFO circuit breaker 'payments' HALF_OPEN -> CLOSED: 2 trial calls passed: "
							+ "failure rate 0 % (threshold 50 %)");
		});
	}

	@Test
	void theLineReachesTheApplicationsLogOutputUnderTheDocumentedLoggerName(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			open(context.getBean(CircuitBreakerRegistry.class).instance("payments"));
			// Spring Boot's console pattern, once set up, abbreviates the package.
			assertThat(output).contains("WARN")
				.contains("circuitbreaker.transitions")
				.contains("circuit breaker 'payments' CLOSED -> OPEN: failure rate 62.5 % over 16 calls");
		});
	}

	@Test
	void theSuccessPathLogsNothingAndMakesNoEvents() {
		this.contextRunner.run((context) -> {
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("payments");
			for (int i = 0; i < 1_000; i++) {
				succeed(breaker);
			}
			assertThat(this.log.lines()).isEmpty();
			// Following state changes only: outcome events are still not created.
			assertThat(breaker.stateEvents().hasListeners()).isTrue();
			assertThat(breaker.events().hasListeners()).isFalse();
		});
	}

	@Test
	void aBreakerMadeLaterIsFollowedAndARemovedOneIsDropped() {
		this.contextRunner.run((context) -> {
			CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
			CircuitBreaker later = registry.instance("later");
			later.transitionTo(State.FORCED_OPEN);
			assertThat(this.log.lines())
				.containsExactly("INFO circuit breaker 'later' CLOSED -> FORCED_OPEN: manual transition");
			registry.remove("later");
			assertThat(later.stateEvents().hasListeners()).isFalse();
			later.transitionTo(State.CLOSED);
			assertThat(this.log.lines()).hasSize(1);
		});
	}

	@Test
	void switchedOffNothingListensAndNothingIsLogged() {
		this.contextRunner.withPropertyValues("resilience.logging.transitions=false").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(CircuitBreakerTransitionLog.class);
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("payments");
			open(breaker);
			assertRejected(breaker);
			breaker.reset();
			assertThat(breaker.stateEvents().hasListeners()).isFalse();
			assertThat(this.log.lines()).isEmpty();
		});
	}

	@Test
	void theSwitchIsOnByDefaultAndReadLikeEveryOtherSwitch() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(CircuitBreakerTransitionLog.class));
		this.contextRunner.withPropertyValues("resilience.logging.transitions=on")
			.run((context) -> assertThat(context).hasSingleBean(CircuitBreakerTransitionLog.class));
		// An invalid value fails startup: EnabledSwitchTests.
	}

	@Test
	void theWholeStarterSwitchedOffLogsNothing() {
		this.contextRunner.withPropertyValues("resilience.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CircuitBreakerTransitionLog.class));
	}

	@Test
	void aLevelAboveWarnSilencesTheLinesWithoutTheSwitch() {
		this.contextRunner.run((context) -> {
			this.log.setLevel(ch.qos.logback.classic.Level.ERROR);
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("payments");
			open(breaker);
			assertRejected(breaker);
			assertThat(this.log.lines()).isEmpty();
		});
	}

	@Test
	void theLogStopsFollowingTheBreakersWhenTheContextCloses() {
		List<CircuitBreaker> breakers = new ArrayList<>();
		this.contextRunner
			.run((context) -> breakers.add(context.getBean(CircuitBreakerRegistry.class).instance("payments")));
		assertThat(breakers.get(0).stateEvents().hasListeners()).isFalse();
	}

	@Test
	@Tag("concurrency")
	@Timeout(value = 30, unit = TimeUnit.SECONDS)
	void manyThreadsRejectedAtOnceLogOneFirstRejectionPerOpening() {
		int threads = 8;
		int openings = 20;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			this.contextRunner.run((context) -> {
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("payments");
				for (int opening = 1; opening <= openings; opening++) {
					CountDownLatch start = new CountDownLatch(1);
					List<Future<?>> callers = new ArrayList<>();
					for (int i = 0; i < threads; i++) {
						callers.add(executor.submit(() -> {
							start.await();
							for (int call = 0; call < 100; call++) {
								try {
									breaker.acquirePermit().release();
								}
								catch (CallNotPermittedException ex) {
									// Expected once open.
								}
							}
							return null;
						}));
					}
					// The callers start together, while the breaker opens.
					start.countDown();
					open(breaker);
					for (Future<?> caller : callers) {
						caller.get(10, TimeUnit.SECONDS);
					}
					// Each opening is rejected at least once more after the callers.
					assertRejected(breaker);
					assertThat(this.log.count("first call rejected")).as("first rejections after opening %d", opening)
						.isEqualTo(opening);
					breaker.transitionTo(State.CLOSED);
				}
				assertThat(this.log.count("CLOSED -> OPEN")).isEqualTo(openings);
				assertThat(this.log.count("first call rejected")).isEqualTo(openings);
			});
		}
		finally {
			executor.shutdownNow();
		}
	}

}
