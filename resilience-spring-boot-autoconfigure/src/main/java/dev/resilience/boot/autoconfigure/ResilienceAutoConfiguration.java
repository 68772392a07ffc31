package dev.resilience.boot.autoconfigure;

import dev.resilience.boot.aop.ResilienceAnnotationPostProcessor;
import dev.resilience.boot.aop.ResilienceMethodFactory;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
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
 * and the post-processor that applies the annotations. Every bean a user may replace
 * backs off when the user declares one; {@code resilience.enabled=false} switches all of
 * it off.
 */
@AutoConfiguration
@ConditionalOnResilienceEnabled
@EnableConfigurationProperties(ResilienceProperties.class)
public final class ResilienceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Ticker resilienceTicker() {
		return Ticker.system();
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

	@Bean
	@ConditionalOnMissingBean
	ResilienceMethodFactory resilienceMethodFactory(CircuitBreakerRegistry circuitBreakers, RetryRegistry retries,
			RateLimiterRegistry rateLimiters, BulkheadRegistry bulkheads,
			ThreadPoolBulkheadRegistry threadPoolBulkheads, TimeoutRegistry timeouts, ResilienceProperties properties,
			BeanFactory beanFactory) {
		return new ResilienceMethodFactory(circuitBreakers, retries, rateLimiters, bulkheads, threadPoolBulkheads,
				timeouts, properties.order(), beanFactory);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static ResilienceAnnotationPostProcessor resilienceAnnotationPostProcessor(
			ObjectProvider<ResilienceMethodFactory> factory) {
		return new ResilienceAnnotationPostProcessor(factory);
	}

}
