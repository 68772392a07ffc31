package dev.resilience.boot.observation;

import java.util.Locale;

import io.micrometer.common.KeyValue;

/**
 * How a protected call, or one attempt of it, ended: the value of the
 * {@code resilience.outcome} key.
 */
public enum CallOutcome {

	/** The method returned (or its result completed) normally. */
	SUCCESS,

	/** The method failed, or the fallback failed. */
	FAILURE,

	/**
	 * A stage of the method rejected it: its circuit breaker was open, its rate limiter
	 * or bulkhead had no room, or its timeout expired.
	 */
	REJECTED,

	/** The call failed or was rejected and the fallback answered instead. */
	FALLBACK;

	private final String value = name().toLowerCase(Locale.ROOT);

	private final KeyValue keyValue = KeyValue.of(ResilienceObservationDocumentation.OUTCOME, this.value);

	/**
	 * Returns the key's value: {@code success}, {@code failure}, {@code rejected} or
	 * {@code fallback}.
	 * @return the value
	 */
	public String value() {
		return this.value;
	}

	KeyValue keyValue() {
		return this.keyValue;
	}

}
