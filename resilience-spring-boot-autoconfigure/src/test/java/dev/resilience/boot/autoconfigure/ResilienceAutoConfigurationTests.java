package dev.resilience.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.resilience.limit.LimitConfig;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.boot.aop.ResilienceAnnotationPostProcessor;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import dev.resilience.annotation.Retry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ResilienceAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@Test
	void providesEveryRegistryAndThePostProcessor() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(CircuitBreakerRegistry.class)
			.hasSingleBean(RetryRegistry.class)
			.hasSingleBean(RateLimiterRegistry.class)
			.hasSingleBean(BulkheadRegistry.class)
			.hasSingleBean(ThreadPoolBulkheadRegistry.class)
			.hasSingleBean(TimeoutRegistry.class)
			.hasSingleBean(ResilienceAnnotationPostProcessor.class));
	}

	@Test
	void backsOffEntirelyWhenDisabled() {
		this.contextRunner.withPropertyValues("resilience.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CircuitBreakerRegistry.class)
				.doesNotHaveBean(ResilienceAnnotationPostProcessor.class));
	}

	@Test
	void userRegistryWins() {
		this.contextRunner.withUserConfiguration(UserRegistryConfiguration.class)
			.run((context) -> assertThat(context).getBean(CircuitBreakerRegistry.class)
				.isSameAs(context.getBean(UserRegistryConfiguration.class).registry));
	}

	@Test
	@SuppressWarnings("unchecked")
	void annotatedMethodsWorkWithoutReactorOnTheClassPath() throws Exception {
		// FilteredClassLoader alone hides nothing from the starter: ReturnAdapter looks
		// Reactor up with its own class loader. So the starter's classes (and this test's
		// service) are loaded again by a class loader that cannot see reactor-core or
		// Reactive Streams, and everything else is shared.
		ClassLoader withoutReactor = new WithoutReactorClassLoader(getClass().getClassLoader());
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> Class.forName("reactor.core.publisher.Mono", false, withoutReactor));
		Class<?> autoConfiguration = withoutReactor.loadClass(ResilienceAutoConfiguration.class.getName());
		assertThat(autoConfiguration).isNotSameAs(ResilienceAutoConfiguration.class);
		Class<Object> service = (Class<Object>) withoutReactor.loadClass(ReactorFreeService.class.getName());
		// A user configuration, not AutoConfigurations.of: sorting auto-configurations
		// loads them again by name, with the parent class loader.
		new ApplicationContextRunner().withClassLoader(withoutReactor)
			.withUserConfiguration(autoConfiguration)
			.withBean("service", service)
			.withPropertyValues("resilience.retry.instances.flaky.wait-duration=0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("resilienceMethodFactory").getClass().getClassLoader())
					.isSameAs(withoutReactor);
				Object bean = context.getBean("service");
				assertThat(AopUtils.isAopProxy(bean)).isTrue();
				// Each method fails once: the second attempt's result shows the retry
				// ran.
				assertThat(((Callable<String>) bean).call()).isEqualTo("sync, attempt 2");
				assertThat(((Supplier<CompletableFuture<String>>) bean).get()).isCompletedWithValue("async, attempt 2");
				assertThat(context.getBean(RetryRegistry.class).find("flaky").orElseThrow().metrics())
					.satisfies((metrics) -> assertThat(metrics.successfulCallsWithRetry()).isEqualTo(2));
			});
	}

	@Test
	void aReactiveMethodWithoutResilienceReactorOnTheClassPathFailsAtStartupNamingTheDependency() {
		// reactor-core is there, resilience-reactor (optional in this module) is not.
		ClassLoader withoutOperators = new WithoutReactorClassLoader(getClass().getClassLoader(),
				"dev.resilience.reactor.");
		new ApplicationContextRunner().withClassLoader(withoutOperators)
			.withUserConfiguration(loadAgain(withoutOperators, ResilienceAutoConfiguration.class))
			.withBean("service", loadAgain(withoutOperators, MonoService.class))
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable root = context.getStartupFailure();
				while (root.getCause() != null) {
					root = root.getCause();
				}
				assertThat(root.getClass().getName()).isEqualTo(ResilienceConfigurationException.class.getName());
				assertThat(root).hasMessageContaining("resilience-reactor, which is not on the class path");
			});
	}

	@SuppressWarnings("unchecked")
	private static Class<Object> loadAgain(ClassLoader loader, Class<?> type) {
		try {
			return (Class<Object>) loader.loadClass(type.getName());
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void configuredInstancesAreCreatedWithTheirProperties() {
		this.contextRunner
			.withPropertyValues("resilience.circuitbreaker.instances.payments.sliding-window-size=20",
					"resilience.circuitbreaker.instances.payments.failure-rate-threshold=30",
					"resilience.circuitbreaker.instances.payments.wait-duration-in-open-state=5s",
					"resilience.circuitbreaker.instances.payments.record-exceptions=java.io.IOException")
			.run((context) -> {
				CircuitBreaker payments = context.getBean(CircuitBreakerRegistry.class).find("payments").orElseThrow();
				CircuitBreakerConfig config = payments.config();
				assertThat(config.slidingWindowSize()).isEqualTo(20);
				assertThat(config.failureRateThreshold()).isEqualTo(30f);
				assertThat(config.waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(5));
				assertThat(config.recordExceptions()).containsExactly(IOException.class);
				// Unset values keep the library defaults.
				assertThat(config.minimumNumberOfCalls())
					.isEqualTo(CircuitBreakerConfig.DEFAULT_MINIMUM_NUMBER_OF_CALLS);
			});
	}

	@Test
	void instancesInheritTheirBaseConfigWhichInheritsTheDefaultConfig() {
		this.contextRunner
			.withPropertyValues("resilience.circuitbreaker.configs.default.minimum-number-of-calls=7",
					"resilience.circuitbreaker.configs.shared.sliding-window-size=12",
					"resilience.circuitbreaker.instances.payments.base-config=shared",
					"resilience.circuitbreaker.instances.payments.failure-rate-threshold=25")
			.run((context) -> {
				CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
				CircuitBreakerConfig payments = registry.find("payments").orElseThrow().config();
				assertThat(payments.slidingWindowSize()).isEqualTo(12);
				assertThat(payments.minimumNumberOfCalls()).isEqualTo(7);
				assertThat(payments.failureRateThreshold()).isEqualTo(25f);
				// An instance nobody configured gets configs.default.
				assertThat(registry.instance("unconfigured").config().minimumNumberOfCalls()).isEqualTo(7);
			});
	}

	@Test
	void customizersApplyToTheirInstanceOnly() {
		this.contextRunner.withUserConfiguration(CustomizerConfiguration.class)
			.withPropertyValues("resilience.retry.instances.search.max-attempts=5")
			.run((context) -> {
				RetryRegistry registry = context.getBean(RetryRegistry.class);
				assertThat(registry.find("search").orElseThrow().config().maxAttempts()).isEqualTo(5);
				assertThat(registry.find("search").orElseThrow().config().retryOnResult()).isNotNull();
				assertThat(registry.instance("other").config().retryOnResult()).isNull();
			});
	}

	@Test
	void invalidValueFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-threshold=120")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.circuitbreaker.instances.payments.failure-rate-threshold")
				.hasMessageContaining("120"));
	}

	@Test
	void anAdaptiveBulkheadIsConfiguredByItsLimitProperties() {
		this.contextRunner
			.withPropertyValues("resilience.bulkhead.configs.default.limit-algorithm=gradient2",
					"resilience.bulkhead.instances.db.initial-limit=30",
					"resilience.bulkhead.instances.db.max-limit=60", "resilience.bulkhead.instances.db.rtt-tolerance=2",
					"resilience.bulkhead.instances.files.limit-algorithm=fixed",
					"resilience.bulkhead.instances.files.max-concurrent-calls=4")
			.run((context) -> {
				BulkheadRegistry registry = context.getBean(BulkheadRegistry.class);
				LimitConfig db = registry.find("db").orElseThrow().config().limit();
				assertThat(db.algorithm()).isEqualTo(LimitAlgorithm.GRADIENT2);
				assertThat(db.initialLimit()).isEqualTo(30);
				assertThat(db.maxLimit()).isEqualTo(60);
				assertThat(db.rttTolerance()).isEqualTo(2.0);
				BulkheadConfig files = registry.find("files").orElseThrow().config();
				assertThat(files.isAdaptive()).isFalse();
				assertThat(files.maxConcurrentCalls()).isEqualTo(4);
			});
	}

	@Test
	void aLimitSettingThatWouldBeIgnoredFailsStartupNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("resilience.bulkhead.instances.db.limit-algorithm=vegas",
					"resilience.bulkhead.instances.db.backoff-ratio=0.8")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageStartingWith("resilience.bulkhead.instances.db.backoff-ratio: invalid value '0.8': ")
				.hasMessageContaining("applies to limitAlgorithm aimd, not to vegas"));
		this.contextRunner
			.withPropertyValues("resilience.bulkhead.instances.db.limit-algorithm=aimd",
					"resilience.bulkhead.instances.db.max-concurrent-calls=10")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageStartingWith("resilience.bulkhead.instances.db.max-concurrent-calls: invalid value '10': "));
		this.contextRunner
			.withPropertyValues("resilience.bulkhead.instances.db.limit-algorithm=aimd",
					"resilience.bulkhead.instances.db.min-limit=50", "resilience.bulkhead.instances.db.max-limit=40")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageStartingWith("resilience.bulkhead.instances.db.max-limit: invalid value '40': "));
	}

	@Test
	void aRuleBetweenSettingsThatNamesNoSettingFirstStillFailsStartupNamingTheProperty() {
		// The core's message starts with "the time to refill the bucket": the setting at
		// fault is burst-capacity, whatever the message's first word is.
		this.contextRunner
			.withPropertyValues("resilience.ratelimiter.instances.api.limit-for-period=1",
					"resilience.ratelimiter.instances.api.limit-refresh-period=10000d",
					"resilience.ratelimiter.instances.api.burst-capacity=2")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageStartingWith("resilience.ratelimiter.instances.api.burst-capacity: invalid value '2': ")
				.hasMessageContaining("the time to refill the bucket (burstCapacity 2")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action())
					.isEqualTo("Update resilience.ratelimiter.instances.api.burst-capacity to a valid value.")));
	}

	@Test
	void anOutOfRangeValueFailsStartupWithThePropertyTheValueAndWhatToDo() {
		this.contextRunner.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-threshold=120")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessage(
						"resilience.circuitbreaker.instances.payments.failure-rate-threshold: invalid value '120.0': "
								+ "failureRateThreshold must be between 0.0 and 100.0 but was 120.0")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action()).isEqualTo(
						"Update resilience.circuitbreaker.instances.payments.failure-rate-threshold to a valid value.")));
	}

	@Test
	void aDurationAboveItsMaximumFailsStartupNamingThePropertyTheValueAndTheMaximum() {
		this.contextRunner.withPropertyValues("resilience.timeout.instances.quotes.timeout-duration=99999999999d")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.timeout.instances.quotes.timeout-duration")
				.hasMessageContaining("must be at most PT24H but was PT2399999999976H"));
		this.contextRunner.withPropertyValues("resilience.ratelimiter.configs.default.timeout-duration=2d")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.ratelimiter.configs.default.timeout-duration")
				.hasMessageContaining("must be at most PT24H but was PT48H"));
	}

	@Test
	void aRedisBackendTimeoutOutOfRangeFailsStartupEvenWithoutRedis() {
		this.contextRunner.withPropertyValues("resilience.ratelimiter.instances.api.backend-timeout=99999999999d")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.ratelimiter.instances.api.backend-timeout")
				.hasMessageContaining("must be at most PT24H but was PT2399999999976H"));
		this.contextRunner.withPropertyValues("resilience.ratelimiter.configs.shared.backend-timeout=0ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.ratelimiter.configs.shared.backend-timeout")
				.hasMessageContaining("must be greater than zero but was PT0S"));
	}

	@Test
	void unknownBaseConfigFailsStartup() {
		this.contextRunner.withPropertyValues("resilience.retry.instances.search.base-config=missing")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.retry.instances.search.base-config")
				.hasMessageContaining("no config named 'missing'"));
	}

	@Test
	void baseConfigCycleFailsStartup() {
		this.contextRunner
			.withPropertyValues("resilience.retry.configs.a.base-config=b", "resilience.retry.configs.b.base-config=a")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("cycle"));
	}

	@Test
	void misspelledPropertyFailsStartupInsteadOfBeingIgnored() {
		this.contextRunner.withPropertyValues("resilience.circuitbreaker.instances.payments.failure-rate-treshold=20")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(
						org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException.class)
				.rootCause()
				.hasMessageContaining("failure-rate-treshold"));
	}

	@Test
	void unknownExceptionClassFailsStartup() {
		this.contextRunner
			.withPropertyValues(
					"resilience.circuitbreaker.instances.payments.record-exceptions=com.example.NoSuchException")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("resilience.circuitbreaker.instances.payments.record-exceptions")
				.hasRootCauseInstanceOf(ClassNotFoundException.class));
	}

	@Test
	void classThatIsNotAnExceptionFailsStartup() {
		this.contextRunner.withPropertyValues("resilience.retry.instances.search.retry-exceptions=java.lang.String")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("resilience.retry.instances.search.retry-exceptions[0]")
				.hasMessageContaining("java.lang.String"));
	}

	/**
	 * Loads the starter's classes itself, from the same class files, and hides Reactor
	 * and Reactive Streams; every other class comes from the parent.
	 */
	static final class WithoutReactorClassLoader extends ClassLoader {

		private final String[] hidden;

		WithoutReactorClassLoader(ClassLoader parent) {
			this(parent, "reactor.", "org.reactivestreams.");
		}

		WithoutReactorClassLoader(ClassLoader parent, String... hidden) {
			super("without-reactor", parent);
			this.hidden = hidden;
		}

		private boolean hides(String name) {
			for (String prefix : this.hidden) {
				if (name.startsWith(prefix)) {
					return true;
				}
			}
			return false;
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			synchronized (getClassLoadingLock(name)) {
				if (hides(name)) {
					throw new ClassNotFoundException(name + " is hidden");
				}
				if (!name.startsWith("dev.resilience.boot.")) {
					return super.loadClass(name, resolve);
				}
				Class<?> loaded = findLoadedClass(name);
				if (loaded == null) {
					loaded = defineFromParent(name);
				}
				if (resolve) {
					resolveClass(loaded);
				}
				return loaded;
			}
		}

		private Class<?> defineFromParent(String name) throws ClassNotFoundException {
			try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
				if (in == null) {
					throw new ClassNotFoundException(name);
				}
				byte[] bytes = in.readAllBytes();
				return defineClass(name, bytes, 0, bytes.length);
			}
			catch (IOException ex) {
				throw new ClassNotFoundException(name, ex);
			}
		}

	}

	/** A Mono method, which needs resilience-reactor's operators. */
	public static class MonoService {

		@Retry(name = "flaky")
		public Mono<String> get() {
			return Mono.just("value");
		}

	}

	/** Fails the first call of each method, so that the second one shows a retry. */
	public static class ReactorFreeService implements Callable<String>, Supplier<CompletableFuture<String>> {

		private final AtomicInteger syncAttempts = new AtomicInteger();

		private final AtomicInteger asyncAttempts = new AtomicInteger();

		@Override
		@Retry(name = "flaky")
		public String call() {
			int attempt = this.syncAttempts.incrementAndGet();
			if (attempt == 1) {
				throw new IllegalStateException("first attempt");
			}
			return "sync, attempt " + attempt;
		}

		@Override
		@Retry(name = "flaky")
		public CompletableFuture<String> get() {
			int attempt = this.asyncAttempts.incrementAndGet();
			if (attempt == 1) {
				return CompletableFuture.failedFuture(new IllegalStateException("first attempt"));
			}
			return CompletableFuture.completedFuture("async, attempt " + attempt);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserRegistryConfiguration {

		final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

		@Bean
		CircuitBreakerRegistry userCircuitBreakerRegistry() {
			return this.registry;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		ConfigCustomizer<dev.resilience.retry.RetryConfig.Builder> searchRetry() {
			return ConfigCustomizer.retry("search", (builder) -> builder.retryOnResult((result) -> result == null));
		}

	}

}
