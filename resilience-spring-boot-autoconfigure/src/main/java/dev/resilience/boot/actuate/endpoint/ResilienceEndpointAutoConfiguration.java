package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Auto-configuration of the resilience Actuator endpoints: {@code circuitbreakers},
 * {@code retries}, {@code ratelimiters}, {@code bulkheads}, {@code timeouts},
 * {@code resilienceevents} and {@code resilience} (the dashboard's snapshot).
 * <p>
 * Applies when Spring Boot Actuator is on the class path. Each endpoint (and, for
 * {@code resilienceevents}, the buffer of recent events behind it) is created only when
 * it is available: exposed (for example
 * {@code management.endpoints.web.exposure.include=circuitbreakers,resilienceevents}) and
 * not switched off ({@code management.endpoint.<id>.access=none}). So an application that
 * does not expose {@code resilienceevents} does not listen to any event, and its calls
 * create none.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnResilienceEnabled
public final class ResilienceEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(CircuitBreakerRegistry.class)
	@ConditionalOnAvailableEndpoint
	CircuitBreakersEndpoint circuitBreakersEndpoint(CircuitBreakerRegistry registry) {
		return new CircuitBreakersEndpoint(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RetryRegistry.class)
	@ConditionalOnAvailableEndpoint
	RetriesEndpoint retriesEndpoint(RetryRegistry registry) {
		return new RetriesEndpoint(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RateLimiterRegistry.class)
	@ConditionalOnAvailableEndpoint
	RateLimitersEndpoint rateLimitersEndpoint(RateLimiterRegistry registry) {
		return new RateLimitersEndpoint(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(BulkheadRegistry.class)
	@ConditionalOnAvailableEndpoint
	BulkheadsEndpoint bulkheadsEndpoint(BulkheadRegistry registry,
			ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolRegistry) {
		return new BulkheadsEndpoint(registry, threadPoolRegistry.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(TimeoutRegistry.class)
	@ConditionalOnAvailableEndpoint
	TimeoutsEndpoint timeoutsEndpoint(TimeoutRegistry registry) {
		return new TimeoutsEndpoint(registry);
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(ResilienceEventsEndpoint.class)
	RecentEvents resilienceRecentEvents(ResilienceProperties properties,
			ObjectProvider<CircuitBreakerRegistry> circuitBreakers, ObjectProvider<RetryRegistry> retries,
			ObjectProvider<RateLimiterRegistry> rateLimiters, ObjectProvider<BulkheadRegistry> bulkheads,
			ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads, ObjectProvider<TimeoutRegistry> timeouts,
			ObjectProvider<Clock> clock) {
		// The application's clock if it has one (a fixed clock in its tests, say), so
		// that event timestamps agree with the rest of the application.
		RecentEvents recentEvents = new RecentEvents(properties.events().bufferSize(),
				clock.getIfUnique(Clock::systemUTC));
		circuitBreakers.ifAvailable(recentEvents::follow);
		retries.ifAvailable(recentEvents::follow);
		rateLimiters.ifAvailable(recentEvents::follow);
		bulkheads.ifAvailable(recentEvents::follow);
		threadPoolBulkheads.ifAvailable(recentEvents::follow);
		timeouts.ifAvailable(recentEvents::follow);
		return recentEvents;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(RecentEvents.class)
	@ConditionalOnAvailableEndpoint
	ResilienceEventsEndpoint resilienceEventsEndpoint(RecentEvents recentEvents) {
		return new ResilienceEventsEndpoint(recentEvents);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	ResilienceEndpoint resilienceEndpoint(ObjectProvider<Clock> clock, Environment environment) {
		return new ResilienceEndpoint(clock.getIfUnique(Clock::systemUTC),
				environment.getProperty("spring.application.name"));
	}

	/**
	 * Messages for the requests that Spring MVC rejects before our endpoints run.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ HandlerExceptionResolver.class, PathMappedEndpoints.class })
	static final class ServletRequestErrorsConfiguration {

		@Bean
		EndpointRequestErrors resilienceEndpointRequestErrors(ObjectProvider<PathMappedEndpoints> endpoints) {
			return new EndpointRequestErrors(endpoints);
		}

	}

}
