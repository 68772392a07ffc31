package dev.resilience.boot.logging;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the resilience logs: a {@link CircuitBreakerTransitionLog} that
 * follows every circuit breaker of the registry, those made later included. Switched off
 * with {@code resilience.logging.transitions=false}; then nothing listens to the breakers
 * for it.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class)
@ConditionalOnBean(CircuitBreakerRegistry.class)
@ConditionalOnResilienceEnabled(also = "resilience.logging.transitions")
public final class ResilienceLoggingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerTransitionLog resilienceCircuitBreakerTransitionLog() {
		return new CircuitBreakerTransitionLog();
	}

}
