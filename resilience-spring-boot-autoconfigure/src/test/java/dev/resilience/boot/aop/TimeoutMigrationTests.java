package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a Resilience4j configuration written for
 * {@code java.util.concurrent.TimeoutException} (its time limiter's exception) does with
 * our {@code @Timeout}, which throws {@link TimeoutExceededException}: it matches, in
 * exception lists and fallbacks alike, and a fallback for a checked exception the method
 * can never throw fails startup.
 */
class TimeoutMigrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withUserConfiguration(FakeTimeConfiguration.class)
		.withPropertyValues("resilience.timeout.instances.mig.timeout-duration=100ms",
				"resilience.circuitbreaker.instances.mig.sliding-window-size=2",
				"resilience.circuitbreaker.instances.mig.minimum-number-of-calls=2",
				"resilience.circuitbreaker.instances.mig.record-exceptions=java.util.concurrent.TimeoutException",
				"resilience.retry.instances.mig.max-attempts=2", "resilience.retry.instances.mig.wait-duration=10ms",
				"resilience.retry.instances.mig.retry-exceptions=java.util.concurrent.TimeoutException");

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void aBreakerThatRecordsTimeoutExceptionCountsOurTimeoutsAsFailures(ReturnKind kind) {
		this.contextRunner.withBean(RecordingService.class).run((context) -> {
			RecordingService service = context.getBean(RecordingService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			service.script().during(() -> scheduler.advance(Duration.ofMillis(200)));
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(TimeoutExceededException.class)
					.isThrownBy(() -> kind.call(service, scheduler));
			}
			assertThat(context.getBean(CircuitBreakerRegistry.class).instance("mig").metrics().totalFailedCalls())
				.isEqualTo(2);
			assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(() -> kind.call(service, scheduler));
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void aRetryOfTimeoutExceptionRetriesOurTimeouts(ReturnKind kind) {
		this.contextRunner.withBean(RetryingService.class).run((context) -> {
			RetryingService service = context.getBean(RetryingService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			service.script().during(() -> scheduler.advance(Duration.ofMillis(200)));
			assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> kind.call(service, scheduler));
			assertThat(service.script().calls()).isEqualTo(2);
		});
	}

	@Test
	void anIgnoredTimeoutExceptionIgnoresOurTimeouts() {
		this.contextRunner.withBean(RecordingService.class)
			.withPropertyValues("resilience.circuitbreaker.instances.mig.record-exceptions=",
					"resilience.circuitbreaker.instances.mig.ignore-exceptions=java.util.concurrent.TimeoutException")
			.run((context) -> {
				RecordingService service = context.getBean(RecordingService.class);
				ManualScheduler scheduler = context.getBean(ManualScheduler.class);
				service.script().during(() -> scheduler.advance(Duration.ofMillis(200)));
				assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(service::sync);
				assertThat(context.getBean(CircuitBreakerRegistry.class).instance("mig").metrics().totalIgnoredCalls())
					.isEqualTo(1);
			});
	}

	@Test
	void aFallbackForTimeoutExceptionAnswersForOurTimeoutWhateverTheReturnType() {
		this.contextRunner.withBean(MigratedFallbacks.class).run((context) -> {
			MigratedFallbacks service = context.getBean(MigratedFallbacks.class);
			assertThat(service.sync()).isEqualTo("timeout: TimeoutExceededException");
			assertThat(service.mono().toFuture().thenApply((value) -> value)).satisfies((future) -> {
				context.getBean(ManualScheduler.class).advance(Duration.ofMillis(200));
				assertThat(future).isCompletedWithValue("timeout: TimeoutExceededException");
			});
			assertThat(service.flux().collectList().toFuture()).satisfies((future) -> {
				context.getBean(ManualScheduler.class).advance(Duration.ofMillis(200));
				assertThat(future).isCompletedWithValueMatching(
						(values) -> values.equals(java.util.List.of("timeout: TimeoutExceededException")));
			});
		});
	}

	@Test
	void aFallbackForACheckedExceptionTheMethodCanNeverThrowFailsStartup() {
		this.contextRunner.withBean(UnreachableFallback.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("UnreachableFallback.charge(String)")
				.hasMessageContaining("java.util.concurrent.TimeoutException")
				.hasMessageContaining("can never throw")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action()).contains("@Timeout")
					.contains("throws")));
	}

	@Test
	void aFallbackForACheckedExceptionIsAcceptedWhenTheMethodDeclaresItATimeoutThrowsItOrItIsAsynchronous() {
		this.contextRunner.withBean(ReachableFallbacks.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ReachableFallbacks.class).declared()).isEqualTo("declared");
		});
	}

	@Timeout(name = "mig")
	@CircuitBreaker(name = "mig")
	static class RecordingService extends ScriptedSurface {

	}

	@Timeout(name = "mig")
	@Retry(name = "mig")
	static class RetryingService extends ScriptedSurface {

	}

	static class MigratedFallbacks {

		private final ManualScheduler scheduler;

		MigratedFallbacks(ManualScheduler scheduler) {
			this.scheduler = scheduler;
		}

		@Timeout(name = "mig")
		@Fallback(method = "slow")
		public String sync() {
			this.scheduler.advance(Duration.ofMillis(200));
			return "late";
		}

		// A migrated fallback: Resilience4j's time limiter throws TimeoutException.
		String slow(TimeoutException failure) {
			return "timeout: " + failure.getCause().getClass().getSimpleName();
		}

		String slow(RuntimeException failure) {
			return "other: " + failure.getClass().getSimpleName();
		}

		@Timeout(name = "mig")
		@Fallback(method = "slowMono")
		public Mono<String> mono() {
			return Mono.never();
		}

		Mono<String> slowMono(TimeoutException failure) {
			return Mono.just("timeout: " + failure.getCause().getClass().getSimpleName());
		}

		Mono<String> slowMono(RuntimeException failure) {
			return Mono.just("other: " + failure.getClass().getSimpleName());
		}

		@Timeout(name = "mig")
		@Fallback(method = "slowFlux")
		public Flux<String> flux() {
			return Flux.never();
		}

		Flux<String> slowFlux(TimeoutException failure) {
			return Flux.just("timeout: " + failure.getCause().getClass().getSimpleName());
		}

	}

	static class UnreachableFallback {

		@CircuitBreaker(name = "mig")
		@Fallback(method = "fallback")
		public String charge(String order) {
			return order;
		}

		String fallback(String order, TimeoutException failure) {
			return "never called";
		}

	}

	static class ReachableFallbacks {

		@Fallback(method = "fallback")
		public String declared() throws TimeoutException {
			throw new TimeoutException("declared");
		}

		String fallback(TimeoutException failure) {
			return failure.getMessage();
		}

		@Timeout(name = "mig")
		@Fallback(method = "timedFallback")
		public String timed() {
			return "ok";
		}

		String timedFallback(TimeoutException failure) {
			return "timeout";
		}

		// Reactor's own timeout operator signals a TimeoutException, undeclared.
		@Fallback(method = "reactiveFallback")
		public Mono<String> reactive() {
			return Mono.just("ok");
		}

		Mono<String> reactiveFallback(TimeoutException failure) {
			return Mono.just("timeout");
		}

		// A Callable may throw any Exception, TimeoutException included.
		@Fallback(method = "callableFallback")
		public String callable(Callable<String> call) throws Exception {
			return call.call();
		}

		String callableFallback(Callable<String> call, TimeoutException failure) {
			return "timeout";
		}

	}

}
