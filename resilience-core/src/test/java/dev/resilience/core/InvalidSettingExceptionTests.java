package dev.resilience.core;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.internal.SettingValidation;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.limit.LimitConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every rejected setting names itself and its value in the exception, not only in the
 * message; and every configuration describes exactly its builder's settings.
 */
class InvalidSettingExceptionTests {

	@Test
	void sharedValidationCarriesTheSettingAndTheValue() {
		assertRejects(() -> SettingValidation.positive(Duration.ZERO, "wait"), "wait", Duration.ZERO,
				"wait must be greater than zero but was PT0S");
		assertRejects(() -> SettingValidation.atLeast(0, 1, "size"), "size", 0, "size must be at least 1 but was 0");
		assertRejects(() -> SettingValidation.between(120.0, 0.0, 100.0, "rate"), "rate", 120.0,
				"rate must be between 0.0 and 100.0 but was 120.0");
		assertRejects(() -> SettingValidation.atMost(Duration.ofDays(2), Duration.ofDays(1), "wait"), "wait",
				Duration.ofDays(2), "wait must be at most PT24H but was PT48H");
	}

	@Test
	void eachBuilderNamesTheSettingOfARangeRule() {
		assertRejects(() -> CircuitBreakerConfig.builder().failureRateThreshold(120).build(), "failureRateThreshold",
				120.0f, "failureRateThreshold must be between 0.0 and 100.0 but was 120.0");
		assertRejects(() -> CircuitBreakerConfig.builder().slowCallRateThreshold(0).build(), "slowCallRateThreshold",
				0.0f, "slowCallRateThreshold must be greater than 0.0 but was 0.0");
		assertRejects(() -> CircuitBreakerConfig.builder().waitDurationInOpenStateMultiplier(0.5).build(),
				"waitDurationInOpenStateMultiplier", 0.5,
				"waitDurationInOpenStateMultiplier must be a finite number of at least 1.0 but was 0.5");
		assertRejects(() -> RetryConfig.builder().maxAttempts(0).build(), "maxAttempts", 0,
				"maxAttempts must be at least 1 but was 0");
		assertRejects(() -> RetryConfig.builder().randomizedWaitFactor(1.0).build(), "randomizedWaitFactor", 1.0,
				"randomizedWaitFactor must be at least 0.0 and less than 1.0 but was 1.0");
		assertRejects(() -> RateLimiterConfig.builder().maxKeys(0).build(), "maxKeys", 0,
				"maxKeys must be at least 1 but was 0");
		assertRejects(() -> BulkheadConfig.builder().maxConcurrentCalls(0).build(), "maxConcurrentCalls", 0,
				"maxConcurrentCalls must be at least 1 but was 0");
		assertRejects(() -> ThreadPoolBulkheadConfig.builder().queueCapacity(-1).build(), "queueCapacity", -1,
				"queueCapacity must be at least 0 but was -1");
		assertRejects(() -> TimeoutConfig.builder().timeoutDuration(Duration.ZERO).build(), "timeoutDuration",
				Duration.ZERO, "timeoutDuration must be greater than zero but was PT0S");
	}

	@Test
	void aRuleBetweenTwoSettingsNamesTheOneItConstrains() {
		assertRejects(
				() -> CircuitBreakerConfig.builder()
					.waitDurationInOpenState(Duration.ofSeconds(10))
					.maxWaitDurationInOpenState(Duration.ofSeconds(5))
					.build(),
				"maxWaitDurationInOpenState", Duration.ofSeconds(5),
				"maxWaitDurationInOpenState must be at least waitDurationInOpenState (PT10S) but was PT5S");
		assertRejects(
				() -> RetryConfig.builder()
					.waitDuration(Duration.ofSeconds(2))
					.exponentialMaxWaitDuration(Duration.ofSeconds(1))
					.build(),
				"exponentialMaxWaitDuration", Duration.ofSeconds(1),
				"exponentialMaxWaitDuration must be at least waitDuration (PT2S) but was PT1S");
		assertRejects(() -> RetryConfig.builder().budgetMaxTokens(1).budgetTokenRatio(2).build(), "budgetTokenRatio",
				2.0, "budgetTokenRatio must be at most budgetMaxTokens (1) but was 2.0");
		assertRejects(() -> ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(3).maxThreadPoolSize(2).build(),
				"coreThreadPoolSize", 3, "coreThreadPoolSize must not exceed maxThreadPoolSize (2) but was 3");
		assertRejects(
				() -> RateLimiterConfig.builder().limitForPeriod(11).limitRefreshPeriod(Duration.ofNanos(10)).build(),
				"limitForPeriod", 11, "limitForPeriod must not exceed limitRefreshPeriod in nanoseconds");
	}

