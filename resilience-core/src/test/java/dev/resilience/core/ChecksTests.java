package dev.resilience.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ChecksTests {

	private static final Duration MAX = Duration.ofSeconds(10);

	@Test
	void aBoundedDurationMayEqualItsMaximumButNotExceedIt() {
		assertThat(Checks.atMost(MAX, MAX, "wait")).isSameAs(MAX);
		assertThat(Checks.positive(MAX, MAX, "wait")).isSameAs(MAX);
		assertThat(Checks.notNegative(Duration.ZERO, MAX, "wait")).isZero();
		assertThatIllegalArgumentException().isThrownBy(() -> Checks.atMost(MAX.plusNanos(1), MAX, "wait"))
			.withMessage("wait must be at most PT10S but was PT10.000000001S");
		assertThatIllegalArgumentException().isThrownBy(() -> Checks.notNegative(MAX.plusNanos(1), MAX, "wait"))
			.withMessage("wait must be at most PT10S but was PT10.000000001S");
	}

	@Test
	void theLowerBoundIsCheckedFirstAndNullIsNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> Checks.positive(Duration.ZERO, MAX, "wait"))
			.withMessage("wait must be greater than zero but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> Checks.notNegative(Duration.ofNanos(-1), MAX, "wait"))
			.withMessage("wait must not be negative but was PT-0.000000001S");
		assertThatNullPointerException().isThrownBy(() -> Checks.atMost(null, MAX, "wait"))
			.withMessage("wait must not be null");
	}

}
