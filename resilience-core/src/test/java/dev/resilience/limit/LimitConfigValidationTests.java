package dev.resilience.limit;

import java.time.Duration;
import java.util.function.UnaryOperator;

import dev.resilience.core.InvalidSettingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class LimitConfigValidationTests {

	@Test
	void defaultsAreAFixedLimitOfTwenty() {
		LimitConfig config = LimitConfig.ofDefaults();
		assertThat(config.algorithm()).isEqualTo(LimitAlgorithm.FIXED);
		assertThat(config.isAdaptive()).isFalse();
		assertThat(config.initialLimit()).isEqualTo(20);
		assertThat(config.minLimit()).isEqualTo(1);
		assertThat(config.maxLimit()).isEqualTo(200);
		assertThat(config.describe()).containsOnlyKeys("limitAlgorithm", "initialLimit");
	}

	@Test
	void eachAlgorithmDescribesOnlyItsOwnSettings() {
		assertThat(LimitConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).build().describe())
			.containsOnlyKeys("limitAlgorithm", "initialLimit", "minLimit", "maxLimit", "backoffRatio", "timeout");
		assertThat(LimitConfig.builder().limitAlgorithm(LimitAlgorithm.GRADIENT2).build().describe()).containsOnlyKeys(
				"limitAlgorithm", "initialLimit", "minLimit", "maxLimit", "smoothing", "rttTolerance", "longWindow");
		assertThat(LimitConfig.builder().limitAlgorithm(LimitAlgorithm.VEGAS).build().describe())
			.containsOnlyKeys("limitAlgorithm", "initialLimit", "minLimit", "maxLimit", "alpha", "beta")
			.containsEntry("limitAlgorithm", "vegas");
	}

	@Test
	void equalMinAndMaxPinTheLimit() {
		LimitConfig config = LimitConfig.builder()
			.limitAlgorithm(LimitAlgorithm.AIMD)
			.initialLimit(40)
			.minLimit(40)
			.maxLimit(40)
			.build();
		assertThat(config.minLimit()).isEqualTo(config.maxLimit()).isEqualTo(40);
	}

	@Test
	void outOfRangeValuesNameTheirSetting() {
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).minLimit(0), "minLimit", "must be at least 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).minLimit(10).maxLimit(5).initialLimit(5), "maxLimit",
				"must be at least minLimit (10)");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).maxLimit(2_000_000), "maxLimit", "at most 1000000");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).initialLimit(500), "initialLimit",
				"between minLimit (1) and maxLimit (200)");
		assertRefused((b) -> b.initialLimit(0), "initialLimit", "must be at least 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).backoffRatio(1.0), "backoffRatio",
				"at least 0.5 and below 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).backoffRatio(0.2), "backoffRatio",
				"at least 0.5 and below 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).timeout(Duration.ZERO), "timeout",
				"greater than zero");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.GRADIENT2).smoothing(0), "smoothing",
				"above 0 and at most 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.GRADIENT2).rttTolerance(0.9), "rttTolerance",
				"between 1.0 and 10.0");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.GRADIENT2).longWindow(5), "longWindow",
				"between 10 and 100000");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.VEGAS).alpha(0), "alpha", "at least 1");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.VEGAS).alpha(4).beta(4), "beta", "above alpha (4)");
	}

	@Test
	void aSettingOfAnotherAlgorithmIsRefusedAsIgnored() {
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.VEGAS).backoffRatio(0.8), "backoffRatio",
				"applies to limitAlgorithm aimd, not to vegas");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).beta(9), "beta",
				"applies to limitAlgorithm vegas, not to aimd");
		assertRefused((b) -> b.limitAlgorithm(LimitAlgorithm.AIMD).smoothing(0.3), "smoothing",
				"applies to limitAlgorithm gradient2, not to aimd");
		assertRefused((b) -> b.maxLimit(50), "maxLimit",
				"applies to an adaptive limitAlgorithm (aimd, gradient2, vegas), not to fixed");
	}

	@Test
	void inheritedSettingsAreNotCheckedAgainstANewAlgorithm() {
		LimitConfig aimd = LimitConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).backoffRatio(0.7).build();
		LimitConfig vegas = LimitConfig.from(aimd).limitAlgorithm(LimitAlgorithm.VEGAS).build();
		assertThat(vegas.algorithm()).isEqualTo(LimitAlgorithm.VEGAS);
		assertThat(vegas.backoffRatio()).isEqualTo(0.7);
		assertThat(LimitConfig.from(vegas).build().describe()).isEqualTo(vegas.describe());
	}

	private static void assertRefused(UnaryOperator<LimitConfig.Builder> settings, String setting, String message) {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> settings.apply(LimitConfig.builder()).build())
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(setting));
	}

}
