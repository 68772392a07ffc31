package dev.resilience.boot.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default names and keys of {@code resilience.attempt}: the name
 * {@code resilience.attempt}, the contextual name
 * {@code <SimpleClassName>.<method> attempt}, the low-cardinality keys
 * {@code resilience.method}, {@code resilience.retry} and {@code resilience.outcome}, and
 * the high-cardinality key {@code resilience.attempt.number} (from 1). Stateless and
 * thread-safe.
 */
public class DefaultResilienceAttemptObservationConvention implements ResilienceAttemptObservationConvention {

	/** The shared instance. */
	public static final DefaultResilienceAttemptObservationConvention INSTANCE = new DefaultResilienceAttemptObservationConvention();

	// The first attempts' numbers, made once: most calls make few attempts.
	private static final KeyValues[] NUMBERS = new KeyValues[8];

	static {
		for (int i = 0; i < NUMBERS.length; i++) {
			NUMBERS[i] = KeyValues
				.of(KeyValue.of(ResilienceObservationDocumentation.ATTEMPT_NUMBER, Integer.toString(i + 1)));
		}
	}

	@Override
	public String getName() {
		return ResilienceObservationDocumentation.ATTEMPT.getName();
	}

	@Override
	public String getContextualName(ResilienceAttemptContext context) {
		return context.getMethod().attemptName();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ResilienceAttemptContext context) {
		CallOutcome outcome = context.getOutcome();
		KeyValues keys = context.getMethod().attemptKeyValues();
		return (outcome != null) ? keys.and(outcome.keyValue()) : keys;
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ResilienceAttemptContext context) {
		int number = context.getNumber();
		return (number >= 1 && number <= NUMBERS.length) ? NUMBERS[number - 1] : KeyValues
			.of(KeyValue.of(ResilienceObservationDocumentation.ATTEMPT_NUMBER, Integer.toString(number)));
	}

}
