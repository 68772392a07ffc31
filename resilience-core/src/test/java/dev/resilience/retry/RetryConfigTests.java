package dev.resilience.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import dev.resilience.core.ExceptionMatcher;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class RetryConfigTests {

	@Test
	void defaultsAreAsDocumented() {
		RetryConfig config = RetryConfig.ofDefaults();
		assertThat(config.maxAttempts()).isEqualTo(3);
		assertThat(config.waitDuration()).isEqualTo(Duration.ofMillis(500));
		assertThat(config.exponentialBackoffMultiplier()).isEqualTo(1.0);
		assertThat(config.exponentialMaxWaitDuration()).isNull();
		assertThat(config.randomizedWaitFactor()).isZero();
		assertThat(config.retryExceptions()).isEmpty();
		assertThat(config.ignoreExceptions()).isEmpty();
		assertThat(config.retryOnExceptionPredicate()).isNull();
		assertThat(config.matchCauseChain()).isFalse();
		assertThat(config.retryOnResult()).isNull();
		assertThat(config.retryOnRejection()).isFalse();
		assertThat(config.budgetMaxTokens()).isZero();
		assertThat(config.budgetTokenRatio()).isEqualTo(0.1);
		assertThat(config.exceptionMatcher()).isSameAs(ExceptionMatcher.all());
	}

	@Test
	void rejectsMaxAttemptsBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().maxAttempts(0).build())
			.withMessage("maxAttempts must be at least 1 but was 0");
	}

	@Test
	void rejectsNegativeOrMissingWaitDuration() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().waitDuration(Duration.ofMillis(-1)).build())
			.withMessage("waitDuration must not be negative but was PT-0.001S");
		assertThatNullPointerException().isThrownBy(() -> RetryConfig.builder().waitDuration(null).build())
			.withMessage("waitDuration must not be null");
	}

	@Test
	void acceptsZeroWaitDuration() {
		assertThat(RetryConfig.builder().waitDuration(Duration.ZERO).build().waitDuration()).isZero();
	}

	@Test
	void rejectsBackoffMultiplierBelowOne() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().exponentialBackoffMultiplier(0.5).build())
			.withMessage("exponentialBackoffMultiplier must be at least 1.0 but was 0.5");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().exponentialBackoffMultiplier(Double.NaN).build())
			.withMessage("exponentialBackoffMultiplier must be at least 1.0 but was NaN");
	}

	@Test
	void rejectsMaxWaitShorterThanWait() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder()
				.waitDuration(Duration.ofSeconds(1))
				.exponentialMaxWaitDuration(Duration.ofMillis(500))
				.build())
			.withMessage("exponentialMaxWaitDuration must be at least waitDuration (PT1S) but was PT0.5S");
	}

	@Test
	void rejectsRandomizedWaitFactorOutsideZeroToOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().randomizedWaitFactor(1.0).build())
			.withMessage("randomizedWaitFactor must be at least 0.0 and less than 1.0 but was 1.0");
		assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().randomizedWaitFactor(-0.1).build())
			.withMessage("randomizedWaitFactor must be at least 0.0 and less than 1.0 but was -0.1");
	}

	@Test
	void rejectsInvalidBudget() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().budgetMaxTokens(-1).build())
			.withMessage("budgetMaxTokens must be at least 0 but was -1");
		assertThatIllegalArgumentException().isThrownBy(() -> RetryConfig.builder().budgetTokenRatio(0).build())
			.withMessage("budgetTokenRatio must be greater than 0.0 but was 0.0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().budgetMaxTokens(2).budgetTokenRatio(2.5).build())
			.withMessage("budgetTokenRatio must be at most budgetMaxTokens (2) but was 2.5");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().budgetMaxTokens(2).budgetTokenRatio(0.0001).build())
			.withMessage("budgetTokenRatio must be at least 0.001 with a budget but was 1.0E-4");
	}

	@Test
	void budgetTokenRatioAboveOneIsAllowedWithoutBudget() {
		assertThat(RetryConfig.builder().budgetTokenRatio(5).build().budgetTokenRatio()).isEqualTo(5);
	}

	@Test
	void rejectsNullExceptionTypes() {
		assertThatNullPointerException()
			.isThrownBy(() -> RetryConfig.builder().retryExceptions(IOException.class, null))
			.withMessage("retryExceptions must not contain null");
	}

	@Test
	void fromCopiesEverySettingAndAllowsOverrides() {
		RetryConfig base = RetryConfig.builder()
			.maxAttempts(5)
			.waitDuration(Duration.ofMillis(10))
			.exponentialBackoffMultiplier(2)
			.exponentialMaxWaitDuration(Duration.ofMillis(100))
			.randomizedWaitFactor(0.2)
			.retryExceptions(IOException.class)
			.ignoreExceptions(IllegalStateException.class)
			.retryOnExceptionPredicate((ex) -> false)
			.matchCauseChain(true)
			.retryOnResult((result) -> false)
			.retryOnRejection(true)
			.budgetMaxTokens(10)
			.budgetTokenRatio(0.5)
			.build();
		RetryConfig copy = RetryConfig.from(base).build();
		assertThat(copy.toString()).isEqualTo(base.toString());
		assertThat(copy.retryOnExceptionPredicate()).isSameAs(base.retryOnExceptionPredicate());
		assertThat(copy.retryOnResult()).isSameAs(base.retryOnResult());
		RetryConfig changed = RetryConfig.from(base).maxAttempts(2).build();
		assertThat(changed.maxAttempts()).isEqualTo(2);
		assertThat(changed.waitDuration()).isEqualTo(Duration.ofMillis(10));
		assertThat(base.maxAttempts()).isEqualTo(5);
	}

	@Test
	void exceptionMatcherIsBuiltFromTheExceptionSettings() {
		RetryConfig config = RetryConfig.builder()
			.retryExceptions(List.of(IOException.class))
			.ignoreExceptions(List.of(IllegalStateException.class))
			.matchCauseChain(true)
			.build();
		ExceptionMatcher matcher = config.exceptionMatcher();
		assertThat(matcher.included()).containsExactly(IOException.class);
		assertThat(matcher.ignored()).containsExactly(IllegalStateException.class);
		assertThat(matcher.matchCauseChain()).isTrue();
		assertThat(matcher.matches(new RuntimeException(new IOException()))).isTrue();
		assertThat(matcher.matches(new IllegalArgumentException())).isFalse();
	}

	@Test
	void toStringListsTheSettings() {
		assertThat(RetryConfig.builder().retryExceptions(IOException.class).build().toString()).contains(
				"maxAttempts=3", "waitDuration=PT0.5S", "exponentialBackoffMultiplier=1.0",
				"retryExceptions=[java.io.IOException]", "retryOnRejection=false", "budgetMaxTokens=0");
	}

	@Test
	void everyDurationSettingIsAtMostOneDayNamingTheSettingTheValueAndTheMaximum() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().waitDuration(Duration.ofDays(99999999999L)).build())
			.withMessage("waitDuration must be at most PT24H but was PT2399999999976H");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryConfig.builder().exponentialMaxWaitDuration(Duration.ofDays(1).plusNanos(1)).build())
			.withMessage("exponentialMaxWaitDuration must be at most PT24H but was PT24H0.000000001S");
	}

	@Test
	void everyDurationSettingAcceptsItsMaximum() {
		Duration max = RetryConfig.MAX_WAIT_DURATION;
		assertThat(max).isEqualTo(Duration.ofDays(1));
		RetryConfig config = RetryConfig.builder().waitDuration(max).exponentialMaxWaitDuration(max).build();
		assertThat(config.waitNanos()).isEqualTo(max.toNanos());
		assertThat(config.maxWaitNanos()).isEqualTo(max.toNanos());
	}

	@Test
	void anUncappedExponentialWaitStopsAtTheMaximum() {
		RetryConfig config = RetryConfig.builder()
			.maxAttempts(200)
			.waitDuration(Duration.ofSeconds(1))
			.exponentialBackoffMultiplier(10)
			.build();
		assertThat(config.maxWaitNanos()).isEqualTo(Duration.ofDays(1).toNanos());
		assertThat(DefaultRetry.waitNanos(config, 5)).isEqualTo(Duration.ofSeconds(10_000).toNanos());
		assertThat(DefaultRetry.waitNanos(config, 6)).isEqualTo(Duration.ofDays(1).toNanos());
		assertThat(DefaultRetry.waitNanos(config, 199)).isEqualTo(Duration.ofDays(1).toNanos());
	}

	@Test
	void theJitteredWaitAtTheMaximumStaysWithinItsBounds() {
		long max = RetryConfig.MAX_WAIT_DURATION.toNanos();
		RetryConfig config = RetryConfig.builder()
			.maxAttempts(Integer.MAX_VALUE)
			.waitDuration(RetryConfig.MAX_WAIT_DURATION)
			.exponentialBackoffMultiplier(Double.MAX_VALUE)
			.randomizedWaitFactor(0.999)
			.build();
		for (int i = 0; i < 1000; i++) {
			assertThat(DefaultRetry.waitNanos(config, Integer.MAX_VALUE - 1)).isBetween(max - (long) (max * 0.999),
					max + (long) (max * 0.999));
		}
	}

}
