package dev.resilience.boot.http;

import dev.resilience.core.ResilienceException;
import dev.resilience.pipeline.AttemptObserver;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Makes every attempt of a policy set's retry a {@code resilience.http.attempt}
 * observation, a child of the observation current when the attempt starts (the client's
 * {@code http.client.requests} exchange when the client is observed). Tags:
 * {@code client} (the set's name), {@code outcome} ({@code success}, {@code failure},
 * {@code rejected}), {@code status} (the response's status when it was a failure status,
 * else {@code none}); high cardinality: {@code attempt} (its number). Kept apart so that
 * Micrometer's types are loaded only when present. Stateless, thread-safe.
 */
final class HttpAttemptObserver implements AttemptObserver {

	/** The observation's name. */
	static final String NAME = "resilience.http.attempt";

	private final ObservationRegistry registry;

	private final KeyValue client;

	HttpAttemptObserver(ObservationRegistry registry, String client) {
		this.registry = registry;
		this.client = KeyValue.of("client", client);
	}

	@Override
	public @Nullable Object started(Object context, int attempt) {
		Observation parent = this.registry.getCurrentObservation();
		Observation observation = Observation.createNotStarted(NAME, this.registry)
			.contextualName("http attempt " + attempt)
			.lowCardinalityKeyValue(this.client)
			.highCardinalityKeyValue("attempt", Integer.toString(attempt));
		if (parent != null) {
			observation.parentObservation(parent);
		}
		return observation.start();
	}

	@Override
	public void ended(Object context, @Nullable Object token, @Nullable Throwable failure) {
		if (!(token instanceof Observation observation)) {
			return;
		}
		if (failure == null) {
			observation.lowCardinalityKeyValue("outcome", "success").lowCardinalityKeyValue("status", "none");
		}
		else if (failure instanceof FailureStatusException status) {
			observation.lowCardinalityKeyValue("outcome", "failure")
				.lowCardinalityKeyValue("status", Integer.toString(status.status()));
		}
		else {
			boolean rejected = failure instanceof ResilienceException resilience && resilience.isRejection();
			observation.lowCardinalityKeyValue("outcome", rejected ? "rejected" : "failure")
				.lowCardinalityKeyValue("status", "none");
			observation.error(failure);
		}
		observation.stop();
	}

}
