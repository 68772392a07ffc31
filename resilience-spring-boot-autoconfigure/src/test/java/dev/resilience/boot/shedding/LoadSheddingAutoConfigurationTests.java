package dev.resilience.boot.shedding;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.PartitionedLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoadSheddingAutoConfiguration}: off unless {@code resilience.shedding.enabled};
 * on, the filters, the {@code loadShedding} health contributor and the meters; every
 * configuration error fails startup naming its property and value.
 */
class LoadSheddingAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(ResilienceAutoConfiguration.class,
			LoadSheddingAutoConfiguration.class);

	// The limit bean is the tests' own (the bean an application may replace), so that no
	// sample moves it; the defaults' own limit is checked without it.
	private final WebApplicationContextRunner servlet = new WebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS)
		.withBean("resilienceSheddingLimit", AdaptiveLimit.class, () -> new PinnedLimit(10));

	private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS)
		.withBean("resilienceSheddingLimit", AdaptiveLimit.class, () -> new PinnedLimit(10));

	private final ApplicationContextRunner plain = new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
		.withBean("resilienceSheddingLimit", AdaptiveLimit.class, () -> new PinnedLimit(10));

	@Test
	void theLimitIsTheConfiguredAlgorithmsWithTheSheddingDefaults() {
		new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues("resilience.shedding.enabled=true")
			.run((context) -> {
				AdaptiveLimit limit = context.getBean("resilienceSheddingLimit", AdaptiveLimit.class);
				assertThat(limit.config().algorithm()).isEqualTo(dev.resilience.limit.LimitAlgorithm.FIXED);
				assertThat(limit.limit()).isEqualTo(100);
				assertThat(context.getBean(PartitionedLimiter.class).limit()).isSameAs(limit);
			});
		new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.shedding.limit-algorithm=vegas",
					"resilience.shedding.initial-limit=40", "resilience.shedding.beta=9")
			.run((context) -> {
				AdaptiveLimit limit = context.getBean("resilienceSheddingLimit", AdaptiveLimit.class);
				assertThat(limit.config().algorithm()).isEqualTo(dev.resilience.limit.LimitAlgorithm.VEGAS);
				assertThat(limit.config().minLimit()).isEqualTo(10);
				assertThat(limit.config().maxLimit()).isEqualTo(1000);
				assertThat(limit.config().beta()).isEqualTo(9);
				assertThat(limit.limit()).isEqualTo(40);
				// A sample moves it: the real algorithm, not a stand-in.
				for (int i = 0; i < 50; i++) {
					limit.onSample(1_000_000, 40, false);
				}
				assertThat(limit.limit()).isGreaterThan(40);
			});
	}

	@Test
	void sheddingIsOffByDefault() {
		this.servlet.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(PartitionedLimiter.class);
			assertThat(context).doesNotHaveBean(LoadSheddingAutoConfiguration.FILTER_NAME);
			assertThat(context).doesNotHaveBean(LoadSheddingHealthIndicator.class);
		});
	}

	@Test
	void resilienceEnabledFalseSwitchesSheddingOffToo() {
		this.servlet.withPropertyValues("resilience.enabled=false", "resilience.shedding.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(PartitionedLimiter.class));
	}

	@Test
	void onAServletApplicationGetsTheFilterBeforeTheOthersOnTheRequestDispatch() {
		this.servlet
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.shedding.partitions.critical.share=0.3",
					"resilience.shedding.partitions.critical.match=path:/orders/**,header:X-Priority=critical")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				FilterRegistrationBean<?> registration = context.getBean(LoadSheddingAutoConfiguration.FILTER_NAME,
						FilterRegistrationBean.class);
				assertThat(registration.getFilter()).isInstanceOf(LoadSheddingServletFilter.class);
				assertThat(registration.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 10);
				assertThat(registration.determineDispatcherTypes())
					.containsExactly(jakarta.servlet.DispatcherType.REQUEST);
				PartitionedLimiter limiter = context.getBean(PartitionedLimiter.class);
				assertThat(limiter.partitionIndex("critical")).isEqualTo(1);
				assertThat(limiter.share(1)).isEqualTo(0.3);
				assertThat(limiter.limit().limit()).isEqualTo(10);
				assertThat(context).doesNotHaveBean(LoadSheddingWebFilter.class);
			});
	}

	@Test
	void theFilterRunsBeforeSpringSecurityAndTheDeadlineFilter() {
		this.servlet
			.withConfiguration(
					AutoConfigurations.of(dev.resilience.boot.deadline.ResilienceDeadlineAutoConfiguration.class))
			.withPropertyValues("resilience.shedding.enabled=true")
			.run((context) -> {
				int shedding = context.getBean(LoadSheddingAutoConfiguration.FILTER_NAME, FilterRegistrationBean.class)
					.getOrder();
				int deadline = context.getBean("resilienceDeadlineFilter", FilterRegistrationBean.class).getOrder();
				assertThat(shedding).isLessThan(deadline)
					.isLessThan(
							org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties.DEFAULT_FILTER_ORDER);
			});
	}

	@Test
	void onAReactiveApplicationGetsTheWebFilterBeforeTheOthers() {
		this.reactive.withPropertyValues("resilience.shedding.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(LoadSheddingWebFilter.class).getOrder())
				.isEqualTo(Ordered.HIGHEST_PRECEDENCE + 10);
			assertThat(context).doesNotHaveBean(LoadSheddingAutoConfiguration.FILTER_NAME);
		});
	}

	@Test
	void theLoadSheddingHealthContributorIsUpWithTheFiguresOfTheLimitAndOfEachPartition() {
		this.plain
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.shedding.partitions.critical.share=0.3",
					"resilience.shedding.partitions.critical.match=path:/orders/**")
			.run((context) -> {
				assertThat(context).hasBean("loadSheddingHealthIndicator");
				PartitionedLimiter limiter = context.getBean(PartitionedLimiter.class);
				for (int i = 0; i < 10; i++) {
					assertThat(limiter.tryAcquire(0)).isTrue();
				}
				assertThat(limiter.tryAcquire(0)).isFalse();
				Health health = context.getBean(LoadSheddingHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("limit", 10)
					.containsEntry("inFlight", 10)
					.containsEntry("rejected", 1L);
				assertThat(health.getDetails().get("partitions"))
					.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
					.containsOnlyKeys("default", "critical");
				assertThat(((java.util.Map<?, ?>) health.getDetails().get("partitions")).get("critical"))
					.isEqualTo(java.util.Map.of("share", 0.3, "reserved", 3, "inFlight", 0, "rejected", 0L));
			});
	}

	@Test
	void theMetersHaveThePartitionTagAndTheCommonTags() {
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.metrics.tags.application=shop",
					"resilience.shedding.partitions.critical.share=0.3",
					"resilience.shedding.partitions.critical.match=path:/orders/**")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				context.getBean(LoadSheddingMeters.class).bindTo(registry);
				PartitionedLimiter limiter = context.getBean(PartitionedLimiter.class);
				assertThat(limiter.tryAcquire(1)).isTrue();
				assertThat(registry.get("resilience.shedding.limit").tag("application", "shop").gauge().value())
					.isEqualTo(10);
				assertThat(registry.get("resilience.shedding.inflight")
					.tags("partition", "critical", "application", "shop")
					.gauge()
					.value()).isEqualTo(1);
				assertThat(registry.get("resilience.shedding.inflight").tag("partition", "default").gauge().value())
					.isZero();
				for (int i = 0; i < 12; i++) {
					limiter.tryAcquire(0);
				}
				assertThat(registry.get("resilience.shedding.rejected")
					.tags("partition", "default", "application", "shop")
					.functionCounter()
					.count()).isEqualTo(3);
			});
	}

	@Test
	void aCommonTagNamedPartitionIsRefused() {
		this.plain.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.metrics.tags.partition=x")
			.run((context) -> assertFails(context, "resilience.metrics.tags.partition"));
	}

	@Test
	void aPartitionWithoutAShareFailsStartupNamingTheProperty() {
		failsNaming("resilience.shedding.partitions.critical.share", "missing",
				"resilience.shedding.partitions.critical.match=path:/orders/**");
	}

	@Test
	void aShareOutsideZeroToOneFailsStartupNamingThePropertyAndTheValue() {
		failsNaming("resilience.shedding.partitions.critical.share", "'0.0'",
				"resilience.shedding.partitions.critical.share=0",
				"resilience.shedding.partitions.critical.match=path:/orders/**");
		failsNaming("resilience.shedding.partitions.critical.share", "'1.5'",
				"resilience.shedding.partitions.critical.share=1.5",
				"resilience.shedding.partitions.critical.match=path:/orders/**");
	}

	@Test
	void sharesSummingAboveOneFailStartupNamingThePartitions() {
		failsNaming("resilience.shedding.partitions", "critical=0.6, payments=0.5",
				"resilience.shedding.partitions.critical.share=0.6",
				"resilience.shedding.partitions.critical.match=path:/orders/**",
				"resilience.shedding.partitions.payments.share=0.5",
				"resilience.shedding.partitions.payments.match=path:/payments/**");
	}

	@Test
	void aMissingOrMalformedMatchFailsStartupNamingTheProperty() {
		failsNaming("resilience.shedding.partitions.critical.match", "missing",
				"resilience.shedding.partitions.critical.share=0.3");
		failsNaming("resilience.shedding.partitions.critical.match[0]", "'query:a=b'",
				"resilience.shedding.partitions.critical.share=0.3",
				"resilience.shedding.partitions.critical.match=query:a=b");
		failsNaming("resilience.shedding.partitions.critical.match[1]", "'header:X-Priority'",
				"resilience.shedding.partitions.critical.share=0.3",
				"resilience.shedding.partitions.critical.match=path:/orders,header:X-Priority");
		failsNaming("resilience.shedding.partitions.critical.match[0]", "'path:/orders/**/items'",
				"resilience.shedding.partitions.critical.share=0.3",
				"resilience.shedding.partitions.critical.match=path:/orders/**/items");
	}

	@Test
	void aPartitionNamedDefaultFailsStartup() {
		failsNaming("resilience.shedding.partitions.default", "reserved",
				"resilience.shedding.partitions.default.share=0.3",
				"resilience.shedding.partitions.default.match=path:/orders/**");
	}

	@Test
	void badLimitSettingsFailStartupNamingTheirKebabCaseProperty() {
		failsNaming("resilience.shedding.min-limit", "'0'", "resilience.shedding.limit-algorithm=aimd",
				"resilience.shedding.min-limit=0");
		failsNaming("resilience.shedding.initial-limit", "'5000'", "resilience.shedding.limit-algorithm=vegas",
				"resilience.shedding.initial-limit=5000");
		failsNaming("resilience.shedding.backoff-ratio", "applies to limitAlgorithm aimd",
				"resilience.shedding.backoff-ratio=0.8");
		failsNaming("resilience.shedding.beta", "'3'", "resilience.shedding.limit-algorithm=vegas",
				"resilience.shedding.beta=3");
		failsNaming("resilience.shedding.retry-after", "'PT0S'", "resilience.shedding.retry-after=0s");
	}

	@Test
	void theSheddingDefaultsAreAFixedLimitOfAHundredAndAnAdaptiveRangeOfTenToAThousand() {
		this.plain.withPropertyValues("resilience.shedding.enabled=true").run((context) -> {
			SheddingSettings settings = context.getBean(SheddingSettings.class);
			assertThat(settings.limit().initialLimit()).isEqualTo(100);
			assertThat(settings.retryAfter()).isEqualTo("1");
			assertThat(settings.maxWait()).hasMillis(100);
		});
		this.plain
			.withPropertyValues("resilience.shedding.enabled=true", "resilience.shedding.limit-algorithm=gradient2",
					"resilience.shedding.retry-after=1500ms")
			.run((context) -> {
				SheddingSettings settings = context.getBean(SheddingSettings.class);
				assertThat(settings.limit().minLimit()).isEqualTo(10);
				assertThat(settings.limit().maxLimit()).isEqualTo(1000);
				assertThat(settings.retryAfter()).isEqualTo("2");
			});
	}

	private void failsNaming(String property, String detail, String... properties) {
		this.plain.withPropertyValues("resilience.shedding.enabled=true")
			.withPropertyValues(properties)
			.run((context) -> {
				assertFails(context, property);
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(detail);
			});
	}

	private static void assertFails(AssertableApplicationContext context, String property) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).rootCause()
			.isInstanceOf(ResilienceConfigurationException.class)
			.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).subject()).isEqualTo(property));
	}

}
