package dev.resilience.boot.observation;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the observations of annotated calls: with an
 * {@link ObservationRegistry} bean (Spring Boot makes one with
 * {@code spring-boot-starter-actuator}), every annotated method call is a
 * {@code resilience.call} observation and every attempt under {@code @Retry} a
 * {@code resilience.attempt} one; Spring Boot's handlers make timers of them and, with
 * Micrometer Tracing, spans. Switched off with
 * {@code resilience.observations.enabled=false}. A
 * {@link ResilienceCallObservationConvention} or
 * {@link ResilienceAttemptObservationConvention} bean replaces the default names and
 * keys.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnResilienceEnabled(also = "resilience.observations.enabled")
public final class ResilienceObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ResilienceObservations resilienceObservations(ObservationRegistry registry,
			ObjectProvider<ResilienceCallObservationConvention> callConvention,
			ObjectProvider<ResilienceAttemptObservationConvention> attemptConvention) {
		return new ResilienceObservations(registry, callConvention.getIfUnique(), attemptConvention.getIfUnique());
	}

}
