package dev.resilience.boot.http;

import java.time.Clock;
import java.util.List;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.observation.ResilienceObservations;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Scheduler;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.pipeline.AttemptObserver;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;

/**
 * Auto-configuration of the HTTP client policy sets ({@code resilience.http.clients.*}):
 * the {@link ResilienceHttp} bean, checked at startup; a {@code RestClientCustomizer}
 * that applies the sets with {@code base-urls} to every auto-configured
 * {@code RestClient.Builder}; and the post-processor that applies a set to the client
 * beans its {@code qualifiers} name.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class,
		beforeName = { "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
				"org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration" })
@ConditionalOnResilienceEnabled
@ConditionalOnClass(RestClient.class)
public final class ResilienceHttpAutoConfiguration {

	private static final boolean OBSERVATION_PRESENT = ClassUtils.isPresent(
			"io.micrometer.observation.ObservationRegistry", ResilienceHttpAutoConfiguration.class.getClassLoader());

	private static final boolean MICROMETER_PRESENT = ClassUtils.isPresent(
			"io.micrometer.core.instrument.MeterRegistry", ResilienceHttpAutoConfiguration.class.getClassLoader());

	@Bean
	@ConditionalOnMissingBean
	ResilienceHttp resilienceHttp(ResilienceProperties properties, CircuitBreakerRegistry circuitBreakers,
			RetryRegistry retries, RateLimiterRegistry rateLimiters, BulkheadRegistry bulkheads,
			TimeoutRegistry timeouts, DeadlineConfig deadlines, Scheduler scheduler,
			ConfigurableListableBeanFactory beanFactory) {
		Function<String, @Nullable DoubleConsumer> meters = (MICROMETER_PRESENT && properties.metrics().enabled())
				? Meters.of(beanFactory) : (client) -> null;
		Function<String, @Nullable AttemptObserver> observers = OBSERVATION_PRESENT ? Observations.of(beanFactory)
				: (client) -> null;
		HttpPolicyFactory factory = new HttpPolicyFactory(circuitBreakers, retries, rateLimiters, bulkheads, timeouts,
				deadlines, properties.deadline(), scheduler, meters, Clock.systemUTC(), observers);
		return new ResilienceHttp(factory.compile(properties.http().clients()));
	}

	@Bean
	static HttpClientQualifiers resilienceHttpClientQualifiers(ObjectProvider<ResilienceHttp> http,
			ConfigurableListableBeanFactory beanFactory) {
		return new HttpClientQualifiers(http, beanFactory);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RestClientCustomizer.class)
	static final class RestClientCustomizerConfiguration {

		/**
		 * Adds the interceptor that picks a set by the request's URL, when a set has
		 * {@code base-urls}.
		 */
		@Bean
		RestClientCustomizer resilienceHttpRestClientCustomizer(ResilienceHttp http) {
			List<HttpPolicySet> byUrl = http.byBaseUrl();
			if (byUrl.isEmpty()) {
				return (builder) -> {
				};
			}
			ResilienceHttpInterceptor interceptor = ResilienceHttpInterceptor.byUrl(byUrl);
			return (builder) -> builder.requestInterceptors((interceptors) -> {
				if (interceptors.stream().noneMatch(ResilienceHttpInterceptor.class::isInstance)) {
					interceptors.add(0, interceptor);
				}
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.web.reactive.function.client.WebClient",
			"dev.resilience.reactor.ResilienceOperator" })
	static final class WebClientConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ResilienceWebClient resilienceWebClient(ResilienceHttp http) {
			return new ResilienceWebClient(http);
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "org.springframework.boot.webclient.WebClientCustomizer")
		static final class WebClientCustomizerConfiguration {

			/**
			 * Adds the filter that picks a set by the request's URL, when a set has
			 * {@code base-urls}.
			 */
			@Bean
			WebClientCustomizer resilienceHttpWebClientCustomizer(ResilienceHttp http) {
				List<HttpPolicySet> byUrl = http.byBaseUrl();
				if (byUrl.isEmpty()) {
					return (builder) -> {
					};
				}
				ReactiveHttpPolicy filter = ReactiveHttpPolicy.byUrl(byUrl);
				return (builder) -> builder.filters((filters) -> {
					if (filters.stream().noneMatch(ReactiveHttpPolicy.class::isInstance)) {
						filters.add(0, filter);
					}
				});
			}

		}

	}

	/** Kept apart so that Micrometer's types are loaded only when present. */
	private static final class Observations {

		static Function<String, @Nullable AttemptObserver> of(ConfigurableListableBeanFactory beanFactory) {
			ResilienceObservations observations = beanFactory.getBeanProvider(ResilienceObservations.class)
				.getIfAvailable();
			return (observations != null) ? (client) -> new HttpAttemptObserver(observations.registry(), client)
					: (client) -> null;
		}

	}

	/** Kept apart so that Micrometer's types are loaded only when present. */
	private static final class Meters {

		static Function<String, @Nullable DoubleConsumer> of(ConfigurableListableBeanFactory beanFactory) {
			MeterRegistry registry = beanFactory.getBeanProvider(MeterRegistry.class).getIfUnique();
			return (registry != null) ? (client) -> HttpMeters.remaining(registry, client) : (client) -> null;
		}

	}

}
