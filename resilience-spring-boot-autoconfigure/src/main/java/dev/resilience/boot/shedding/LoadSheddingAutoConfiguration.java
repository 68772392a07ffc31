package dev.resilience.boot.shedding;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.PartitionedLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.server.WebFilter;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Load shedding at the door, only when {@code resilience.shedding.enabled=true} (and
 * {@code resilience.enabled} is not false):
 * <ul>
 * <li>the {@link PartitionedLimiter} over the limit of {@code resilience.shedding.*}
 * (bean {@code resilienceSheddingLimit}, an {@link AdaptiveLimit}, which an application
 * may replace) and its partitions, checked at startup;</li>
 * <li>in a servlet web application, a filter first in the chain (before Spring Security's
 * and the deadline filter), and in a reactive one a {@link WebFilter} first of the web
 * filters, that reject the excess with {@code 503} and {@code Retry-After};</li>
 * <li>the {@code loadShedding} health contributor, with Spring Boot's health module;</li>
 * <li>the {@code resilience.shedding.*} meters, with a {@code MeterRegistry} (and
 * {@code resilience.metrics.enabled} not false).</li>
 * </ul>
 * Requests to the Actuator's base path ({@code management.endpoints.web.base-path},
 * default {@code /actuator}) are neither shed nor counted: a health probe rejected under
 * load would make an orchestrator restart a busy instance.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnResilienceEnabled(optIn = LoadSheddingAutoConfiguration.ENABLED_PROPERTY)
@ConditionalOnClass(PathPatternParser.class)
@EnableConfigurationProperties(ResilienceProperties.class)
public final class LoadSheddingAutoConfiguration {

	static final String ENABLED_PROPERTY = "resilience.shedding.enabled";

	/**
	 * The order of the servlet filter and of the WebFlux filter: before the deadline
	 * filters ({@code HIGHEST_PRECEDENCE + 20}), Spring Security's ({@code -100}) and
	 * every other; a filter of the application that sets a request attribute that
	 * {@code attribute:} matches reads needs an order below this one (from
	 * {@code Ordered.HIGHEST_PRECEDENCE} to {@code FILTER_ORDER - 1}).
	 */
	public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	/** The name of the servlet filter's registration. */
	static final String FILTER_NAME = "resilienceLoadSheddingFilter";

	@Bean
	SheddingSettings resilienceSheddingSettings(ResilienceProperties properties) {
		return SheddingSettings.of(properties.shedding());
	}

	/**
	 * The shared limit, from {@code resilience.shedding.limit-algorithm} and its
	 * settings; replace it (same bean name) with an {@link AdaptiveLimit} of your own.
	 * @param settings the checked settings
	 * @return the limit
	 */
	@Bean
	@ConditionalOnMissingBean(name = "resilienceSheddingLimit")
	AdaptiveLimit resilienceSheddingLimit(SheddingSettings settings) {
		return AdaptiveLimit.of(settings.limit());
	}

	@Bean
	PartitionedLimiter resilienceSheddingLimiter(SheddingSettings settings,
			@org.springframework.beans.factory.annotation.Qualifier("resilienceSheddingLimit") AdaptiveLimit limit,
			ObjectProvider<Ticker> ticker, ObjectProvider<Scheduler> scheduler) {
		PartitionedLimiter.Builder builder = PartitionedLimiter.builder(limit)
			.maxWait(settings.maxWait())
			.ticker(ticker.getIfAvailable(Ticker::system))
			.scheduler(scheduler.getIfAvailable(Scheduler::system));
		for (SheddingSettings.Partition partition : settings.partitions()) {
			builder.partition(partition.name(), partition.share());
		}
		return builder.build();
	}

	static String actuatorBasePath(Environment environment) {
		String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
		// Spring Boot's own normalization: no trailing slash.
		return (basePath.endsWith("/")) ? basePath.substring(0, basePath.length() - 1) : basePath;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ Filter.class, FilterRegistrationBean.class })
	static final class ServletSheddingConfiguration {

		/**
		 * Before Spring Security's and the deadline filter ({@link #FILTER_ORDER}): a
		 * shed request costs as little as possible. On the {@code REQUEST} dispatch only.
		 */
		@Bean
		@ConditionalOnMissingBean(name = FILTER_NAME)
		FilterRegistrationBean<LoadSheddingServletFilter> resilienceLoadSheddingFilter(PartitionedLimiter limiter,
				SheddingSettings settings, Environment environment) {
			FilterRegistrationBean<LoadSheddingServletFilter> registration = new FilterRegistrationBean<>(
					new LoadSheddingServletFilter(limiter, settings, actuatorBasePath(environment)));
			registration.setName(FILTER_NAME);
			registration.setOrder(FILTER_ORDER);
			registration.setDispatcherTypes(DispatcherType.REQUEST);
			registration.setAsyncSupported(true);
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(WebFilter.class)
	static final class ReactiveSheddingConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resilienceLoadSheddingWebFilter")
		LoadSheddingWebFilter resilienceLoadSheddingWebFilter(PartitionedLimiter limiter, SheddingSettings settings,
				Environment environment) {
			return new LoadSheddingWebFilter(limiter, settings, actuatorBasePath(environment));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthContributor.class)
	static final class SheddingHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "loadSheddingHealthIndicator")
		@org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("loadshedding")
		LoadSheddingHealthIndicator loadSheddingHealthIndicator(PartitionedLimiter limiter) {
			return new LoadSheddingHealthIndicator(limiter);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@org.springframework.boot.autoconfigure.condition.ConditionalOnBean(MeterRegistry.class)
	@ConditionalOnResilienceEnabled(also = "resilience.metrics.enabled")
	static final class SheddingMetricsConfiguration {

		@Bean
		LoadSheddingMeters resilienceSheddingMeters(PartitionedLimiter limiter, ResilienceProperties properties) {
			for (String key : properties.metrics().tags().keySet()) {
				if (LoadSheddingMeters.TAG_KEYS.contains(key)) {
					throw new ResilienceConfigurationException("resilience.metrics.tags." + key,
							"the load-shedding meters set this tag themselves",
							"Choose a tag key other than partition (and the other meters' own).");
				}
			}
			return new LoadSheddingMeters(limiter, properties.metrics().tags());
		}

	}

}
