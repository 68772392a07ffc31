package dev.resilience.bulkhead;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class BulkheadConfigTests {

	@Test
	void defaultsAreTwentyFiveCallsWithoutWaiting() {
		BulkheadConfig config = BulkheadConfig.ofDefaults();
		assertThat(config.maxConcurrentCalls()).isEqualTo(25);
		assertThat(config.maxWaitDuration()).isZero();
	}

	@Test
	void builderSetsEverySettingAndFromInherits() {
		BulkheadConfig base = BulkheadConfig.builder()
			.maxConcurrentCalls(3)
			.maxWaitDuration(Duration.ofMillis(10))
			.build();
		assertThat(base.maxConcurrentCalls()).isEqualTo(3);
		assertThat(base.maxWaitDuration()).isEqualTo(Duration.ofMillis(10));
		BulkheadConfig derived = BulkheadConfig.from(base).maxConcurrentCalls(4).build();
		assertThat(derived.maxConcurrentCalls()).isEqualTo(4);
		assertThat(derived.maxWaitDuration()).isEqualTo(Duration.ofMillis(10));
	}

	@Test
	void rejectsOutOfRangeSettingsNamingTheSettingAndTheValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> BulkheadConfig.builder().maxConcurrentCalls(0).build())
			.withMessage("maxConcurrentCalls must be at least 1 but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BulkheadConfig.builder().maxWaitDuration(Duration.ofNanos(-1)).build())
			.withMessage("maxWaitDuration must not be negative but was PT-0.000000001S");
		assertThatNullPointerException().isThrownBy(() -> BulkheadConfig.builder().maxWaitDuration(null).build())
			.withMessage("maxWaitDuration must not be null");
	}

	@Test
	void toStringListsTheSettings() {
		assertThat(BulkheadConfig.ofDefaults()).hasToString(
				"BulkheadConfig{limitAlgorithm=fixed, maxConcurrentCalls=25, maxWaitDuration=PT0S, maxKeys=10000}");
	}

	@Test
	void maxWaitDurationIsAtMostOneDayNamingTheValueAndTheMaximum() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BulkheadConfig.builder().maxWaitDuration(Duration.ofDays(99999999999L)).build())
			.withMessage("maxWaitDuration must be at most PT24H but was PT2399999999976H");
		assertThat(BulkheadConfig.MAX_WAIT_DURATION).isEqualTo(Duration.ofDays(1));
		assertThat(BulkheadConfig.builder().maxWaitDuration(Duration.ofDays(1)).build().maxWaitDuration())
			.isEqualTo(Duration.ofDays(1));
	}

}
