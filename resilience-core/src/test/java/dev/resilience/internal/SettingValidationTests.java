package dev.resilience.internal;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class SettingValidationTests {

	private static final Duration MAX = Duration.ofSeconds(10);

	@Test
	void aBoundedDurationMayEqualItsMaximumButNotExceedIt() {
		assertThat(SettingValidation.atMost(MAX, MAX, "wait")).isSameAs(MAX);
		assertThat(SettingValidation.positive(MAX, MAX, "wait")).isSameAs(MAX);
		assertThat(SettingValidation.notNegative(Duration.ZERO, MAX, "wait")).isZero();
		assertThatIllegalArgumentException().isThrownBy(() -> SettingValidation.atMost(MAX.plusNanos(1), MAX, "wait"))
			.withMessage("wait must be at most PT10S but was PT10.000000001S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SettingValidation.notNegative(MAX.plusNanos(1), MAX, "wait"))
			.withMessage("wait must be at most PT10S but was PT10.000000001S");
	}

	@Test
	void theLowerBoundIsCheckedFirstAndNullIsNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> SettingValidation.positive(Duration.ZERO, MAX, "wait"))
			.withMessage("wait must be greater than zero but was PT0S");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SettingValidation.notNegative(Duration.ofNanos(-1), MAX, "wait"))
			.withMessage("wait must not be negative but was PT-0.000000001S");
		assertThatNullPointerException().isThrownBy(() -> SettingValidation.atMost(null, MAX, "wait"))
			.withMessage("wait must not be null");
	}

}
