package dev.resilience.boot.metrics;

import java.util.Map;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.autoconfigure.ResilienceProperties.MetricsNaming;
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
 * registry, or with {@code resilience.metrics.naming=resilience4j} a
 * {@link Resilience4jMeterBinder} (Resilience4j's meter names) instead, which Spring Boot
 * binds to the application's meter registries. Needs Micrometer and a
 * {@code MeterRegistry} bean (Spring Boot's Micrometer metrics module, for instance
 * through {@code spring-boot-starter-actuator}); switched off with
 * {@code resilience.metrics.enabled=false}. Extra tags come from
 * {@code resilience.metrics.tags.<key>=<value>}, in both namings.
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
	@ConditionalOnMetricsNaming(MetricsNaming.RESILIENCE)
	ResilienceMeterBinder resilienceMeterBinder(ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<RetryRegistry> retries, ObjectProvider<RateLimiterRegistry> rateLimiters,
			ObjectProvider<BulkheadRegistry> bulkheads, ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads,
			ObjectProvider<TimeoutRegistry> timeouts, ObjectProvider<ResilienceProperties> properties) {
		return new ResilienceMeterBinder(circuitBreakers.getIfAvailable(), retries.getIfAvailable(),
				rateLimiters.getIfAvailable(), bulkheads.getIfAvailable(), threadPoolBulkheads.getIfAvailable(),
				timeouts.getIfAvailable(), tags(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnMetricsNaming(MetricsNaming.RESILIENCE4J)
	Resilience4jMeterBinder resilience4jMeterBinder(ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<RetryRegistry> retries, ObjectProvider<RateLimiterRegistry> rateLimiters,
			ObjectProvider<BulkheadRegistry> bulkheads, ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads,
			ObjectProvider<TimeoutRegistry> timeouts, ObjectProvider<ResilienceProperties> properties) {
		return new Resilience4jMeterBinder(circuitBreakers.getIfAvailable(), retries.getIfAvailable(),
				rateLimiters.getIfAvailable(), bulkheads.getIfAvailable(), threadPoolBulkheads.getIfAvailable(),
				timeouts.getIfAvailable(), tags(properties));
	}

	/**
	 * Returns the extra tags, refusing a key the meters set themselves.
	 */
	private static Map<String, String> tags(ObjectProvider<ResilienceProperties> properties) {
		ResilienceProperties resolved = properties.getIfAvailable();
		Map<String, String> tags = (resolved != null) ? resolved.metrics().tags() : Map.of();
		for (String key : tags.keySet()) {
			if (ResilienceMeterBinder.RESERVED_TAG_KEYS.contains(key)) {
				throw new ResilienceConfigurationException("resilience.metrics.tags." + key,
						"the meters set this tag themselves", "Choose a tag key other than "
								+ String.join(", ", ResilienceMeterBinder.RESERVED_TAG_KEYS) + ".");
			}
		}
		return tags;
	}

}
