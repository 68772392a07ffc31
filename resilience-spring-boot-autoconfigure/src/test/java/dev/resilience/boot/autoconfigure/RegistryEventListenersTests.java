package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.RegistryEvent;
import dev.resilience.core.ResilienceEvent;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryEventListenersTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@Test
	void aListenerBeanLearnsOfInstancesMadeBeforeAndAfterStartupExactlyOnce() {
		this.contextRunner.withUserConfiguration(BreakerListenerConfiguration.class)
			.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-threshold=30")
			.run((context) -> {
				List<String> seen = context.getBean(BreakerListenerConfiguration.class).seen;
				CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
				assertThat(seen).containsExactly("ADDED payments");
				registry.instance("later");
				registry.instance("later");
				registry.replaceConfig("later", CircuitBreakerConfig.builder().failureRateThreshold(10).build());
				registry.remove("later");
				registry.remove("later");
				assertThat(seen).containsExactly("ADDED payments", "ADDED later", "REPLACED later", "REMOVED later");
			});
	}

	@Test
	void anInstanceMadeByAnAnnotationAtStartupIsAnnounced() {
		this.contextRunner.withUserConfiguration(BreakerListenerConfiguration.class, AnnotatedService.class)
			.run((context) -> {
				context.getBean(AnnotatedService.class).call();
				assertThat(context.getBean(BreakerListenerConfiguration.class).seen).containsExactly("ADDED annotated");
			});
	}

	@Test
	void theTypeArgumentPicksTheRegistry() {
		this.contextRunner.withUserConfiguration(BreakerListenerConfiguration.class, RetryListenerConfiguration.class)
			.run((context) -> {
				context.getBean(RetryRegistry.class).instance("search");
				context.getBean(CircuitBreakerRegistry.class).instance("payments");
				assertThat(context.getBean(RetryListenerConfiguration.class).seen).containsExactly("ADDED search");
				assertThat(context.getBean(BreakerListenerConfiguration.class).seen).containsExactly("ADDED payments");
			});
	}

	@Test
	void listenersAreCalledInTheirOrder() {
		this.contextRunner.withUserConfiguration(OrderedListenersConfiguration.class).run((context) -> {
			context.getBean(CircuitBreakerRegistry.class).instance("payments");
			assertThat(context.getBean(OrderedListenersConfiguration.class).calls).containsExactly("first", "second");
		});
	}

	@Test
	void aListenerMayDependOnTheRegistryItFollows() {
		this.contextRunner.withUserConfiguration(DependentListenerConfiguration.class)
			.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-threshold=30")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(DependentListenerConfiguration.class)
				.extracting((configuration) -> configuration.seen)
				.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
				.containsExactly("payments"));
	}

	@Test
	void aResilienceEventListenerReceivesTheEventsOfEveryInstanceOfEveryKindUntilItIsRemoved() {
		this.contextRunner.withUserConfiguration(EventListenerConfiguration.class)
			.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-threshold=30")
			.run((context) -> {
				List<String> events = context.getBean(EventListenerConfiguration.class).events;
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				breakers.find("payments")
					.orElseThrow()
					.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.OPEN);
				dev.resilience.circuitbreaker.CircuitBreaker later = breakers.instance("later");
				later.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.FORCED_OPEN);
				Retry retry = context.getBean(RetryRegistry.class).instance("search");
				retry.onFailure(1, new java.io.IOException("down"));
				breakers.remove("later");
				later.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.CLOSED);
				assertThat(events).containsExactly("circuitbreaker payments STATE_TRANSITION",
						"circuitbreaker later STATE_TRANSITION", "retry search RETRY");
			});
	}

	@Test
	void closingTheContextUnsubscribes() {
		List<String> seen = new ArrayList<>();
		CircuitBreakerRegistry[] registry = new CircuitBreakerRegistry[1];
		this.contextRunner
			.withBean("breakerListener", RegistryEventListener.class,
					() -> (RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker>) (event) -> seen
						.add(event.type() + " " + event.instance().name()))
			.run((context) -> registry[0] = context.getBean(CircuitBreakerRegistry.class));
		registry[0].instance("afterClose");
		assertThat(seen).isEmpty();
		assertThat(registry[0].events().hasListeners()).isFalse();
	}

	@Test
	@Tag("concurrency")
	void everyInstanceIsAnnouncedOnceAndRemovedOnlyAfterItsAnnouncementWhileTheRegistryChanges() throws Exception {
		for (int round = 0; round < 200; round++) {
			CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
			for (int i = 0; i < 8; i++) {
				registry.instance("i" + i);
			}
			Map<Object, List<RegistryEvent.Type>> byInstance = new ConcurrentHashMap<>();
			RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker> listener = (event) -> byInstance
				.computeIfAbsent(event.instance(), (key) -> Collections.synchronizedList(new ArrayList<>()))
				.add(event.type());
			RegistryEventListeners listeners = new RegistryEventListeners(
					() -> List.of(new RegistryEventListeners.Binding<>(registry, List.of(listener), List.of())));
			ExecutorService executor = Executors.newFixedThreadPool(2);
			CountDownLatch start = new CountDownLatch(1);
			try {
				List<Future<?>> churn = new ArrayList<>();
				for (int t = 0; t < 2; t++) {
					int thread = t;
					churn.add(executor.submit(() -> {
						start.await();
						for (int i = 0; i < 50; i++) {
							String name = "i" + ((i + thread) % 8);
							if (registry.remove(name).isEmpty()) {
								registry.instance(name);
							}
						}
						return null;
					}));
				}
				start.countDown();
				listeners.afterSingletonsInstantiated();
				for (Future<?> future : churn) {
					future.get(10, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
			for (dev.resilience.circuitbreaker.CircuitBreaker present : registry.all()) {
				assertThat(byInstance.get(present)).as("a present instance was announced").isNotNull();
			}
			byInstance.forEach((instance, types) -> {
				// ADDED first, then at most one REMOVED, and REMOVED only for one that is
				// gone.
				assertThat(types.get(0)).isEqualTo(RegistryEvent.Type.ADDED);
				assertThat(types.stream().filter((type) -> type == RegistryEvent.Type.ADDED)).hasSize(1);
				assertThat(types.size()).isLessThanOrEqualTo(2);
				boolean registered = registry.all().contains(instance);
				assertThat(types.contains(RegistryEvent.Type.REMOVED)).isEqualTo(!registered);
			});
			listeners.destroy();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class BreakerListenerConfiguration {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker> breakerListener() {
			return (event) -> this.seen.add(event.type() + " " + event.instance().name());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RetryListenerConfiguration {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		RegistryEventListener<Retry> retryListener() {
			return (event) -> this.seen.add(event.type() + " " + event.instance().name());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedListenersConfiguration {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker> second() {
			return (event) -> this.calls.add("second");
		}

		@Bean
		@Order(1)
		RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker> first() {
			return (event) -> this.calls.add("first");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DependentListenerConfiguration {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		RegistryEventListener<dev.resilience.circuitbreaker.CircuitBreaker> dependentListener(
				CircuitBreakerRegistry registry) {
			return (event) -> this.seen.add(registry.find(event.instance().name()).orElseThrow().name());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EventListenerConfiguration {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Bean
		ResilienceEventListener everything() {
			return (ResilienceEvent event) -> this.events
				.add(event.primitive() + " " + event.instanceName() + " " + event.type());
		}

	}

	static class AnnotatedService {

		@CircuitBreaker(name = "annotated")
		String call() {
			return "ok";
		}

	}

}
