package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.resilience.boot.aop.ResilienceAnnotationPostProcessor;
import dev.resilience.boot.aop.ResilienceMethodFactory;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineListener;
import dev.resilience.boot.observation.ResilienceObservations;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutRegistry;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.task.TaskDecorator;

/**
 * Auto-configuration of resilience: the registries, configured from {@code resilience.*},
 * the post-processor that applies the annotations, and the subscription of the
 * {@link RegistryEventListener} and {@link ResilienceEventListener} beans. Every bean a
 * user may replace backs off when the user declares one; {@code resilience.enabled=false}
 * switches all of it off.
 */
@AutoConfiguration
@ConditionalOnResilienceEnabled
@EnableConfigurationProperties(ResilienceProperties.class)
public final class ResilienceAutoConfiguration {

	/**
	 * How often the coarse clock ({@code resilience.clock=coarse}) publishes the time.
	 */
	private static final java.time.Duration COARSE_RESOLUTION = java.time.Duration.ofMillis(1);

	@Bean
	@ConditionalOnMissingBean
	Ticker resilienceTicker(ResilienceProperties properties) {
		// A coarse ticker's thread is stopped with the context: Spring calls the close()
		// it infers on the bean.
		return (properties.clock() == ResilienceProperties.Clock.COARSE) ? Ticker.coarse(COARSE_RESOLUTION)
				: Ticker.system();
	}

	@Bean
	@ConditionalOnMissingBean
	Scheduler resilienceScheduler() {
		return Scheduler.system();
	}

