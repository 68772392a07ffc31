package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every annotation against every return type, through a real application context, on fake
 * time.
 */
class AnnotationInterceptionTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withUserConfiguration(FakeTimeConfiguration.class, ServicesConfiguration.class)
		.withPropertyValues("resilience.retry.instances.retry.max-attempts=3",
				"resilience.retry.instances.retry.wait-duration=100ms",
				"resilience.circuitbreaker.instances.cb.sliding-window-size=2",
				"resilience.circuitbreaker.instances.cb.minimum-number-of-calls=2",
				"resilience.ratelimiter.instances.rl.limit-for-period=3",
				"resilience.ratelimiter.instances.rl.limit-refresh-period=1h",
				"resilience.ratelimiter.instances.rl.timeout-duration=0",
				"resilience.bulkhead.instances.bh.max-concurrent-calls=1",
				"resilience.timeout.instances.to.timeout-duration=100ms");

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void retryCallsAgainUntilTheCallSucceeds(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			RetriedService service = context.getBean(RetriedService.class);
			service.script().then(new IllegalStateException("1")).then(new IllegalStateException("2"));
			assertThat(kind.call(service, context.getBean(ManualScheduler.class))).isEqualTo("ok");
			assertThat(service.script().calls()).isEqualTo(3);
			assertThat(context.getBean(RetryRegistry.class)
				.find("retry")
				.orElseThrow()
				.metrics()
				.successfulCallsWithRetry()).isEqualTo(1);
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void circuitBreakerOpensAndThenRejectsWithoutCalling(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			BrokenService service = context.getBean(BrokenService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			service.script().then(new IllegalStateException("1")).then(new IllegalStateException("2"));
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> kind.call(service, scheduler));
			}
			assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(() -> kind.call(service, scheduler));
			assertThat(service.script().calls()).isEqualTo(2);
			assertThat(context.getBean(CircuitBreakerRegistry.class).find("cb").orElseThrow().state())
				.isEqualTo(dev.resilience.circuitbreaker.CircuitBreaker.State.OPEN);
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void rateLimitedTakesItsPermitsPerCall(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			LimitedService service = context.getBean(LimitedService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			assertThat(kind.call(service, scheduler)).isEqualTo("ok");
			// Two of three permits are taken; the second call needs two more.
			assertThatExceptionOfType(RequestNotPermittedException.class)
				.isThrownBy(() -> kind.call(service, scheduler));
			assertThat(service.script().calls()).isEqualTo(1);
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void bulkheadRejectsWhenFullAndAdmitsWhenAPlaceIsFree(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			IsolatedService service = context.getBean(IsolatedService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			dev.resilience.bulkhead.Bulkhead bulkhead = context.getBean(BulkheadRegistry.class).instance("bh");
			bulkhead.acquirePermission();
			assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(() -> kind.call(service, scheduler));
			bulkhead.releasePermission();
			assertThat(kind.call(service, scheduler)).isEqualTo("ok");
			assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void timeoutCutsOffACallThatOutlivesItsDeadline(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			SlowService service = context.getBean(SlowService.class);
			ManualScheduler scheduler = context.getBean(ManualScheduler.class);
			service.script().during(() -> scheduler.advance(Duration.ofMillis(200)));
			assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> kind.call(service, scheduler));
			assertThat(Thread.interrupted()).isFalse();
		});
	}

	@ParameterizedTest
	@EnumSource(ReturnKind.class)
	void fallbackAnswersForAFailedCall(ReturnKind kind) {
		this.contextRunner.run((context) -> {
			FallbackService service = context.getBean(FallbackService.class);
			service.script().then(new IllegalStateException("down"));
			Object result = kind.call(service, context.getBean(ManualScheduler.class));
			if (kind.isVoid()) {
				assertThat(service.voidFallbacks()).isEqualTo(1);
			}
			else {
				assertThat(result).isEqualTo("fallback: down");
			}
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class ServicesConfiguration {

		@Bean
		RetriedService retriedService() {
			return new RetriedService();
		}

		@Bean
		BrokenService brokenService() {
			return new BrokenService();
		}

		@Bean
		LimitedService limitedService() {
			return new LimitedService();
		}

		@Bean
		IsolatedService isolatedService() {
			return new IsolatedService();
		}

		@Bean
		SlowService slowService() {
			return new SlowService();
		}

		@Bean
		FallbackService fallbackService() {
			return new FallbackService();
		}

	}

	@Retry(name = "retry")
	static class RetriedService extends ScriptedSurface {

	}

	@CircuitBreaker(name = "cb")
	static class BrokenService extends ScriptedSurface {

	}

	@RateLimited(name = "rl", permits = 2)
	static class LimitedService extends ScriptedSurface {

	}

	@Bulkhead(name = "bh")
	static class IsolatedService extends ScriptedSurface {

	}

	@Timeout(name = "to")
	static class SlowService extends ScriptedSurface {

	}

	static class FallbackService extends ScriptedSurface {

		private int voidFallbacks;

		int voidFallbacks() {
			return this.voidFallbacks;
		}

		@Override
		@Fallback(method = "syncFallback")
		public String sync() {
			return super.sync();
		}

		String syncFallback(IllegalStateException failure) {
			return "fallback: " + failure.getMessage();
		}

		@Override
		@Fallback(method = "voidFallback")
		public void voidCall() {
			super.voidCall();
		}

		void voidFallback() {
			this.voidFallbacks++;
		}

		@Override
		@Fallback(method = "futureFallback")
		public CompletableFuture<String> future() {
			return super.future();
		}

		CompletableFuture<String> futureFallback(Throwable failure) {
			return CompletableFuture.completedFuture("fallback: " + failure.getMessage());
		}

		@Override
		@Fallback(method = "stageFallback")
		public CompletionStage<String> stage() {
			return super.stage();
		}

		CompletionStage<String> stageFallback(RuntimeException failure) {
			return CompletableFuture.completedFuture("fallback: " + failure.getMessage());
		}

		@Override
		@Fallback(method = "monoFallback")
		public Mono<String> mono() {
			return super.mono();
		}

		Mono<String> monoFallback(RuntimeException failure) {
			return Mono.just("fallback: " + failure.getMessage());
		}

		@Override
		@Fallback(method = "fluxFallback")
		public Flux<String> flux() {
			return super.flux();
		}

		Flux<String> fluxFallback(RuntimeException failure) {
			return Flux.just("fallback: " + failure.getMessage());
		}

	}

}
