package dev.resilience.timeout;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class TimeoutConfigTests {

	@Test
	void defaultsAreOneSecondAndCancellation() {
		TimeoutConfig config = TimeoutConfig.ofDefaults();
		assertThat(config.timeoutDuration()).isEqualTo(Duration.ofSeconds(1));
		assertThat(config.cancelRunningFuture()).isTrue();
		assertThat(config.timeoutNanos()).isEqualTo(1_000_000_000L);
	}

	@Test
	void rejectsADurationThatIsNotPositiveNamingTheSettingAndTheValue() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TimeoutConfig.builder().timeoutDuration(Duration.ZERO).build())
			.withMessage("timeoutDuration must be greater than zero but was PT0S");
		assertThatNullPointerException().isThrownBy(() -> TimeoutConfig.builder().timeoutDuration(null).build())
			.withMessage("timeoutDuration must not be null");
	}

	@Test
	void timeoutDurationIsAtMostOneDayNamingTheValueAndTheMaximum() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TimeoutConfig.builder().timeoutDuration(Duration.ofDays(99999999999L)).build())
			.withMessage("timeoutDuration must be at most PT24H but was PT2399999999976H");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TimeoutConfig.builder().timeoutDuration(Duration.ofDays(1).plusNanos(1)).build())
			.withMessage("timeoutDuration must be at most PT24H but was PT24H0.000000001S");
	}

	@Test
	void acceptsItsMaximum() {
		assertThat(TimeoutConfig.MAX_TIMEOUT_DURATION).isEqualTo(Duration.ofDays(1));
		TimeoutConfig config = TimeoutConfig.builder().timeoutDuration(Duration.ofDays(1)).build();
		assertThat(config.timeoutNanos()).isEqualTo(Duration.ofDays(1).toNanos());
	}

	@Test
	void fromCopiesEverySetting() {
		TimeoutConfig base = TimeoutConfig.builder()
			.timeoutDuration(Duration.ofMillis(250))
			.cancelRunningFuture(false)
			.build();
		TimeoutConfig copy = TimeoutConfig.from(base).build();
		assertThat(copy.timeoutDuration()).isEqualTo(Duration.ofMillis(250));
		assertThat(copy.cancelRunningFuture()).isFalse();
		assertThat(copy).hasToString("TimeoutConfig[timeoutDuration=PT0.25S, cancelRunningFuture=false]");
	}

}
