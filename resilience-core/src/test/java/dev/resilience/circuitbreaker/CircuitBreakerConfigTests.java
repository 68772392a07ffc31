package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class CircuitBreakerConfigTests {

	@Test
	void defaultsAreDocumentedValues() {
		CircuitBreakerConfig config = CircuitBreakerConfig.ofDefaults();
		assertThat(config.slidingWindowType()).isEqualTo(SlidingWindowType.COUNT_BASED);
		assertThat(config.slidingWindowSize()).isEqualTo(100);
		assertThat(config.minimumNumberOfCalls()).isEqualTo(100);
		assertThat(config.failureRateThreshold()).isEqualTo(50.0f);
		assertThat(config.slowCallRateThreshold()).isEqualTo(100.0f);
		assertThat(config.slowCallDurationThreshold()).isNull();
		assertThat(config.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(60));
		assertThat(config.waitDurationInOpenStateMultiplier()).isEqualTo(1.0);
		assertThat(config.maxWaitDurationInOpenState()).isNull();
		assertThat(config.automaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
		assertThat(config.permittedNumberOfCallsInHalfOpenState()).isEqualTo(10);
		assertThat(config.maxWaitDurationInHalfOpenState()).isEqualTo(Duration.ZERO);
		assertThat(config.recordExceptions()).isEmpty();
		assertThat(config.ignoreExceptions()).isEmpty();
		assertThat(config.recordFailurePredicate()).isNull();
		assertThat(config.matchCauseChain()).isFalse();
		assertThat(config.recordResult()).isNull();
		assertThat(config.exceptionMatcher().matches(new IOException())).isTrue();
	}

	@Test
	void builderWithoutChangesBuildsTheDefaults() {
		assertThat(CircuitBreakerConfig.builder().build()).hasToString(CircuitBreakerConfig.ofDefaults().toString());
	}

	@Test
	void toStringListsTheSettings() {
		assertThat(CircuitBreakerConfig.builder().slidingWindowSize(7).build().toString()).contains(
				"slidingWindowSize=7", "failureRateThreshold=50.0", "waitDurationInOpenState=PT1M",
				"maxWaitDurationInHalfOpenState=PT0S");
	}

	@Test
	void slidingWindowSizeMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowSize(0).build())
			.withMessage("slidingWindowSize must be at least 1 but was 0");
	}

	@Test
	void minimumNumberOfCallsMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().minimumNumberOfCalls(-3).build())
			.withMessage("minimumNumberOfCalls must be at least 1 but was -3");
	}

	@Test
	void failureRateThresholdMustBeAPercentageAboveZero() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(120).build())
			.withMessage("failureRateThreshold must be between 0.0 and 100.0 but was 120.0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(0).build())
			.withMessage("failureRateThreshold must be greater than 0.0 but was 0.0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(Float.NaN).build())
			.withMessageContaining("failureRateThreshold")
			.withMessageContaining("NaN");
		assertThat(CircuitBreakerConfig.builder().failureRateThreshold(100).build().failureRateThreshold())
			.isEqualTo(100.0f);
	}

	@Test
	void slowCallRateThresholdMustBeAPercentageAboveZero() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slowCallRateThreshold(-1).build())
			.withMessage("slowCallRateThreshold must be between 0.0 and 100.0 but was -1.0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slowCallRateThreshold(0).build())
			.withMessage("slowCallRateThreshold must be greater than 0.0 but was 0.0");
	}

	@Test
	void slowCallDurationThresholdMustBePositiveWhenSet() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slowCallDurationThreshold(Duration.ZERO).build())
			.withMessage("slowCallDurationThreshold must be greater than zero but was PT0S");
		assertThat(CircuitBreakerConfig.builder().slowCallDurationThreshold(null).build().slowCallDurationThreshold())
			.isNull();
	}

	@Test
	void waitDurationInOpenStateMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().waitDurationInOpenState(Duration.ofMillis(-5)).build())
			.withMessage("waitDurationInOpenState must be greater than zero but was PT-0.005S");
		assertThatNullPointerException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().waitDurationInOpenState(null).build())
			.withMessage("waitDurationInOpenState must not be null");
	}

	@Test
	void waitDurationInOpenStateMultiplierMustBeAtLeastOne() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().waitDurationInOpenStateMultiplier(0.5).build())
			.withMessage("waitDurationInOpenStateMultiplier must be a finite number of at least 1.0 but was 0.5");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder()
				.waitDurationInOpenStateMultiplier(Double.POSITIVE_INFINITY)
				.build())
			.withMessageContaining("waitDurationInOpenStateMultiplier")
			.withMessageContaining("Infinity");
	}

	@Test
	void maxWaitDurationInOpenStateMustNotBeShorterThanTheWait() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder()
				.waitDurationInOpenState(Duration.ofSeconds(10))
				.maxWaitDurationInOpenState(Duration.ofSeconds(5))
				.build())
			.withMessage("maxWaitDurationInOpenState must be at least waitDurationInOpenState (PT10S) but was PT5S");
		assertThat(CircuitBreakerConfig.builder()
			.waitDurationInOpenState(Duration.ofSeconds(10))
			.maxWaitDurationInOpenState(Duration.ofSeconds(10))
			.build()
			.maxWaitDurationInOpenState()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void permittedNumberOfCallsInHalfOpenStateMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(0).build())
			.withMessage("permittedNumberOfCallsInHalfOpenState must be at least 1 but was 0");
	}

	@Test
	void maxWaitDurationInHalfOpenStateMustNotBeNegative() {
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> CircuitBreakerConfig.builder().maxWaitDurationInHalfOpenState(Duration.ofSeconds(-1)).build())
			.withMessage("maxWaitDurationInHalfOpenState must not be negative but was PT-1S");
	}

	@Test
	void slidingWindowTypeMustNotBeNull() {
		assertThatNullPointerException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slidingWindowType(null).build())
			.withMessage("slidingWindowType must not be null");
	}

	@Test
	void openStateWaitGrowsByTheMultiplierUpToTheCap() {
		CircuitBreakerConfig config = CircuitBreakerConfig.builder()
			.waitDurationInOpenState(Duration.ofSeconds(1))
			.waitDurationInOpenStateMultiplier(2.0)
			.maxWaitDurationInOpenState(Duration.ofSeconds(5))
			.build();
		assertThat(config.waitNanosInOpenState(1)).isEqualTo(1_000_000_000L);
		assertThat(config.waitNanosInOpenState(2)).isEqualTo(2_000_000_000L);
		assertThat(config.waitNanosInOpenState(3)).isEqualTo(4_000_000_000L);
		assertThat(config.waitNanosInOpenState(4)).isEqualTo(5_000_000_000L);
		assertThat(config.waitNanosInOpenState(Integer.MAX_VALUE)).isEqualTo(5_000_000_000L);
	}

	@Test
	void openStateWaitWithoutCapStopsAtTheMaximum() {
		CircuitBreakerConfig config = CircuitBreakerConfig.builder().waitDurationInOpenStateMultiplier(10).build();
		assertThat(config.waitNanosInOpenState(4)).isEqualTo(Duration.ofSeconds(60_000).toNanos());
		assertThat(config.waitNanosInOpenState(5)).isEqualTo(CircuitBreakerConfig.MAX_DURATION.toNanos());
		assertThat(config.waitNanosInOpenState(1000)).isEqualTo(CircuitBreakerConfig.MAX_DURATION.toNanos());
	}

	@Test
	void exceptionMatcherIsBuiltFromTheExceptionSettings() {
		CircuitBreakerConfig config = CircuitBreakerConfig.builder()
			.recordExceptions(IOException.class)
			.ignoreExceptions(List.of(TimeoutException.class))
			.matchCauseChain(true)
			.build();
		assertThat(config.exceptionMatcher().included()).containsExactly(IOException.class);
		assertThat(config.exceptionMatcher().ignored()).containsExactly(TimeoutException.class);
		assertThat(config.exceptionMatcher().matchCauseChain()).isTrue();
		assertThat(config.exceptionMatcher().matches(new RuntimeException(new IOException()))).isTrue();
		assertThat(config.exceptionMatcher().matches(new IllegalStateException())).isFalse();
	}

	@Test
	void fromCopiesEverySetting() {
		Predicate<Throwable> failurePredicate = (ex) -> true;
		Predicate<Object> resultPredicate = (result) -> false;
		CircuitBreakerConfig base = CircuitBreakerConfig.builder()
			.slidingWindowType(SlidingWindowType.TIME_BASED)
			.slidingWindowSize(7)
			.minimumNumberOfCalls(3)
			.failureRateThreshold(25)
			.slowCallRateThreshold(75)
			.slowCallDurationThreshold(Duration.ofMillis(300))
			.waitDurationInOpenState(Duration.ofSeconds(2))
			.waitDurationInOpenStateMultiplier(1.5)
			.maxWaitDurationInOpenState(Duration.ofSeconds(30))
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.permittedNumberOfCallsInHalfOpenState(4)
			.maxWaitDurationInHalfOpenState(Duration.ofSeconds(9))
			.recordExceptions(IOException.class)
			.ignoreExceptions(TimeoutException.class)
			.recordFailurePredicate(failurePredicate)
			.matchCauseChain(true)
			.recordResult(resultPredicate)
			.build();
		CircuitBreakerConfig copy = CircuitBreakerConfig.from(base).build();
		assertThat(copy).hasToString(base.toString());
		assertThat(copy.slidingWindowType()).isEqualTo(SlidingWindowType.TIME_BASED);
		assertThat(copy.slidingWindowSize()).isEqualTo(7);
		assertThat(copy.minimumNumberOfCalls()).isEqualTo(3);
		assertThat(copy.failureRateThreshold()).isEqualTo(25.0f);
		assertThat(copy.slowCallRateThreshold()).isEqualTo(75.0f);
		assertThat(copy.slowCallDurationThreshold()).isEqualTo(Duration.ofMillis(300));
		assertThat(copy.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(2));
		assertThat(copy.waitDurationInOpenStateMultiplier()).isEqualTo(1.5);
		assertThat(copy.maxWaitDurationInOpenState()).isEqualTo(Duration.ofSeconds(30));
		assertThat(copy.automaticTransitionFromOpenToHalfOpenEnabled()).isTrue();
		assertThat(copy.permittedNumberOfCallsInHalfOpenState()).isEqualTo(4);
		assertThat(copy.maxWaitDurationInHalfOpenState()).isEqualTo(Duration.ofSeconds(9));
		assertThat(copy.recordExceptions()).containsExactly(IOException.class);
		assertThat(copy.ignoreExceptions()).containsExactly(TimeoutException.class);
		assertThat(copy.recordFailurePredicate()).isSameAs(failurePredicate);
		assertThat(copy.matchCauseChain()).isTrue();
		assertThat(copy.recordResult()).isSameAs(resultPredicate);
		assertThat(copy.exceptionMatcher()).isNotSameAs(base.exceptionMatcher());
		assertThat(copy.exceptionMatcher()).hasToString(base.exceptionMatcher().toString());
	}

	@Test
	void fromLeavesTheBaseUnchanged() {
		CircuitBreakerConfig base = CircuitBreakerConfig.builder().slidingWindowSize(7).build();
		CircuitBreakerConfig derived = CircuitBreakerConfig.from(base).slidingWindowSize(9).build();
		assertThat(base.slidingWindowSize()).isEqualTo(7);
		assertThat(derived.slidingWindowSize()).isEqualTo(9);
	}

	@Test
	void everyDurationSettingIsAtMostOneDayNamingTheSettingTheValueAndTheMaximum() {
		Duration over = Duration.ofDays(1).plusNanos(1);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().slowCallDurationThreshold(over).build())
			.withMessage("slowCallDurationThreshold must be at most PT24H but was PT24H0.000000001S");
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> CircuitBreakerConfig.builder().waitDurationInOpenState(Duration.ofDays(99999999999L)).build())
			.withMessage("waitDurationInOpenState must be at most PT24H but was PT2399999999976H");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().maxWaitDurationInOpenState(over).build())
			.withMessage("maxWaitDurationInOpenState must be at most PT24H but was PT24H0.000000001S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder().maxWaitDurationInHalfOpenState(over).build())
			.withMessage("maxWaitDurationInHalfOpenState must be at most PT24H but was PT24H0.000000001S");
	}

	@Test
	void everyDurationSettingAcceptsItsMaximumAndTheGrowingWaitStaysWithinIt() {
		Duration max = CircuitBreakerConfig.MAX_DURATION;
		assertThat(max).isEqualTo(Duration.ofDays(1));
		CircuitBreakerConfig config = CircuitBreakerConfig.builder()
			.slowCallDurationThreshold(max)
			.waitDurationInOpenState(max)
			.waitDurationInOpenStateMultiplier(Double.MAX_VALUE)
			.maxWaitDurationInOpenState(max)
			.maxWaitDurationInHalfOpenState(max)
			.build();
		assertThat(config.slowCallDurationThresholdNanos).isEqualTo(max.toNanos());
		assertThat(config.maxWaitDurationInHalfOpenStateNanos).isEqualTo(max.toNanos());
		assertThat(config.waitNanosInOpenState(1)).isEqualTo(max.toNanos());
		assertThat(config.waitNanosInOpenState(Integer.MAX_VALUE)).isEqualTo(max.toNanos());
	}

}
