package dev.resilience.boot.actuate.endpoint;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the endpoints exist: only with Actuator, only when available (exposed and not
 * switched off), and with their write operations only when the access settings allow.
 */
class ResilienceEndpointAutoConfigurationTests {

	private static final String ALL_IDS = "circuitbreakers,retries,ratelimiters,bulkheads,timeouts,resilienceevents";

	private static final List<Class<?>> ENDPOINTS = List.of(CircuitBreakersEndpoint.class, RetriesEndpoint.class,
			RateLimitersEndpoint.class, BulkheadsEndpoint.class, TimeoutsEndpoint.class, ResilienceEventsEndpoint.class,
			RecentEvents.class);

	// As in an application: properties such as access=read-only convert as Spring Boot
	// converts them.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class));

	private final WebApplicationContextRunner webContextRunner = new WebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceEndpointAutoConfiguration.class,
						EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS);

	@Test
	void providesEveryEndpointWhenExposed() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS).run((context) -> {
			for (Class<?> type : ENDPOINTS) {
				assertThat(context).hasSingleBean(type);
			}
			assertThat(context.getBean(RecentEvents.class).bufferSize()).isEqualTo(100);
		});
	}

	@Test
	void explainsUnreadableRequestsOnlyInAServletWebApplication() {
		this.webContextRunner.run((context) -> assertThat(context).hasSingleBean(EndpointRequestErrors.class));
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS)
			.run((context) -> assertThat(context).doesNotHaveBean(EndpointRequestErrors.class));
	}

	@Test
	void providesNoEndpointAndListensToNoEventWhenNotExposed() {
		// By default only health is exposed.
		this.contextRunner.run((context) -> {
			for (Class<?> type : ENDPOINTS) {
				assertThat(context).doesNotHaveBean(type);
			}
			CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("quiet");
			assertThat(breaker.events().hasListeners()).isFalse();
		});
	}

	@Test
	void providesOnlyTheExposedEndpoints() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=circuitbreakers")
			.run((context) -> assertThat(context).hasSingleBean(CircuitBreakersEndpoint.class)
				.doesNotHaveBean(RateLimitersEndpoint.class)
				.doesNotHaveBean(ResilienceEventsEndpoint.class)
				.doesNotHaveBean(RecentEvents.class));
	}

	@Test
	void anEndpointSwitchedOffIsAbsentAndTheEventsEndpointThenListensToNothing() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS,
					"management.endpoint.resilienceevents.access=none", "management.endpoint.ratelimiters.access=none")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ResilienceEventsEndpoint.class)
					.doesNotHaveBean(RecentEvents.class)
					.doesNotHaveBean(RateLimitersEndpoint.class)
					.hasSingleBean(CircuitBreakersEndpoint.class);
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).instance("quiet");
				assertThat(breaker.events().hasListeners()).isFalse();
			});
	}

	@Test
	void theEventsEndpointFollowsConfiguredAndLaterInstancesWithTheConfiguredBufferSize() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=resilienceevents",
					"resilience.events.buffer-size=5", "resilience.ratelimiter.instances.search.limit-for-period=3")
			.run((context) -> {
				RecentEvents recentEvents = context.getBean(RecentEvents.class);
				assertThat(recentEvents.bufferSize()).isEqualTo(5);
				assertThat(
						context.getBean(RateLimiterRegistry.class).find("search").orElseThrow().events().hasListeners())
					.isTrue();
				assertThat(context.getBean(CircuitBreakerRegistry.class).instance("later").events().hasListeners())
					.isTrue();
			});
	}

	@Test
	void closingTheContextStopsListening() {
		CircuitBreaker[] breaker = new CircuitBreaker[1];
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=resilienceevents")
			.run((context) -> {
				breaker[0] = context.getBean(CircuitBreakerRegistry.class).instance("closing");
				assertThat(breaker[0].events().hasListeners()).isTrue();
			});
		assertThat(breaker[0].events().hasListeners()).isFalse();
	}

	@Test
	void anInvalidBufferSizeStopsTheApplication() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=resilienceevents",
					"resilience.events.buffer-size=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessage("resilience.events.buffer-size: invalid value '0': it must be at least 1"));
	}

	@Test
	void worksWithoutActuator() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(CircuitBreakerRegistry.class);
				for (Class<?> type : ENDPOINTS) {
					assertThat(context).doesNotHaveBean(type);
				}
			});
	}

	@Test
	void providesNothingWhenResilienceIsDisabled() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS, "resilience.enabled=false")
			.run((context) -> {
				for (Class<?> type : ENDPOINTS) {
					assertThat(context).doesNotHaveBean(type);
				}
			});
	}

	@Test
	void aUserEndpointWins() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=" + ALL_IDS)
			.withUserConfiguration(UserEndpointConfiguration.class)
			.run((context) -> assertThat(context).getBean(CircuitBreakersEndpoint.class)
				.isSameAs(context.getBean(UserEndpointConfiguration.class).endpoint));
	}

	@Test
	void writeOperationsExistByDefault() {
		this.webContextRunner.run((context) -> {
			Map<String, List<OperationType>> operations = operations(context);
			assertThat(operations.get("circuitbreakers")).contains(OperationType.READ, OperationType.WRITE);
			assertThat(operations.get("ratelimiters")).contains(OperationType.WRITE);
			assertThat(operations.get("bulkheads")).contains(OperationType.WRITE);
			assertThat(operations.get("timeouts")).contains(OperationType.WRITE);
			assertThat(operations.get("retries")).containsOnly(OperationType.READ);
			assertThat(operations.get("resilienceevents")).containsOnly(OperationType.READ);
		});
	}

	@Test
	void readOnlyAccessRemovesTheWriteOperations() {
		this.webContextRunner.withPropertyValues("management.endpoint.circuitbreakers.access=read-only")
			.run((context) -> {
				Map<String, List<OperationType>> operations = operations(context);
				assertThat(operations.get("circuitbreakers")).containsOnly(OperationType.READ);
				assertThat(operations.get("timeouts")).contains(OperationType.WRITE);
			});
	}

	@Test
	void aReadOnlyCapRemovesEveryWriteOperation() {
		this.webContextRunner.withPropertyValues("management.endpoints.access.max-permitted=read-only")
			.run((context) -> operations(context)
				.forEach((id, types) -> assertThat(types).as(id).isNotEmpty().containsOnly(OperationType.READ)));
	}

	private static Map<String, List<OperationType>> operations(AssertableWebApplicationContext context) {
		return context.getBean(WebEndpointsSupplier.class)
			.getEndpoints()
			.stream()
			.collect(Collectors.toMap((endpoint) -> endpoint.getEndpointId().toString(),
					ResilienceEndpointAutoConfigurationTests::operationTypes));
	}

	private static List<OperationType> operationTypes(ExposableWebEndpoint endpoint) {
		return endpoint.getOperations().stream().map(WebOperation::getType).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEndpointConfiguration {

		final CircuitBreakersEndpoint endpoint = new CircuitBreakersEndpoint(CircuitBreakerRegistry.ofDefaults());

		@Bean
		CircuitBreakersEndpoint userCircuitBreakersEndpoint() {
			return this.endpoint;
		}

	}

}
