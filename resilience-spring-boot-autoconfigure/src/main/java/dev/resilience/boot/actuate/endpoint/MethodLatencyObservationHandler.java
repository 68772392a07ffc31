package dev.resilience.boot.actuate.endpoint;

import dev.resilience.boot.observation.ResilienceCallContext;
import dev.resilience.core.Ticker;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;

/**
 * Records the duration and outcome of every {@code resilience.call} observation (one call
 * of an annotated method) into the dashboard's method latencies. Spring Boot registers it
 * with the {@code ObservationRegistry} as it registers every {@link ObservationHandler}
 * bean; it exists only while the {@code resilience} endpoint is available and resilience
 * observations are on.
 * <p>
 * Per call: one ticker read and one small object at the start (the start time, kept in
 * the observation's context), one ticker read and a few lock-free increments at the stop.
 * Thread-safe.
 */
final class MethodLatencyObservationHandler implements ObservationHandler<ResilienceCallContext> {

	private final MethodLatencies latencies;

	private final Ticker ticker;

	MethodLatencyObservationHandler(MethodLatencies latencies, Ticker ticker) {
		this.latencies = latencies;
		this.ticker = ticker;
	}

	@Override
	public void onStart(ResilienceCallContext context) {
		context.put(Start.class, new Start(this.ticker.read()));
	}

	@Override
	public void onStop(ResilienceCallContext context) {
		Start start = context.get(Start.class);
		if (start != null) {
			this.latencies.record(context.getMethod().name(), context.getOutcome(), this.ticker.read() - start.nanos);
		}
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof ResilienceCallContext;
	}

	/** When a call started, on the ticker. */
	private record Start(long nanos) {
	}

}
