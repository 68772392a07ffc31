package dev.resilience.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@code resilience.attempt} observations. A bean of this type
 * replaces {@link DefaultResilienceAttemptObservationConvention} (extend it to add keys).
 */
public interface ResilienceAttemptObservationConvention extends ObservationConvention<ResilienceAttemptContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ResilienceAttemptContext;
	}

}
