package dev.resilience.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

import dev.resilience.core.InvalidSettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

class ChaosRuleConfigTests {

	private static final Supplier<Throwable> FAILURE = () -> new IOException("chaos: rule r");

	@Test
	void faultsAreNamedByTheirConfigurationWords() {
		assertThat(ChaosFault.EXCEPTION.value()).isEqualTo("exception");
		assertThat(ChaosFault.LATENCY.value()).isEqualTo("latency");
		assertThat(ChaosFault.RESULT.value()).isEqualTo("result");
	}

	@Test
	void aRuleAffectsEveryCallAndIsEnabledByDefault() {
		ChaosRuleConfig config = ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(FAILURE).build();
		assertThat(config.fault()).isEqualTo(ChaosFault.EXCEPTION);
		assertThat(config.rate()).isEqualTo(1.0);
		assertThat(config.enabled()).isTrue();
		assertThat(config.exception()).isSameAs(FAILURE);
		assertThat(config.latencyMin()).isNull();
		assertThat(config.latencyMax()).isNull();
		assertThat(config.result()).isNull();
	}

	@Test
	void aFixedLatencyIsARangeOfOneValue() {
		ChaosRuleConfig config = ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(Duration.ofSeconds(2)).build();
		assertThat(config.latencyMin()).isEqualTo(Duration.ofSeconds(2));
		assertThat(config.latencyMax()).isEqualTo(Duration.ofSeconds(2));
		assertThat(config.describe()).containsExactly(entry("fault", ChaosFault.LATENCY), entry("rate", 1.0),
				entry("enabled", true), entry("latencyMin", Duration.ofSeconds(2)),
				entry("latencyMax", Duration.ofSeconds(2)));
	}

	@Test
	void aConfigurationCopiedFromAnotherKeepsEverySettingButTheOnesChanged() {
		ChaosRuleConfig base = ChaosRuleConfig.builder(ChaosFault.LATENCY)
			.latency(Duration.ofMillis(100), Duration.ofMillis(200))
			.rate(0.25)
			.build();
		ChaosRuleConfig off = ChaosRuleConfig.from(base).enabled(false).build();
		assertThat(off.enabled()).isFalse();
		assertThat(off.fault()).isEqualTo(ChaosFault.LATENCY);
		assertThat(off.rate()).isEqualTo(0.25);
		assertThat(off.latencyMin()).isEqualTo(Duration.ofMillis(100));
		assertThat(off.latencyMax()).isEqualTo(Duration.ofMillis(200));
		assertThat(ChaosRuleConfig.from(base).rate(1.0).build().enabled()).isTrue();
		Supplier<Object> value = () -> "x";
		assertThat(
				ChaosRuleConfig.from(ChaosRuleConfig.builder(ChaosFault.RESULT).result(value).build()).build().result())
			.isSameAs(value);
	}

	@Test
	void aZeroLatencyIsAllowed() {
		assertThat(ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(Duration.ZERO).build().latencyMax())
			.isEqualTo(Duration.ZERO);
	}

	@ParameterizedTest
	@ValueSource(doubles = { -0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY })
	void aRateOutsideZeroToOneIsRejected(double rate) {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(FAILURE).rate(rate).build())
			.withMessage("rate must be between 0.0 and 1.0 but was " + rate)
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("rate"));
	}

	@Test
	void theRatesBoundsAreAllowed() {
		assertThat(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "x").rate(0.0).build().rate()).isZero();
		assertThat(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "x").rate(1.0).build().rate())
			.isEqualTo(1.0);
	}

	@Test
	void anExceptionFaultWithoutAnExceptionIsRejected() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.EXCEPTION).build())
			.withMessage("exception must be given for fault exception but was not")
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("exception"));
	}

	@Test
	void aLatencyFaultWithoutALatencyIsRejected() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.LATENCY).build())
			.withMessage("latency must be given for fault latency but was not")
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("latency"));
	}

	@Test
	void aResultFaultWithoutAResultIsRejected() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.RESULT).build())
			.withMessage("result must be given for fault result but was not");
	}

	@Test
	void whatAnotherFaultNeedsIsRejectedRatherThanIgnored() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
				.exception(FAILURE)
				.latency(Duration.ofSeconds(1))
				.build())
			.withMessage("latency applies to fault latency only, but the fault is exception");
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.LATENCY)
				.latency(Duration.ofSeconds(1))
				.result(() -> "x")
				.build())
			.withMessage("result applies to fault result only, but the fault is latency");
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "x").exception(FAILURE).build())
			.withMessage("exception applies to fault exception only, but the fault is result");
	}

	@Test
	void aLatencyMaximumBelowItsMinimumIsRejected() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.LATENCY)
				.latency(Duration.ofSeconds(2), Duration.ofSeconds(1))
				.build())
			.withMessage("latencyMax must be at least latencyMin (PT2S) but was PT1S")
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("latencyMax"));
	}

	@Test
	void aNegativeOrTooLongLatencyIsRejected() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.LATENCY)
				.latency(Duration.ofSeconds(-1), Duration.ofSeconds(1))
				.build())
			.withMessage("latencyMin must not be negative but was PT-1S");
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(Duration.ofDays(2)).build())
			.withMessage("latencyMin must be at most PT24H but was PT48H");
	}

	@Test
	void aMissingFaultOrSupplierIsRejectedAtOnce() {
		assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> ChaosRuleConfig.builder(null))
			.withMessage("fault must not be null");
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(null))
			.withMessage("exception must not be null");
	}

	@Test
	void aRuleNeedsAName() {
		ChaosRuleConfig config = ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "x").build();
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> ChaosRule.of("", config))
			.withMessage("name must not be empty");
		assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> ChaosRule.of("r", null))
			.withMessage("config must not be null");
	}

}
