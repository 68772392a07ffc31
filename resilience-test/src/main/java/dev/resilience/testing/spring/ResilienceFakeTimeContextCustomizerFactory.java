package dev.resilience.testing.spring;

import java.util.List;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Puts the application context of a test class annotated with {@link ResilienceFakeTime}
 * on fake time; registered in {@code META-INF/spring.factories}, so it is active in every
 * Spring test with {@code resilience-test} on its class path and does nothing for test
 * classes without the annotation.
 */
public final class ResilienceFakeTimeContextCustomizerFactory implements ContextCustomizerFactory {

	/** The name of the fake {@link dev.resilience.core.Ticker} bean. */
	public static final String TICKER_BEAN_NAME = "resilienceTicker";

	/** The name of the fake {@link dev.resilience.core.Scheduler} bean. */
	public static final String SCHEDULER_BEAN_NAME = "resilienceScheduler";

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return TestContextAnnotationUtils.hasAnnotation(testClass, ResilienceFakeTime.class) ? new FakeTime() : null;
	}

	/**
	 * Registers a new fake ticker and manual scheduler in each context it customizes.
	 * Every instance is equal to every other, so that the contexts of annotated test
	 * classes with the same configuration are cached as one.
	 */
	static final class FakeTime implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
			ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
			// Registered before any configuration is read, so that the starter's
			// @ConditionalOnMissingBean ticker and scheduler back off.
			FakeTicker ticker = new FakeTicker();
			beanFactory.registerSingleton(TICKER_BEAN_NAME, ticker);
			beanFactory.registerSingleton(SCHEDULER_BEAN_NAME, new ManualScheduler(ticker));
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return other != null && other.getClass() == getClass();
		}

		@Override
		public int hashCode() {
			return FakeTime.class.hashCode();
		}

	}

}
