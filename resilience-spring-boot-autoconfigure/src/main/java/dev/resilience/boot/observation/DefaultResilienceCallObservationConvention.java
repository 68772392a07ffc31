package dev.resilience.boot.observation;

import io.micrometer.common.KeyValues;

/**
 * The default names and keys of {@code resilience.call}: the name
 * {@code resilience.call}, the contextual name {@code <SimpleClassName>.<method>}, and
 * the low-cardinality keys {@code resilience.method}, {@code resilience.outcome} and one
 * per stage naming its instance ({@code resilience.circuitbreaker},
 * {@code resilience.retry}, {@code resilience.ratelimiter}, {@code resilience.bulkhead},
 * {@code resilience.timeout}; {@code none} for a stage the method does not have, so that
 * every series of the timer has the same labels, as Prometheus requires). Stateless and
 * thread-safe; the keys of a method are built once, at startup.
 */
public class DefaultResilienceCallObservationConvention implements ResilienceCallObservationConvention {

	/** The shared instance. */
	public static final DefaultResilienceCallObservationConvention INSTANCE = new DefaultResilienceCallObservationConvention();

	@Override
	public String getName() {
		return ResilienceObservationDocumentation.CALL.getName();
	}

	@Override
	public String getContextualName(ResilienceCallContext context) {
		return context.getMethod().name();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ResilienceCallContext context) {
		CallOutcome outcome = context.getOutcome();
		KeyValues keys = context.getMethod().callKeyValues();
		return (outcome != null) ? keys.and(outcome.keyValue()) : keys;
	}

}
