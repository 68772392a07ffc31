package dev.resilience.bulkhead;

import java.time.Duration;

import dev.resilience.core.InvalidSettingException;
import dev.resilience.limit.LimitAlgorithm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
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
		assertThat(BulkheadConfig.ofDefaults())
			.hasToString("BulkheadConfig[maxConcurrentCalls=25, maxWaitDuration=PT0S, maxKeys=10000]");
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

	@Test
	void aFixedBulkheadIsTheDefaultAndDescribesItsAlgorithm() {
		BulkheadConfig config = BulkheadConfig.ofDefaults();
		assertThat(config.isAdaptive()).isFalse();
		assertThat(config.limit().algorithm()).isEqualTo(LimitAlgorithm.FIXED);
		assertThat(config.describe()).containsEntry("limitAlgorithm", "fixed").containsEntry("maxConcurrentCalls", 25);
	}

	@Test
	void anAdaptiveBulkheadTakesTheLimitSettingsUnderTheirOwnNames() {
		BulkheadConfig config = BulkheadConfig.builder()
			.limitAlgorithm(LimitAlgorithm.AIMD)
			.initialLimit(30)
			.minLimit(5)
			.maxLimit(60)
			.backoffRatio(0.8)
			.timeout(Duration.ofSeconds(2))
			.build();
		assertThat(config.isAdaptive()).isTrue();
		assertThat(config.limit().initialLimit()).isEqualTo(30);
		assertThat(config.limit().backoffRatio()).isEqualTo(0.8);
		assertThat(config.describe()).containsEntry("limitAlgorithm", "aimd")
			.containsEntry("initialLimit", 30)
			.containsEntry("minLimit", 5)
			.containsEntry("maxLimit", 60)
			.containsEntry("timeout", Duration.ofSeconds(2))
			.doesNotContainKey("maxConcurrentCalls");
		assertThat(config)
			.hasToString("BulkheadConfig[limit=" + config.limit() + ", maxWaitDuration=PT0S, maxKeys=10000]");
	}

	@Test
	void maxConcurrentCallsWithAnAdaptiveAlgorithmIsRefusedAsIgnored() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(
					() -> BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.VEGAS).maxConcurrentCalls(10).build())
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("maxConcurrentCalls"))
			.withMessageContaining("applies to limitAlgorithm fixed only");
	}

	@Test
	void initialLimitWithAFixedAlgorithmIsRefusedAsIgnored() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> BulkheadConfig.builder().initialLimit(10).build())
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("initialLimit"))
			.withMessageContaining("a fixed limit is maxConcurrentCalls");
	}

	@Test
	void anInheritedAdaptiveLimitIsKeptAndMayBeSwitchedBackToFixed() {
		BulkheadConfig base = BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.GRADIENT2).smoothing(0.5).build();
		BulkheadConfig child = BulkheadConfig.from(base).maxWaitDuration(Duration.ofMillis(5)).build();
		assertThat(child.limit().algorithm()).isEqualTo(LimitAlgorithm.GRADIENT2);
		assertThat(child.limit().smoothing()).isEqualTo(0.5);
		// An inherited Gradient2 setting is not "given" on the child: switching is legal.
		BulkheadConfig fixed = BulkheadConfig.from(base)
			.limitAlgorithm(LimitAlgorithm.FIXED)
			.maxConcurrentCalls(7)
			.build();
		assertThat(fixed.isAdaptive()).isFalse();
		assertThat(fixed.maxConcurrentCalls()).isEqualTo(7);
	}

}
