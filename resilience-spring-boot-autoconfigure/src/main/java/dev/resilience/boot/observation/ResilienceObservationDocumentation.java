package dev.resilience.boot.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of annotated calls, their keys and events: the contract that
 * dashboards, alerts and trace queries rely on.
 */
public enum ResilienceObservationDocumentation implements ObservationDocumentation {

	/**
	 * One call of an annotated method, from its start until its result completes.
	 */
	CALL {

		@Override
		public String getName() {
			return "resilience.call";
		}

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultResilienceCallObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return CallKeys.values();
		}

		@Override
		public Observation.Event[] getEvents() {
			return new Observation.Event[] { Observation.Event.of(REJECTED_EVENT) };
		}

	},

	/**
	 * One attempt of a call under {@code @Retry}, a child of its call.
	 */
	ATTEMPT {

		@Override
		public String getName() {
			return "resilience.attempt";
		}

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultResilienceAttemptObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return new KeyName[] { CallKeys.METHOD, CallKeys.RETRY, CallKeys.OUTCOME };
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return AttemptKeys.values();
		}

		@Override
		public Observation.Event[] getEvents() {
			return new Observation.Event[] { Observation.Event.of(REJECTED_EVENT) };
		}

	};

	/** {@code resilience.method}: {@code <SimpleClassName>.<method>}. */
	public static final String METHOD = "resilience.method";

	/** {@code resilience.outcome}: {@code success|failure|rejected|fallback}. */
	public static final String OUTCOME = "resilience.outcome";

	/**
	 * {@code resilience.circuitbreaker}: the circuit breaker's instance, or {@code none}.
	 */
	public static final String CIRCUIT_BREAKER = "resilience.circuitbreaker";

	/** {@code resilience.retry}: the retry's instance, or {@code none}. */
	public static final String RETRY = "resilience.retry";

	/** {@code resilience.ratelimiter}: the rate limiter's instance, or {@code none}. */
	public static final String RATE_LIMITER = "resilience.ratelimiter";

	/** {@code resilience.bulkhead}: the bulkhead's instance, or {@code none}. */
	public static final String BULKHEAD = "resilience.bulkhead";

	/** {@code resilience.timeout}: the timeout's instance, or {@code none}. */
	public static final String TIMEOUT = "resilience.timeout";

	/** {@code resilience.attempt.number}: the attempt's number, from 1. */
	public static final String ATTEMPT_NUMBER = "resilience.attempt.number";

	/**
	 * The event of a rejection by one of the method's stages; its contextual name names
	 * the stage and instance ({@code circuitbreaker 'payments' rejected the call}).
	 * Spring Boot's meter handler counts it as {@code resilience.call.rejected} (and
	 * {@code resilience.attempt.rejected}).
	 */
	public static final String REJECTED_EVENT = "rejected";

	/**
	 * The low-cardinality keys of {@code resilience.call}.
	 */
	public enum CallKeys implements KeyName {

		/** See {@link ResilienceObservationDocumentation#METHOD}. */
		METHOD(ResilienceObservationDocumentation.METHOD),

		/** See {@link ResilienceObservationDocumentation#OUTCOME}. */
		OUTCOME(ResilienceObservationDocumentation.OUTCOME),

		/** See {@link ResilienceObservationDocumentation#CIRCUIT_BREAKER}. */
		CIRCUIT_BREAKER(ResilienceObservationDocumentation.CIRCUIT_BREAKER),

		/** See {@link ResilienceObservationDocumentation#RETRY}. */
		RETRY(ResilienceObservationDocumentation.RETRY),

		/** See {@link ResilienceObservationDocumentation#RATE_LIMITER}. */
		RATE_LIMITER(ResilienceObservationDocumentation.RATE_LIMITER),

		/** See {@link ResilienceObservationDocumentation#BULKHEAD}. */
		BULKHEAD(ResilienceObservationDocumentation.BULKHEAD),

		/** See {@link ResilienceObservationDocumentation#TIMEOUT}. */
		TIMEOUT(ResilienceObservationDocumentation.TIMEOUT);

		private final String key;

		CallKeys(String key) {
			this.key = key;
		}

		@Override
		public String asString() {
			return this.key;
		}

	}

	/**
	 * The high-cardinality keys of {@code resilience.attempt}.
	 */
	public enum AttemptKeys implements KeyName {

		/** See {@link ResilienceObservationDocumentation#ATTEMPT_NUMBER}. */
		NUMBER(ResilienceObservationDocumentation.ATTEMPT_NUMBER);

		private final String key;

		AttemptKeys(String key) {
			this.key = key;
		}

		@Override
		public String asString() {
			return this.key;
		}

	}

}
