package dev.resilience.boot.health;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ResilienceHealthAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				HealthEndpointAutoConfiguration.class, ResilienceHealthAutoConfiguration.class))
		.withPropertyValues("resilience.circuitbreaker.instances.critical.allow-health-indicator-to-fail=true",
				"resilience.circuitbreaker.instances.hidden.register-health-indicator=false");

	@Test
	void registersOneCompositePerPrimitiveUnderTheDocumentedNames() {
		this.contextRunner.run((context) -> {
			HealthContributorRegistry registry = context.getBean(HealthContributorRegistry.class);
			assertThat(registry.getContributor("circuitBreakers")).isInstanceOf(CompositeHealthContributor.class);
			assertThat(registry.getContributor("rateLimiters")).isInstanceOf(CompositeHealthContributor.class);
			assertThat(registry.getContributor("bulkheads")).isInstanceOf(CompositeHealthContributor.class);
			assertThat(registry.getContributor("threadPoolBulkheads")).isInstanceOf(CompositeHealthContributor.class);
		});
	}

	@Test
	void everyBreakerStateMapsToItsStatusWhileTheApplicationStaysUp() {
		Map<State, Status> expected = Map.of(State.CLOSED, Status.UP, State.OPEN, ResilienceStatus.CIRCUIT_OPEN,
				State.FORCED_OPEN, ResilienceStatus.CIRCUIT_OPEN, State.HALF_OPEN, ResilienceStatus.CIRCUIT_HALF_OPEN,
				State.DISABLED, Status.UP);
		this.contextRunner.run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			CircuitBreaker payments = breakers.instance("payments");
			breakers.instance("inventory");
			for (State state : State.values()) {
				payments.transitionTo(state);
				assertThat(component(context, "circuitBreakers", "payments").getStatus()).as(state.name())
					.isEqualTo(expected.get(state));
				assertThat(component(context, "circuitBreakers", "payments").getDetails()).as(state.name())
					.containsEntry("state", state.name());
				assertThat(health(context).getStatus()).as(state.name()).isEqualTo(Status.UP);
				assertThat(health(context, "circuitBreakers").getStatus()).as(state.name()).isEqualTo(Status.UP);
			}
		});
	}

	@Test
	void allowHealthIndicatorToFailMakesAnOpenBreakerDownButNotAHalfOpenOne() {
		Map<State, Status> expected = Map.of(State.CLOSED, Status.UP, State.OPEN, Status.DOWN, State.FORCED_OPEN,
				Status.DOWN, State.HALF_OPEN, ResilienceStatus.CIRCUIT_HALF_OPEN, State.DISABLED, Status.UP);
		Map<State, Status> overall = Map.of(State.CLOSED, Status.UP, State.OPEN, Status.DOWN, State.FORCED_OPEN,
				Status.DOWN, State.HALF_OPEN, Status.UP, State.DISABLED, Status.UP);
		this.contextRunner.run((context) -> {
			CircuitBreaker critical = context.getBean(CircuitBreakerRegistry.class).find("critical").orElseThrow();
			for (State state : State.values()) {
				critical.transitionTo(state);
				assertThat(component(context, "circuitBreakers", "critical").getStatus()).as(state.name())
					.isEqualTo(expected.get(state));
				assertThat(health(context).getStatus()).as(state.name()).isEqualTo(overall.get(state));
			}
		});
	}

	@Test
	void breakersThatAreAllOpenNeverMakeAnAggregateUnknown() {
		this.contextRunner.run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			breakers.remove("critical");
			breakers.instance("payments").transitionTo(State.OPEN);
			breakers.instance("inventory").transitionTo(State.FORCED_OPEN);
			breakers.instance("shipping").transitionTo(State.HALF_OPEN);
			assertThat(health(context, "circuitBreakers").getStatus()).isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
			assertThat(health(context).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void withNothingElseToReportTheApplicationShowsTheOpenCircuitNotUnknown() {
		this.contextRunner.withPropertyValues("management.health.ping.enabled=false").run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			breakers.remove("critical");
			breakers.instance("payments").transitionTo(State.OPEN);
			assertThat(health(context).getStatus()).isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
		});
	}

	@Test
	void groupsAggregateTheSameWayEvenWithTheirOwnStatusOrder() {
		this.contextRunner
			.withPropertyValues("management.endpoint.health.group.readiness.include=circuitBreakers",
					"management.endpoint.health.group.custom.include=circuitBreakers",
					"management.endpoint.health.group.custom.status.order=DOWN,UP")
			.run((context) -> {
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				breakers.remove("critical");
				breakers.instance("payments").transitionTo(State.OPEN);
				assertThat(health(context, "readiness").getStatus()).isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
				assertThat(health(context, "custom").getStatus()).isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
				breakers.instance("critical").transitionTo(State.OPEN);
				assertThat(health(context, "readiness").getStatus()).isEqualTo(Status.DOWN);
				assertThat(health(context, "custom").getStatus()).isEqualTo(Status.DOWN);
				HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
				assertThat(groups.getPrimary().getStatusAggregator()).isInstanceOf(ResilienceStatusAggregator.class);
				assertThat(groups.getPrimary()).isSameAs(groups.getPrimary());
			});
	}

	@Test
	void breakerDetailsCarryTheRatesAndCounts() {
		this.contextRunner
			.withPropertyValues("resilience.circuitbreaker.instances.payments.sliding-window-size=4",
					"resilience.circuitbreaker.instances.payments.minimum-number-of-calls=2")
			.run((context) -> {
				CircuitBreaker payments = context.getBean(CircuitBreakerRegistry.class).find("payments").orElseThrow();
				payments.acquirePermit().onSuccess(0, null);
				payments.acquirePermit().onSuccess(0, null);
				payments.acquirePermit().onFailure(0, new IOException());
				payments.acquirePermit().onSuccess(0, null);
				assertThat(component(context, "circuitBreakers", "payments").getDetails())
					.containsEntry("state", "CLOSED")
					.containsEntry("failureRate", 25.0f)
					.containsEntry("failureRateThreshold", 50.0f)
					.containsEntry("slowCallRate", 0.0f)
					.containsEntry("bufferedCalls", 4)
					.containsEntry("failedCalls", 1)
					.containsEntry("slowCalls", 0)
					.containsEntry("notPermittedCalls", 0L);
			});
	}

	@Test
	void healthSettingsAreInheritedLikeEveryOtherSetting() {
		this.contextRunner
			.withPropertyValues("resilience.circuitbreaker.configs.default.allow-health-indicator-to-fail=true",
					"resilience.circuitbreaker.configs.lenient.allow-health-indicator-to-fail=false",
					"resilience.circuitbreaker.configs.quiet.base-config=lenient",
					"resilience.circuitbreaker.configs.quiet.register-health-indicator=false",
					"resilience.circuitbreaker.instances.relaxed.base-config=lenient",
					"resilience.circuitbreaker.instances.muted.base-config=quiet",
					"resilience.circuitbreaker.instances.override.base-config=quiet",
					"resilience.circuitbreaker.instances.override.register-health-indicator=true")
			.run((context) -> {
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				for (String name : new String[] { "unconfigured", "relaxed", "muted", "override" }) {
					breakers.instance(name).transitionTo(State.OPEN);
				}
				// Not configured: configs.default.
				assertThat(component(context, "circuitBreakers", "unconfigured").getStatus()).isEqualTo(Status.DOWN);
				// base-config wins over configs.default.
				assertThat(component(context, "circuitBreakers", "relaxed").getStatus())
					.isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
				CompositeHealthContributor contributor = context.getBean("circuitBreakersHealthContributor",
						CompositeHealthContributor.class);
				assertThat(contributor.getContributor("muted")).isNull();
				assertThat(contributor.getContributor("override")).isNotNull();
				assertThat(((HealthIndicator) contributor.getContributor("override")).health().getStatus())
					.isEqualTo(ResilienceStatus.CIRCUIT_OPEN);
			});
	}

	@Test
	void anInstanceMayOptOut() {
		this.contextRunner.run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			breakers.instance("hidden");
			CompositeHealthContributor contributor = context.getBean("circuitBreakersHealthContributor",
					CompositeHealthContributor.class);
			assertThat(contributor.getContributor("hidden")).isNull();
			assertThat(contributor.stream().map((entry) -> entry.name())).containsExactly("critical");
			assertThat(components(context, "circuitBreakers")).containsOnlyKeys("critical");
		});
	}

	@Test
	void instancesCreatedLaterAppearAndRemovedOnesDisappear() {
		this.contextRunner.run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			assertThat(components(context, "circuitBreakers")).containsOnlyKeys("critical");
			breakers.instance("late");
			assertThat(components(context, "circuitBreakers")).containsOnlyKeys("critical", "late");
			breakers.remove("late");
			assertThat(components(context, "circuitBreakers")).containsOnlyKeys("critical");
		});
	}

	@Test
	void anExhaustedRateLimiterIsRateLimitedOrDownIfAllowedToFail() {
		this.contextRunner
			.withPropertyValues("resilience.ratelimiter.instances.api.limit-for-period=1",
					"resilience.ratelimiter.instances.api.limit-refresh-period=1h",
					"resilience.ratelimiter.instances.strict.limit-for-period=1",
					"resilience.ratelimiter.instances.strict.limit-refresh-period=1h",
					"resilience.ratelimiter.instances.strict.allow-health-indicator-to-fail=true")
			.run((context) -> {
				RateLimiterRegistry limiters = context.getBean(RateLimiterRegistry.class);
				assertThat(component(context, "rateLimiters", "api").getStatus()).isEqualTo(Status.UP);
				assertThat(component(context, "rateLimiters", "api").getDetails()).containsEntry("availablePermits",
						1L);
				assertThat(limiters.find("api").orElseThrow().tryAcquirePermission(1)).isTrue();
				assertThat(component(context, "rateLimiters", "api").getStatus())
					.isEqualTo(ResilienceStatus.RATE_LIMITED);
				assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				assertThat(limiters.find("strict").orElseThrow().tryAcquirePermission(1)).isTrue();
				assertThat(component(context, "rateLimiters", "strict").getStatus()).isEqualTo(Status.DOWN);
				assertThat(health(context).getStatus()).isEqualTo(Status.DOWN);
			});
	}

	@Test
	void aFullBulkheadIsBulkheadFullOrDownIfAllowedToFail() {
		this.contextRunner
			.withPropertyValues("resilience.bulkhead.instances.db.max-concurrent-calls=1",
					"resilience.bulkhead.instances.strict.max-concurrent-calls=1",
					"resilience.bulkhead.instances.strict.allow-health-indicator-to-fail=true")
			.run((context) -> {
				BulkheadRegistry bulkheads = context.getBean(BulkheadRegistry.class);
				Bulkhead db = bulkheads.find("db").orElseThrow();
				assertThat(component(context, "bulkheads", "db").getDetails())
					.containsEntry("availableConcurrentCalls", 1)
					.containsEntry("maxConcurrentCalls", 1)
					.containsEntry("limit", 1)
					.containsEntry("limitAlgorithm", "fixed");
				assertThat(db.tryAcquirePermission()).isTrue();
				assertThat(component(context, "bulkheads", "db").getStatus()).isEqualTo(ResilienceStatus.BULKHEAD_FULL);
				assertThat(health(context).getStatus()).isEqualTo(Status.UP);
				Bulkhead strict = bulkheads.find("strict").orElseThrow();
				assertThat(strict.tryAcquirePermission()).isTrue();
				assertThat(component(context, "bulkheads", "strict").getStatus()).isEqualTo(Status.DOWN);
				assertThat(health(context).getStatus()).isEqualTo(Status.DOWN);
				db.releasePermission();
				strict.releasePermission();
				assertThat(component(context, "bulkheads", "strict").getStatus()).isEqualTo(Status.UP);
			});
	}

	@Test
	@Timeout(10)
	void aThreadPoolBulkheadIsFullWhenEveryThreadIsBusyAndTheQueueIsFull() {
		this.contextRunner
			.withPropertyValues("resilience.thread-pool-bulkhead.instances.reports.core-thread-pool-size=1",
					"resilience.thread-pool-bulkhead.instances.reports.max-thread-pool-size=1",
					"resilience.thread-pool-bulkhead.instances.reports.queue-capacity=1")
			.run((context) -> {
				ThreadPoolBulkhead reports = context.getBean(ThreadPoolBulkheadRegistry.class)
					.find("reports")
					.orElseThrow();
				assertThat(component(context, "threadPoolBulkheads", "reports").getStatus()).isEqualTo(Status.UP);
				CountDownLatch started = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				CompletableFuture<String> running = reports.submit(() -> {
					started.countDown();
					release.await(5, TimeUnit.SECONDS);
					return CompletableFuture.completedFuture("done");
				});
				assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
				CompletableFuture<String> queued = reports.submit(() -> CompletableFuture.completedFuture("queued"));
				IndicatedHealthDescriptor full = component(context, "threadPoolBulkheads", "reports");
				assertThat(full.getStatus()).isEqualTo(ResilienceStatus.BULKHEAD_FULL);
				assertThat(full.getDetails()).containsEntry("activeThreads", 1)
					.containsEntry("queueDepth", 1)
					.containsEntry("remainingQueueCapacity", 0);
				release.countDown();
				assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("done");
				assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("queued");
			});
	}

	@Test
	void switchedOffAsAWholeOrOneByOne() {
		this.contextRunner.withPropertyValues("management.health.resilience.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("circuitBreakersHealthContributor")
				.doesNotHaveBean("bulkheadsHealthContributor")
				.doesNotHaveBean(ResilienceHealthEndpointGroupsPostProcessor.class));
		this.contextRunner.withPropertyValues("management.health.circuitbreakers.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("circuitBreakersHealthContributor")
				.hasBean("rateLimitersHealthContributor")
				.hasBean("bulkheadsHealthContributor"));
		this.contextRunner.withPropertyValues("management.health.bulkheads.enabled=false")
			.run((context) -> assertThat(context).hasBean("circuitBreakersHealthContributor")
				.doesNotHaveBean("bulkheadsHealthContributor")
				.doesNotHaveBean("threadPoolBulkheadsHealthContributor"));
		this.contextRunner.withPropertyValues("resilience.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("circuitBreakersHealthContributor"));
	}

	@Test
	void aContributorTheUserDeclaresUnderTheSameNameWins() {
		CompositeHealthContributor mine = CompositeHealthContributor
			.fromMap(Map.of("x", (HealthIndicator) () -> Health.up().build()));
		this.contextRunner.withBean("circuitBreakersHealthContributor", CompositeHealthContributor.class, () -> mine)
			.run((context) -> assertThat(context.getBean("circuitBreakersHealthContributor")).isSameAs(mine));
	}

	@Test
	void starterWorksWithoutTheHealthModule() {
		// Only the starter's own auto-configurations: Spring Boot filters out its health
		// auto-configurations by their class conditions before it loads them.
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceHealthAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CircuitBreakerRegistry.class)
				.doesNotHaveBean("circuitBreakersHealthContributor"));
	}

	@Test
	void contributorsWorkWithoutActuator() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
					HealthContributorRegistryAutoConfiguration.class, ResilienceHealthAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasBean("circuitBreakersHealthContributor")
				.doesNotHaveBean(ResilienceHealthEndpointGroupsPostProcessor.class));
	}

	private static HealthDescriptor health(AssertableApplicationContext context, String... path) {
		HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
		HealthDescriptor descriptor = (path.length == 0) ? endpoint.health() : endpoint.healthForPath(path);
		assertThat(descriptor).as(String.join("/", path)).isNotNull();
		return descriptor;
	}

	private static Map<String, HealthDescriptor> components(AssertableApplicationContext context, String... path) {
		return ((CompositeHealthDescriptor) health(context, path)).getComponents();
	}

	private static IndicatedHealthDescriptor component(AssertableApplicationContext context, String composite,
			String name) {
		return (IndicatedHealthDescriptor) health(context, composite, name);
	}

}
