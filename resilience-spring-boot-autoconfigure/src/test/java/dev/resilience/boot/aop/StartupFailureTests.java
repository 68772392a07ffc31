package dev.resilience.boot.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.resilience.annotation.Retryable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every annotation mistake stops the application at startup, with the method and the fix
 * named, instead of failing (or doing nothing) at run time.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@Test
	void missingFallbackMethodNamesTheExpectedSignature() {
		this.contextRunner.withBean(MissingFallback.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("MissingFallback.charge(String)")
				.hasMessageContaining("no fitting method 'nope'")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action())
					.contains("String nope(String)")));
	}

	@Test
	void fallbackWithTheWrongReturnTypeIsRejectedWithTheReason() {
		this.contextRunner.withBean(WrongReturnType.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("returns java.lang.Integer, expected java.lang.String"));
	}

	@Test
	void fallbackWithTheWrongParametersIsRejectedWithTheReason() {
		this.contextRunner.withBean(WrongParameters.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("parameter 1 is java.lang.Integer, expected java.lang.String"));
	}

	@Test
	void twoFallbacksForTheSameExceptionTypeAreAmbiguous() {
		this.contextRunner.withBean(AmbiguousFallback.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("both handle java.lang.Throwable"));
	}

	@Test
	void fallbackOnAnotherBeanThatDoesNotExistIsRejected() {
		this.contextRunner.withBean(OtherBeanFallback.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("no bean named 'missingBean'"));
	}

	@Test
	void threadPoolBulkheadOnASynchronousMethodIsRejected() {
		this.contextRunner.withBean(SyncThreadPool.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("needs an asynchronous return type"));
	}

	@Test
	void aKeyThatIsNotValidSpelFailsStartup() {
		this.contextRunner.withBean(MalformedKey.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("@RateLimited(key = \"#user.\")")
				.hasMessageContaining("not a valid SpEL expression"));
	}

	@Test
	void aKeyThatNamesNoParameterFailsStartup() {
		this.contextRunner.withBean(MisspelledKey.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("refers to #usr, which is not a parameter of the method (parameters: user)"));
	}

	@Test
	void aThreadPoolBulkheadHasNoKeys() {
		this.contextRunner.withBean(KeyedPool.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("a thread-pool bulkhead has no per-key pools"));
	}

	@Test
	void aKeyGivesEachValueItsOwnLimit() {
		this.contextRunner.withBean(KeyedLimiter.class)
			.withPropertyValues("resilience.ratelimiter.instances.api.limit-for-period=1",
					"resilience.ratelimiter.instances.api.limit-refresh-period=1h",
					"resilience.ratelimiter.instances.api.timeout-duration=0")
			.run((context) -> {
				KeyedLimiter bean = context.getBean(KeyedLimiter.class);
				assertThat(bean.charge("ann")).isEqualTo("ann");
				assertThat(bean.charge("bob")).isEqualTo("bob");
				org.assertj.core.api.Assertions
					.assertThatExceptionOfType(dev.resilience.ratelimiter.RequestNotPermittedException.class)
					.isThrownBy(() -> bean.charge("ann"));
				assertThat(context.getBean(dev.resilience.ratelimiter.RateLimiterRegistry.class)
					.find("api")
					.orElseThrow()
					.metrics()
					.liveKeys()).isEqualTo(2);
			});
	}

	@Test
	void permitsAboveTheBurstCapacityAreRejected() {
		this.contextRunner.withBean(GreedyLimiter.class)
			.withPropertyValues("resilience.ratelimiter.instances.api.limit-for-period=5")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("permits must be between 1 and the rate limiter 'api''s burst capacity 5"));
	}

	@Test
	void futureThatIsNotACompletionStageCannotBeProtected() {
		this.contextRunner.withBean(PlainFuture.class)
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining("cannot be protected"));
	}

	@Test
	void springRetryableTogetherWithOurRetryIsRejected() {
		this.contextRunner.withBean(DoubleRetry.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("retries would multiply"));
	}

	@Test
	void annotationOnAFinalMethodIsReportedAtStartup(CapturedOutput output) {
		this.contextRunner.withBean(FinalMethod.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("FinalMethod.charge()").contains("have no effect");
		});
	}

	@Test
	void fallbackOnAnotherBeanIsResolved() {
		this.contextRunner.withBean("fallbacks", Fallbacks.class)
			.withBean(OtherBeanFallbackThatExists.class)
			.run((context) -> assertThat(context.getBean(OtherBeanFallbackThatExists.class).charge("x"))
				.isEqualTo("from the other bean: x"));
	}

	@Test
	void mostSpecificFallbackWinsAndAnUnmatchedFailureIsRethrown() {
		this.contextRunner.withBean(OverloadedFallbacks.class).run((context) -> {
			OverloadedFallbacks bean = context.getBean(OverloadedFallbacks.class);
			assertThat(bean.charge("state")).isEqualTo("state");
			assertThat(bean.charge("argument")).isEqualTo("runtime");
			org.assertj.core.api.Assertions.assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> bean.charge("unmatched"))
				.withMessage("unmatched");
		});
	}

	static class MissingFallback {

		@CircuitBreaker(name = "payments")
		@Fallback(method = "nope")
		public String charge(String order) {
			return order;
		}

	}

	static class WrongReturnType {

		@Fallback(method = "fallback")
		public String charge(String order) {
			return order;
		}

		Integer fallback(String order) {
			return 1;
		}

	}

	static class WrongParameters {

		@Fallback(method = "fallback")
		public String charge(String order) {
			return order;
		}

		String fallback(Integer order) {
			return "x";
		}

	}

	static class AmbiguousFallback {

		@Fallback(method = "fallback")
		public String charge(String order) {
			return order;
		}

		String fallback(String order) {
			return "a";
		}

		String fallback(Object order) {
			return "b";
		}

	}

	static class OtherBeanFallback {

		@Fallback(method = "missingBean::fallback")
		public String charge(String order) {
			return order;
		}

	}

	static class Fallbacks {

		String fallback(String order, Throwable failure) {
			return "from the other bean: " + order;
		}

	}

	static class OtherBeanFallbackThatExists {

		@Fallback(method = "fallbacks::fallback")
		public String charge(String order) {
			throw new IllegalStateException("down");
		}

	}

	static class OverloadedFallbacks {

		@Fallback(method = "fallback")
		public String charge(String kind) {
			switch (kind) {
				case "state" -> throw new IllegalStateException(kind);
				case "argument" -> throw new IllegalArgumentException(kind);
				default -> throw new AssertionError(kind);
			}
		}

		String fallback(String kind, RuntimeException failure) {
			return "runtime";
		}

		String fallback(String kind, IllegalStateException failure) {
			return "state";
		}

	}

	static class SyncThreadPool {

		@Bulkhead(name = "pool", type = Bulkhead.Type.THREAD_POOL)
		public String charge() {
			return "x";
		}

	}

	static class KeyedLimiter {

		@RateLimited(name = "api", key = "#user")
		public String charge(String user) {
			return user;
		}

	}

	static class MalformedKey {

		@RateLimited(name = "api", key = "#user.")
		public String charge(String user) {
			return user;
		}

	}

	static class MisspelledKey {

		@RateLimited(name = "api", key = "#usr")
		public String charge(String user) {
			return user;
		}

	}

	static class KeyedPool {

		@Bulkhead(name = "pool", type = Bulkhead.Type.THREAD_POOL, key = "#user")
		public CompletableFuture<String> charge(String user) {
			return CompletableFuture.completedFuture(user);
		}

	}

	static class GreedyLimiter {

		@RateLimited(name = "api", permits = 6)
		public String charge() {
			return "x";
		}

	}

	static class PlainFuture {

		@CircuitBreaker(name = "payments")
		public Future<String> charge() {
			return CompletableFuture.completedFuture("x");
		}

	}

	static class DoubleRetry {

		@Retry(name = "payments")
		@Retryable
		public String charge() {
			return "x";
		}

	}

	static class FinalMethod {

		@CircuitBreaker(name = "payments")
		public final String charge() {
			return "x";
		}

	}

}