	@Test
	void aBucketThatTakesTooLongToRefillNamesBurstCapacity() {
		Duration period = Duration.ofNanos(RateLimiterConfig.MAX_REFILL_DURATION.toNanos() / 2);
		assertRejects(
				() -> RateLimiterConfig.builder().limitForPeriod(1).limitRefreshPeriod(period).burstCapacity(3).build(),
				"burstCapacity", 3, "the time to refill the bucket (burstCapacity 3");
	}

	@Test
	void everyDescribedSettingIsABuilderMethodAndReadsAsTheAccessorOfItsName() throws Exception {
		List<Object> defaults = List.of(CircuitBreakerConfig.ofDefaults(), RetryConfig.ofDefaults(),
				RateLimiterConfig.ofDefaults(), BulkheadConfig.ofDefaults(), ThreadPoolBulkheadConfig.ofDefaults(),
				TimeoutConfig.ofDefaults());
		for (Object config : defaults) {
			@SuppressWarnings("unchecked")
			Map<String, Object> description = (Map<String, Object>) config.getClass()
				.getMethod("describe")
				.invoke(config);
			assertThat(description).as(config.getClass().getSimpleName()).isNotEmpty();
			Class<?> builder = config.getClass().getMethod("builder").getReturnType();
			for (Map.Entry<String, Object> setting : description.entrySet()) {
				String name = setting.getKey();
				assertThat(Arrays.stream(builder.getMethods()).map(Method::getName)).as(name).contains(name);
				assertThat(setting.getValue()).as(name).isEqualTo(accessor(config, name));
			}
		}
	}

	@Test
	void anAdaptiveBulkheadDescribesItsLimitSettingsAsItsLimitsAccessorsReadThem() throws Exception {
		BulkheadConfig config = BulkheadConfig.builder()
			.limitAlgorithm(LimitAlgorithm.VEGAS)
			.initialLimit(5)
			.minLimit(2)
			.maxLimit(9)
			.alpha(2)
			.beta(4)
			.build();
		Map<String, Object> description = config.describe();
		assertThat(description).containsKeys("limitAlgorithm", "initialLimit", "minLimit", "maxLimit", "alpha", "beta");
		for (Map.Entry<String, Object> setting : description.entrySet()) {
			String name = setting.getKey();
			assertThat(Arrays.stream(BulkheadConfig.Builder.class.getMethods()).map(Method::getName)).as(name)
				.contains(name);
			assertThat(setting.getValue()).as(name).isEqualTo(accessor(config, name));
		}
	}

	// The value of a described setting as its accessor reads it. A bulkhead's limit
	// settings are read on its LimitConfig; limitAlgorithm is described as its
	// configuration word (fixed, aimd, ...).
	private static Object accessor(Object config, String name) throws Exception {
		if (config instanceof BulkheadConfig bulkhead) {
			LimitConfig limit = bulkhead.limit();
			if (name.equals("limitAlgorithm")) {
				return limit.algorithm().name().toLowerCase(Locale.ROOT);
			}
			if (Arrays.stream(BulkheadConfig.class.getMethods()).noneMatch((method) -> method.getName().equals(name))) {
				return LimitConfig.class.getMethod(name).invoke(limit);
			}
		}
		return config.getClass().getMethod(name).invoke(config);
	}

	@Test
	void anUnsetOptionalSettingIsLeftOutOfTheDescription() {
		assertThat(CircuitBreakerConfig.ofDefaults().describe()).doesNotContainKeys("slowCallDurationThreshold",
				"maxWaitDurationInOpenState");
		assertThat(CircuitBreakerConfig.builder().slowCallDurationThreshold(Duration.ofSeconds(2)).build().describe())
			.containsEntry("slowCallDurationThreshold", Duration.ofSeconds(2));
		assertThat(RetryConfig.ofDefaults().describe()).doesNotContainKey("exponentialMaxWaitDuration");
	}

	private static void assertRejects(Supplier<?> build, String setting, Object value, String message) {
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(build::get)
			.withMessageStartingWith(message)
			.satisfies((ex) -> {
				assertThat(ex.setting()).isEqualTo(setting);
				assertThat(ex.value()).isEqualTo(value);
			});
	}

}
