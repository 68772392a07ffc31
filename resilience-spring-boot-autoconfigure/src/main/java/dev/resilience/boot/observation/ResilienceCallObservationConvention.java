package dev.resilience.boot.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@code resilience.call} observations. A bean of this type
 * replaces {@link DefaultResilienceCallObservationConvention} (extend it to add keys).
 */
public interface ResilienceCallObservationConvention extends ObservationConvention<ResilienceCallContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ResilienceCallContext;
	}

}
