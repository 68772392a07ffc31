package dev.resilience.ratelimiter;

import java.time.Duration;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class RateLimiterConfigTests {

	@Test
	void defaultsAreFiftyPermitsPerSecondWithAFiveSecondTimeout() {
		RateLimiterConfig config = RateLimiterConfig.ofDefaults();
		assertThat(config.limitForPeriod()).isEqualTo(50);
		assertThat(config.limitRefreshPeriod()).isEqualTo(Duration.ofSeconds(1));
		assertThat(config.timeoutDuration()).isEqualTo(Duration.ofSeconds(5));
		assertThat(config.burstCapacity()).isZero();
		assertThat(config.effectiveBurstCapacity()).isEqualTo(50);
		assertThat(config.emissionIntervalNanos()).isEqualTo(20_000_000.0);
	}

	@Test
	void builderSetsEverySetting() {
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofMillis(10))
			.timeoutDuration(Duration.ZERO)
			.burstCapacity(7)
			.build();
		assertThat(config.limitForPeriod()).isEqualTo(3);
		assertThat(config.limitRefreshPeriod()).isEqualTo(Duration.ofMillis(10));
		assertThat(config.timeoutDuration()).isZero();
		assertThat(config.burstCapacity()).isEqualTo(7);
		assertThat(config.effectiveBurstCapacity()).isEqualTo(7);
		assertThat(config.emissionIntervalNanos()).isEqualTo(10_000_000.0 / 3);
	}

	@Test
	void fromCopiesTheBaseAndChangesOnlyWhatIsSet() {
		RateLimiterConfig base = RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofMillis(10))
			.timeoutDuration(Duration.ofMillis(1))
			.burstCapacity(7)
			.build();
		RateLimiterConfig derived = RateLimiterConfig.from(base).limitForPeriod(4).build();
		assertThat(derived.limitForPeriod()).isEqualTo(4);
		assertThat(derived.limitRefreshPeriod()).isEqualTo(Duration.ofMillis(10));
		assertThat(derived.timeoutDuration()).isEqualTo(Duration.ofMillis(1));
		assertThat(derived.burstCapacity()).isEqualTo(7);
		assertThat(base.limitForPeriod()).isEqualTo(3);
	}

	@Test
	void rejectsOutOfRangeSettingsNamingTheSettingAndTheValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimiterConfig.builder().limitForPeriod(0).build())
			.withMessage("limitForPeriod must be at least 1 but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimiterConfig.builder().limitRefreshPeriod(Duration.ZERO).build())
			.withMessage("limitRefreshPeriod must be greater than zero but was PT0S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimiterConfig.builder().timeoutDuration(Duration.ofMillis(-1)).build())
			.withMessage("timeoutDuration must not be negative but was PT-0.001S");
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimiterConfig.builder().burstCapacity(-1).build())
			.withMessage("burstCapacity must be at least 0 but was -1");
	}

	@Test
	void rejectsMissingDurations() {
		assertThatNullPointerException().isThrownBy(() -> RateLimiterConfig.builder().limitRefreshPeriod(null).build())
			.withMessage("limitRefreshPeriod must not be null");
		assertThatNullPointerException().isThrownBy(() -> RateLimiterConfig.builder().timeoutDuration(null).build())
			.withMessage("timeoutDuration must not be null");
	}

	@Test
	void allowsAtMostOnePermitPerNanosecond() {
		RateLimiterConfig fastest = RateLimiterConfig.builder()
			.limitForPeriod(10)
			.limitRefreshPeriod(Duration.ofNanos(10))
			.build();
		assertThat(fastest.emissionIntervalNanos()).isEqualTo(1.0);
		assertThatIllegalArgumentException().isThrownBy(
				() -> RateLimiterConfig.builder().limitForPeriod(11).limitRefreshPeriod(Duration.ofNanos(10)).build())
			.withMessageContaining("limitForPeriod must not exceed limitRefreshPeriod in nanoseconds")
			.withMessageContaining("11 for PT0.00000001S");
	}

	@Test
	void boundsTheRefreshPeriodAndTheTimeToRefillTheBucket() {
		Duration max = RateLimiterConfig.MAX_REFILL_DURATION;
		assertThat(RateLimiterConfig.builder().limitForPeriod(1).limitRefreshPeriod(max).build().limitRefreshPeriod())
			.isEqualTo(max);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimiterConfig.builder().limitRefreshPeriod(max.plusNanos(1)).build())
			.withMessageStartingWith("limitRefreshPeriod must be at most");
		// One permit per 2^50 ns, but a bucket of 2^11 permits takes 2^61 ns to refill.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimiterConfig.builder()
				.limitForPeriod(1)
				.limitRefreshPeriod(Duration.ofNanos(1L << 50))
				.burstCapacity(1 << 11)
				.build())
			.withMessageStartingWith("the time to refill the bucket (burstCapacity 2048");
		// A huge bucket is fine when permits come fast enough: the check must not
		// overflow.
		RateLimiterConfig huge = RateLimiterConfig.builder()
			.limitForPeriod(Integer.MAX_VALUE)
			.limitRefreshPeriod(Duration.ofHours(1))
			.burstCapacity(Integer.MAX_VALUE)
			.build();
		assertThat(huge.effectiveBurstCapacity()).isEqualTo(Integer.MAX_VALUE);
	}

	@Test
	void toStringListsTheSettings() {
		assertThat(RateLimiterConfig.ofDefaults()).hasToString(
				"RateLimiterConfig[limitForPeriod=50, limitRefreshPeriod=PT1S, timeoutDuration=PT5S, burstCapacity=0, maxKeys=10000]");
	}

	@Test
	void aLimiterAtTheMaximumsDecidesExactlyNearTheEndOfTheTickersRange() {
		FakeTicker nearOverflow = new FakeTicker(Long.MAX_VALUE - Duration.ofHours(1).toNanos());
		RateLimiter limiter = RateLimiter.of("max",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(RateLimiterConfig.MAX_REFILL_DURATION)
					.timeoutDuration(RateLimiterConfig.MAX_TIMEOUT_DURATION)
					.build(),
				nearOverflow, new ManualScheduler(nearOverflow));
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		// The next permit comes a whole refill period later, far beyond the timeout.
		assertThat(limiter.reservePermission(1)).isEqualTo(RateLimiter.REJECTED);
		RateLimiter daily = RateLimiter.of("daily",
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(Duration.ofDays(1))
					.timeoutDuration(RateLimiterConfig.MAX_TIMEOUT_DURATION)
					.build(),
				nearOverflow, new ManualScheduler(nearOverflow));
		assertThat(daily.tryAcquirePermission(1)).isTrue();
		assertThat(daily.reservePermission(1)).isEqualTo(Duration.ofDays(1).toNanos());
		assertThat(daily.reservePermission(1)).isEqualTo(RateLimiter.REJECTED);
	}

	@Test
	void timeoutDurationIsAtMostOneDayNamingTheValueAndTheMaximum() {
		// It used to be accepted and stored as given, then treated as far shorter.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RateLimiterConfig.builder().timeoutDuration(Duration.ofDays(99999999999L)).build())
			.withMessage("timeoutDuration must be at most PT24H but was PT2399999999976H");
		assertThat(RateLimiterConfig.MAX_TIMEOUT_DURATION).isEqualTo(Duration.ofDays(1));
		assertThat(RateLimiterConfig.builder().timeoutDuration(Duration.ofDays(1)).build().timeoutDuration())
			.isEqualTo(Duration.ofDays(1));
	}

}
