package dev.resilience.boot.observation;

import java.util.Objects;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * What the annotated methods' observations are made with: the registry and the
 * conventions (the defaults unless the application has its own). The starter makes one
 * when an {@link ObservationRegistry} bean exists and
 * {@code resilience.observations.enabled} is {@code true} (the default); without it,
 * annotated calls make no observation and cost nothing more. Immutable and thread-safe.
 */
public final class ResilienceObservations {

	private final ObservationRegistry registry;

	private final @Nullable ResilienceCallObservationConvention callConvention;

	private final @Nullable ResilienceAttemptObservationConvention attemptConvention;

	/**
	 * Creates the observations' settings.
	 * @param registry the registry
	 * @param callConvention replaces {@link DefaultResilienceCallObservationConvention},
	 * or {@code null}
	 * @param attemptConvention replaces
	 * {@link DefaultResilienceAttemptObservationConvention}, or {@code null}
	 */
	public ResilienceObservations(ObservationRegistry registry,
			@Nullable ResilienceCallObservationConvention callConvention,
			@Nullable ResilienceAttemptObservationConvention attemptConvention) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.callConvention = callConvention;
		this.attemptConvention = attemptConvention;
	}

	/**
	 * Returns the registry.
	 * @return the registry
	 */
	public ObservationRegistry registry() {
		return this.registry;
	}

	/**
	 * Returns the application's convention for calls.
	 * @return the convention, or {@code null} for the default
	 */
	public @Nullable ResilienceCallObservationConvention callConvention() {
		return this.callConvention;
	}

	/**
	 * Returns the application's convention for attempts.
	 * @return the convention, or {@code null} for the default
	 */
	public @Nullable ResilienceAttemptObservationConvention attemptConvention() {
		return this.attemptConvention;
	}

}