	@Bean
	@ConditionalOnMissingBean
	ResilienceConfigurations resilienceConfigurations(ResilienceProperties properties,
			ObjectProvider<ConfigCustomizer<?>> customizers) {
		return new ResilienceConfigurations(properties, customizers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerRegistry circuitBreakerRegistry(ResilienceConfigurations configurations, Ticker ticker,
			Scheduler scheduler) {
		return configurations.circuitBreakerRegistry(ticker, scheduler);
	}

	@Bean
	@ConditionalOnMissingBean
	RetryRegistry retryRegistry(ResilienceConfigurations configurations, Ticker ticker, Scheduler scheduler) {
		return configurations.retryRegistry(ticker, scheduler);
	}

	@Bean
	@ConditionalOnMissingBean
	RateLimiterRegistry rateLimiterRegistry(ResilienceConfigurations configurations, Ticker ticker, Scheduler scheduler,
			ObjectProvider<RateLimiterRegistry.Factory> factory) {
		return configurations.rateLimiterRegistry(ticker, scheduler, factory.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	BulkheadRegistry bulkheadRegistry(ResilienceConfigurations configurations, Ticker ticker, Scheduler scheduler) {
		return configurations.bulkheadRegistry(ticker, scheduler);
	}

	/**
	 * The thread-pool bulkheads, closed with the context: their pools shut down
	 * gracefully (calls in flight finish, then the threads end). Their calls carry the
	 * caller's thread-local context when Micrometer context-propagation is on the class
	 * path, and go through the application's {@link TaskDecorator} beans.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ThreadPoolBulkheadRegistry threadPoolBulkheadRegistry(ResilienceConfigurations configurations,
			ObjectProvider<TaskDecorator> taskDecorators, ConfigurableListableBeanFactory beanFactory) {
		return configurations.threadPoolBulkheadRegistry(ThreadPoolTaskDecorators
			.compose(taskDecorators.orderedStream().toList(), beanFactory.getBeanClassLoader()));
	}

	@Bean
	@ConditionalOnMissingBean
	TimeoutRegistry timeoutRegistry(ResilienceConfigurations configurations, Ticker ticker, Scheduler scheduler) {
		return configurations.timeoutRegistry(ticker, scheduler);
	}

	/**
	 * How every pipeline the starter builds treats the request's deadline:
	 * {@code resilience.deadline.mode}, and the {@link DeadlineListener} beans, told of
	 * each call that does not fit.
	 */
	@Bean
	@ConditionalOnMissingBean
	DeadlineConfig resilienceDeadlineConfig(ResilienceProperties properties,
			ObjectProvider<DeadlineListener> listeners) {
		List<DeadlineListener> all = listeners.orderedStream().toList();
		DeadlineListener listener = switch (all.size()) {
			case 0 -> DeadlineListener.NONE;
			case 1 -> all.get(0);
			default -> (stage, instanceName, mode, remainingNanos) -> {
				for (DeadlineListener each : all) {
					each.exceeded(stage, instanceName, mode, remainingNanos);
				}
			};
		};
		return DeadlineConfig.builder().mode(properties.deadline().mode()).listener(listener).build();
	}

	@Bean
	@ConditionalOnMissingBean
	ResilienceMethodFactory resilienceMethodFactory(CircuitBreakerRegistry circuitBreakers, RetryRegistry retries,
			RateLimiterRegistry rateLimiters, BulkheadRegistry bulkheads,
			ThreadPoolBulkheadRegistry threadPoolBulkheads, TimeoutRegistry timeouts, ResilienceProperties properties,
			BeanFactory beanFactory, ObjectProvider<ResilienceObservations> observations, DeadlineConfig deadlines,
			ObjectProvider<dev.resilience.boot.chaos.ChaosSites> chaos) {
		ResilienceMethodFactory factory = new ResilienceMethodFactory(circuitBreakers, retries, rateLimiters, bulkheads,
				threadPoolBulkheads, timeouts, properties.order(), beanFactory);
		factory.setObservations(observations);
		factory.setDeadlines(deadlines);
		factory.setChaos(chaos);
		return factory;
	}

	/**
	 * Subscribes the {@link RegistryEventListener} and {@link ResilienceEventListener}
	 * beans to the registries, whether the starter made them or the user did, once every
	 * singleton exists.
	 */
	@Bean
	RegistryEventListeners resilienceRegistryEventListeners(ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<RegistryEventListener<CircuitBreaker>> circuitBreakerListeners,
			ObjectProvider<RetryRegistry> retries, ObjectProvider<RegistryEventListener<Retry>> retryListeners,
			ObjectProvider<RateLimiterRegistry> rateLimiters,
			ObjectProvider<RegistryEventListener<RateLimiter>> rateLimiterListeners,
			ObjectProvider<BulkheadRegistry> bulkheads,
			ObjectProvider<RegistryEventListener<Bulkhead>> bulkheadListeners,
			ObjectProvider<ThreadPoolBulkheadRegistry> threadPoolBulkheads,
			ObjectProvider<RegistryEventListener<ThreadPoolBulkhead>> threadPoolBulkheadListeners,
			ObjectProvider<TimeoutRegistry> timeouts, ObjectProvider<RegistryEventListener<Timeout>> timeoutListeners,
			ObjectProvider<ResilienceEventListener> eventListeners) {
		return new RegistryEventListeners(() -> {
			List<ResilienceEventListener> all = eventListeners.orderedStream().toList();
			List<RegistryEventListeners.Binding<?>> bindings = new ArrayList<>();
			bind(bindings, circuitBreakers, circuitBreakerListeners, all);
			bind(bindings, retries, retryListeners, all);
			bind(bindings, rateLimiters, rateLimiterListeners, all);
			bind(bindings, bulkheads, bulkheadListeners, all);
			bind(bindings, threadPoolBulkheads, threadPoolBulkheadListeners, all);
			bind(bindings, timeouts, timeoutListeners, all);
			return bindings;
		});
	}

	private static <P extends Policy<?>> void bind(List<RegistryEventListeners.Binding<?>> bindings,
			ObjectProvider<? extends Registry<P, ?>> registry, ObjectProvider<RegistryEventListener<P>> listeners,
			List<ResilienceEventListener> all) {
		Registry<P, ?> available = registry.getIfUnique();
		if (available != null) {
			bindings.add(new RegistryEventListeners.Binding<>(available, listeners.orderedStream().toList(), all));
		}
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static ResilienceAnnotationPostProcessor resilienceAnnotationPostProcessor(
			ObjectProvider<ResilienceMethodFactory> factory) {
		return new ResilienceAnnotationPostProcessor(factory);
	}

}
