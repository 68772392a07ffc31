package dev.resilience.boot.metrics;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the resilience meters: a {@link ResilienceMeterBinder} over every
 * registry, which Spring Boot binds to the application's meter registries. Needs
 * Micrometer and a {@code MeterRegistry} bean (Spring Boot's Micrometer metrics module,
 * for instance through {@code spring-boot-starter-actuator}); switched off with
 * {@code resilience.metrics.enabled=false}. Extra tags come from
 * {@code resilience.metrics.tags.<key>=<value>}.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnResilienceEnabled(also = "resilience.metrics.enabled")
public final class ResilienceMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ResilienceMeterBinder resilienceMeterBinder(ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<RetryRegistry> retries, ObjectProvider<RateLimiterRegistry> rateLimiters,
			ObjectProvider<BulkheadRegistry> bulkheads, ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads,
			ObjectProvider<TimeoutRegistry> timeouts, ObjectProvider<ResilienceProperties> properties) {
		ResilienceProperties resolved = properties.getIfAvailable();
		ResilienceProperties.Metrics metrics = (resolved != null) ? resolved.metrics()
				: new ResilienceProperties.Metrics(true, null);
		for (String key : metrics.tags().keySet()) {
			if (ResilienceMeterBinder.RESERVED_TAG_KEYS.contains(key)) {
				throw new ResilienceConfigurationException("resilience.metrics.tags." + key,
						"the meters set this tag themselves", "Choose a tag key other than "
								+ String.join(", ", ResilienceMeterBinder.RESERVED_TAG_KEYS) + ".");
			}
		}
		return new ResilienceMeterBinder(circuitBreakers.getIfAvailable(), retries.getIfAvailable(),
				rateLimiters.getIfAvailable(), bulkheads.getIfAvailable(), threadPoolBulkheads.getIfAvailable(),
				timeouts.getIfAvailable(), metrics.tags());
	}

}
