package dev.resilience.boot.health;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurations;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the resilience health contributors, when Spring Boot's health
 * module is present: {@code circuitBreakers}, {@code rateLimiters}, {@code bulkheads} and
 * {@code threadPoolBulkheads}, each a composite with one component per instance.
 * <p>
 * Switched off as a whole with {@code management.health.resilience.enabled=false}, or one
 * by one with {@code management.health.circuitbreakers.enabled},
 * {@code management.health.ratelimiters.enabled} and
 * {@code management.health.bulkheads.enabled} (both bulkhead kinds); a contributor a user
 * declares under the same bean name wins. With the health endpoint present, every health
 * group aggregates with a {@link ResilienceStatusAggregator}.
 * <p>
 * Everything that needs the health module's own conditions sits in nested classes, so
 * that nothing of that module is loaded when it is absent.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnResilienceEnabled
public final class ResilienceHealthAutoConfiguration {

	/**
	 * The contributors, unless {@code management.health.resilience.enabled=false}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("resilience")
	static final class ContributorsConfiguration {

		@Bean
		@ConditionalOnBean(CircuitBreakerRegistry.class)
		@ConditionalOnMissingBean(name = "circuitBreakersHealthContributor")
		@ConditionalOnEnabledHealthIndicator("circuitbreakers")
		CompositeHealthContributor circuitBreakersHealthContributor(CircuitBreakerRegistry registry,
				ResilienceConfigurations configurations) {
			return new InstanceHealthContributor<>(registry, new HealthSettings(configurations.circuitBreakers()),
					ResilienceHealthIndicators::circuitBreaker);
		}

		@Bean
		@ConditionalOnBean(RateLimiterRegistry.class)
		@ConditionalOnMissingBean(name = "rateLimitersHealthContributor")
		@ConditionalOnEnabledHealthIndicator("ratelimiters")
		CompositeHealthContributor rateLimitersHealthContributor(RateLimiterRegistry registry,
				ResilienceConfigurations configurations) {
			return new InstanceHealthContributor<>(registry, new HealthSettings(configurations.rateLimiters()),
					ResilienceHealthIndicators::rateLimiter);
		}

		@Bean
		@ConditionalOnBean(BulkheadRegistry.class)
		@ConditionalOnMissingBean(name = "bulkheadsHealthContributor")
		@ConditionalOnEnabledHealthIndicator("bulkheads")
		CompositeHealthContributor bulkheadsHealthContributor(BulkheadRegistry registry,
				ResilienceConfigurations configurations) {
			return new InstanceHealthContributor<>(registry, new HealthSettings(configurations.bulkheads()),
					ResilienceHealthIndicators::bulkhead);
		}

		@Bean
		@ConditionalOnBean(ThreadPoolBulkheadRegistry.class)
		@ConditionalOnMissingBean(name = "threadPoolBulkheadsHealthContributor")
		@ConditionalOnEnabledHealthIndicator("bulkheads")
		CompositeHealthContributor threadPoolBulkheadsHealthContributor(ThreadPoolBulkheadRegistry registry,
				ResilienceConfigurations configurations) {
			return new InstanceHealthContributor<>(registry, new HealthSettings(configurations.threadPoolBulkheads()),
					ResilienceHealthIndicators::threadPoolBulkhead);
		}

		/**
		 * Ranks the resilience statuses in every health group; needs the health endpoint
		 * (Actuator) classes.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(
				name = { "org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor",
						"org.springframework.boot.actuate.endpoint.SecurityContext" })
		static final class StatusOrderConfiguration {

			@Bean
			static ResilienceHealthEndpointGroupsPostProcessor resilienceHealthEndpointGroupsPostProcessor() {
				return new ResilienceHealthEndpointGroupsPostProcessor();
			}

		}

	}

}
