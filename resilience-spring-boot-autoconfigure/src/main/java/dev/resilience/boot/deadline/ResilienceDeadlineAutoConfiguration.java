package dev.resilience.boot.deadline;

import java.util.Map;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.core.Ticker;
import dev.resilience.deadline.DeadlineListener;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of deadlines that arrive with a request
 * ({@code resilience.deadline.*}):
 * <ul>
 * <li>in a servlet web application, a {@link DeadlineServletFilter} first in the chain
 * (after load shedding's filter only), and in a reactive one a {@link DeadlineWebFilter},
 * which give each request the deadline of its headers or the default budget (switched off
 * with {@code resilience.deadline.enabled=false}, read like
 * {@code resilience.enabled});</li>
 * <li>a {@link DeadlineTaskDecorator} bean, which Spring Boot applies to the
 * {@code applicationTaskExecutor} ({@code @Async}, Spring MVC's {@code Callable}), beside
 * any task decorator of the application's;</li>
 * <li>the {@link DeadlineListener} beans that log at DEBUG and, with a
 * {@code MeterRegistry} (and {@code resilience.metrics.enabled} not false, and our own
 * meter names: not under {@code resilience.metrics.naming=resilience4j}, whose names have
 * no deadline meters), count in {@code resilience.deadline.exceeded{stage,mode}} each
 * call that does not fit; the starter gives every pipeline those listeners.</li>
 * </ul>
 * The carriers and the listeners only act on deadlines that exist, so they stay with
 * {@code resilience.deadline.enabled=false} (deadlines set in code, with
 * {@code Deadline.within}, are still carried and counted). The settings are checked at
 * startup ({@link DeadlineSettings}). Micrometer's context propagation finds the
 * {@link DeadlineThreadLocalAccessor} through the {@code ServiceLoader}, without a bean.
 */
@AutoConfiguration(after = ResilienceAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnResilienceEnabled
@EnableConfigurationProperties(ResilienceProperties.class)
public final class ResilienceDeadlineAutoConfiguration {

	@Bean
	DeadlineSettings resilienceDeadlineSettings(ResilienceProperties properties) {
		return DeadlineSettings.of(properties.deadline());
	}

	@Bean
	DeadlineListener resilienceDeadlineLog() {
		return new DeadlineLog();
	}

	/**
	 * Last of the task decorators, so the outermost on the worker thread: the others run
	 * under the deadline too.
	 */
	@Bean
	@ConditionalOnMissingBean
	@Order(Ordered.LOWEST_PRECEDENCE)
	DeadlineTaskDecorator resilienceDeadlineTaskDecorator() {
		return new DeadlineTaskDecorator();
	}

	private static InboundDeadlineHeaders inboundHeaders(DeadlineSettings settings, ObjectProvider<Ticker> ticker,
			ObjectProvider<InboundDeadlineHeaders.MalformedHeaders> meters) {
		// The meters, when there are; not named by their type, which needs Micrometer.
		return new InboundDeadlineHeaders(settings.inboundHeaders(), settings.defaultBudget(),
				ticker.getIfAvailable(Ticker::system),
				meters.getIfAvailable(() -> InboundDeadlineHeaders.MalformedHeaders.NONE));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	@ConditionalOnResilienceEnabled(also = "resilience.metrics.enabled")
	@Conditional(OnOwnMeterNamesCondition.class)
	static final class DeadlineMetricsConfiguration {

		@Bean
		DeadlineMeters resilienceDeadlineMeters(DeadlineSettings settings, ResilienceProperties properties) {
			Map<String, String> tags = properties.metrics().tags();
			for (String key : tags.keySet()) {
				if (DeadlineMeters.TAG_KEYS.contains(key)) {
					throw new ResilienceConfigurationException("resilience.metrics.tags." + key,
							"the deadline meters set this tag themselves", "Choose a tag key other than "
									+ String.join(", ", DeadlineMeters.TAG_KEYS) + " (and the other meters' own).");
				}
			}
			return new DeadlineMeters(settings.inboundHeaders(), tags);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ Filter.class, FilterRegistrationBean.class })
	@ConditionalOnResilienceEnabled(also = "resilience.deadline.enabled")
	static final class ServletDeadlineConfiguration {

		/**
		 * First in the chain but for load shedding (which rejects the excess before any
		 * other work), so that the budget is measured from as early as the application
		 * sees the request; on the request's dispatch and on its later {@code ASYNC} and
		 * {@code ERROR} dispatches.
		 */
		@Bean
		@ConditionalOnMissingBean(name = "resilienceDeadlineFilter")
		FilterRegistrationBean<DeadlineServletFilter> resilienceDeadlineFilter(DeadlineSettings settings,
				ObjectProvider<Ticker> ticker, ObjectProvider<InboundDeadlineHeaders.MalformedHeaders> meters) {
			FilterRegistrationBean<DeadlineServletFilter> registration = new FilterRegistrationBean<>(
					new DeadlineServletFilter(inboundHeaders(settings, ticker, meters)));
			registration.setName("resilienceDeadlineFilter");
			registration.setOrder(DeadlineWebFilter.ORDER);
			registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
			registration.setAsyncSupported(true);
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(WebFilter.class)
	@ConditionalOnResilienceEnabled(also = "resilience.deadline.enabled")
	static final class ReactiveDeadlineConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "resilienceDeadlineWebFilter")
		DeadlineWebFilter resilienceDeadlineWebFilter(DeadlineSettings settings, ObjectProvider<Ticker> ticker,
				ObjectProvider<InboundDeadlineHeaders.MalformedHeaders> meters) {
			return new DeadlineWebFilter(inboundHeaders(settings, ticker, meters));
		}

	}

}
