package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.observation.ResilienceObservations;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
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
 * exposes neither {@code resilienceevents} nor {@code resilience} does not listen to any
 * event, and its calls create none.
 * <p>
 * The {@code resilience} endpoint (the dashboard's snapshot) brings its sampler (the
 * {@code resilience-dashboard-sampler} thread), the recent events, and, when the calls of
 * annotated methods are observed ({@code resilience.observations.enabled}, an
 * {@code ObservationRegistry}), an observation handler that records their latencies. None
 * of them exists while the endpoint is not available.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class,
		afterName = "dev.resilience.boot.observation.ResilienceObservationAutoConfiguration")
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnResilienceEnabled
public final class ResilienceEndpointAutoConfiguration {

	/**
	 * The {@code chaos} endpoint, whose default access is none; it reports chaos as off
	 * (and refuses changes) without {@code resilience.chaos.enabled}.
	 * @param experiments the experiments, when chaos is on
	 * @return the endpoint
	 */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	ChaosEndpoint chaosEndpoint(ObjectProvider<dev.resilience.boot.chaos.ChaosExperiments> experiments) {
		return new ChaosEndpoint(experiments.getIfAvailable());
	}

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
	@Conditional(EventsNeeded.class)
	RecentEvents resilienceRecentEvents(ResilienceProperties properties,
			ObjectProvider<CircuitBreakerRegistry> circuitBreakers, ObjectProvider<RetryRegistry> retries,
			ObjectProvider<RateLimiterRegistry> rateLimiters, ObjectProvider<BulkheadRegistry> bulkheads,
			ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads, ObjectProvider<TimeoutRegistry> timeouts,
			ObjectProvider<Clock> clock, ObjectProvider<dev.resilience.boot.chaos.ChaosExperiments> chaos) {
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
		// Every injection of a chaos experiment, from each protected method's site.
		chaos.ifAvailable((experiments) -> experiments.onSites(recentEvents::follow));
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
	@ConditionalOnAvailableEndpoint(ResilienceEndpoint.class)
	ResilienceEndpoint.Registries resilienceDashboardRegistries(ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<RetryRegistry> retries, ObjectProvider<RateLimiterRegistry> rateLimiters,
			ObjectProvider<BulkheadRegistry> bulkheads, ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads,
			ObjectProvider<TimeoutRegistry> timeouts) {
		return new ResilienceEndpoint.Registries(circuitBreakers.getIfAvailable(), retries.getIfAvailable(),
				rateLimiters.getIfAvailable(), bulkheads.getIfAvailable(), threadPoolBulkheads.getIfAvailable(),
				timeouts.getIfAvailable());
	}

	// Started with the endpoint, stopped with the context: the only thread of the
	// dashboard, and only while the resilience endpoint is available.
	@Bean(initMethod = "start", destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(ResilienceEndpoint.class)
	DashboardSampler resilienceDashboardSampler(ObjectProvider<Ticker> ticker, ResilienceEndpoint.Registries registries,
			ObjectProvider<RecentEvents> recentEvents, ObjectProvider<MethodLatencies> latencies) {
		return new DashboardSampler(ticker.getIfUnique(Ticker::system),
				ResilienceEndpoint.samplerSources(registries, recentEvents.getIfAvailable()),
				latencies.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	ResilienceEndpoint resilienceEndpoint(ObjectProvider<Clock> clock, Environment environment,
			ResilienceEndpoint.Registries registries, DashboardSampler sampler,
			ObjectProvider<RecentEvents> recentEvents, ObjectProvider<MethodLatencies> latencies,
			ObjectProvider<PathMappedEndpoints> endpoints) {
		return new ResilienceEndpoint(clock.getIfUnique(Clock::systemUTC),
				environment.getProperty("spring.application.name"), registries, sampler, recentEvents.getIfAvailable(),
				latencies.getIfAvailable(), endpoints::getIfAvailable);
	}

	/**
	 * The annotated methods' latencies for the dashboard: only while the
	 * {@code resilience} endpoint is available and the calls are observed.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ObservationRegistry.class)
	@ConditionalOnBean(ResilienceObservations.class)
	@ConditionalOnAvailableEndpoint(ResilienceEndpoint.class)
	static final class MethodLatencyConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MethodLatencies resilienceMethodLatencies() {
			return new MethodLatencies();
		}

		@Bean
		@ConditionalOnMissingBean
		MethodLatencyObservationHandler resilienceMethodLatencyObservationHandler(MethodLatencies latencies,
				ObjectProvider<Ticker> ticker) {
			return new MethodLatencyObservationHandler(latencies, ticker.getIfUnique(Ticker::system));
		}

	}

	/**
	 * The recent events are kept for the {@code resilienceevents} endpoint and for the
	 * dashboard's {@code resilience} endpoint.
	 */
	static final class EventsNeeded extends AnyNestedCondition {

		EventsNeeded() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnAvailableEndpoint(ResilienceEventsEndpoint.class)
		static final class EventsEndpointAvailable {

		}

		@ConditionalOnAvailableEndpoint(ResilienceEndpoint.class)
		static final class ResilienceEndpointAvailable {

		}

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
