package dev.resilience.boot.autoconfigure;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every component of every settings record reaches what it configures: a core setting the
 * built configuration (and its description, which the endpoints show), a starter setting
 * the resolved instance. Each record is filled with a value other than the default in
 * every component at once; a component someone adds and forgets to apply stays at its
 * default, and fails here.
 */
class SettingsRecordTests {

	/** The components that steer the starter: every {@link StarterSettings} one. */
	static final Set<String> STARTER_SETTINGS = Stream
		.concat(Stream.of("baseConfig"),
				Arrays.stream(StarterSettings.class.getRecordComponents()).map(RecordComponent::getName))
		.collect(Collectors.toUnmodifiableSet());

	@Test
	void everyCircuitBreakerSettingReachesTheConfiguration() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.CircuitBreakerSettings.class,
				ResilienceProperties.CircuitBreakerSettings::starterSettings, CircuitBreakerConfig.ofDefaults(),
				CircuitBreakerConfig::from, CircuitBreakerConfig.Builder::build);
	}

	@Test
	void everyRetrySettingReachesTheConfiguration() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.RetrySettings.class,
				ResilienceProperties.RetrySettings::starterSettings, RetryConfig.ofDefaults(), RetryConfig::from,
				RetryConfig.Builder::build);
	}

	@Test
	void everyRateLimiterSettingReachesTheConfigurationOrTheResolvedInstance() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.RateLimiterSettings.class,
				ResilienceProperties.RateLimiterSettings::starterSettings, RateLimiterConfig.ofDefaults(),
				RateLimiterConfig::from, RateLimiterConfig.Builder::build);
	}

	/**
	 * The bulkhead's limit components, checked per algorithm (they exclude each other).
	 */
	static final Set<String> BULKHEAD_LIMIT_SETTINGS = Set.of("limitAlgorithm", "initialLimit", "minLimit", "maxLimit",
			"backoffRatio", "timeout", "smoothing", "rttTolerance", "longWindow", "alpha", "beta");

	@Test
	void everyBulkheadSettingReachesTheConfiguration() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.BulkheadSettings.class,
				ResilienceProperties.BulkheadSettings::starterSettings, BulkheadConfig.ofDefaults(),
				BulkheadConfig::from, BulkheadConfig.Builder::build, BULKHEAD_LIMIT_SETTINGS);
	}

	@Test
	void everyBulkheadLimitSettingReachesTheLimitOfItsAlgorithm() {
		Set<String> reached = new java.util.HashSet<>();
		// AIMD: the range and its own settings.
		BulkheadConfig aimd = bulkhead(new ResilienceProperties.BulkheadSettings(null, null, null, null, null, null,
				dev.resilience.limit.LimitAlgorithm.AIMD, 30, 3, 90, 0.75, Duration.ofSeconds(3), null, null, null,
				null, null));
		assertThat(aimd.limit().algorithm()).isEqualTo(dev.resilience.limit.LimitAlgorithm.AIMD);
		assertThat(aimd.describe()).containsEntry("limitAlgorithm", "aimd")
			.containsEntry("initialLimit", 30)
			.containsEntry("minLimit", 3)
			.containsEntry("maxLimit", 90)
			.containsEntry("backoffRatio", 0.75)
			.containsEntry("timeout", Duration.ofSeconds(3));
		reached.addAll(aimd.describe().keySet());
		BulkheadConfig gradient = bulkhead(new ResilienceProperties.BulkheadSettings(null, null, null, null, null, null,
				dev.resilience.limit.LimitAlgorithm.GRADIENT2, null, null, null, null, null, 0.4, 2.0, 900, null,
				null));
		assertThat(gradient.describe()).containsEntry("limitAlgorithm", "gradient2")
			.containsEntry("smoothing", 0.4)
			.containsEntry("rttTolerance", 2.0)
			.containsEntry("longWindow", 900);
		reached.addAll(gradient.describe().keySet());
		BulkheadConfig vegas = bulkhead(new ResilienceProperties.BulkheadSettings(null, null, null, null, null, null,
				dev.resilience.limit.LimitAlgorithm.VEGAS, null, null, null, null, null, null, null, null, 4, 9));
		assertThat(vegas.describe()).containsEntry("limitAlgorithm", "vegas")
			.containsEntry("alpha", 4)
			.containsEntry("beta", 9);
		reached.addAll(vegas.describe().keySet());
		assertThat(reached).containsAll(BULKHEAD_LIMIT_SETTINGS);
	}

	private static BulkheadConfig bulkhead(ResilienceProperties.BulkheadSettings settings) {
		BulkheadConfig.Builder builder = BulkheadConfig.from(BulkheadConfig.ofDefaults());
		settings.applyTo(builder, "resilience.bulkhead.instances.x");
		return builder.build();
	}

	@Test
	void everyThreadPoolBulkheadSettingReachesTheConfiguration() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.ThreadPoolBulkheadSettings.class,
				ResilienceProperties.ThreadPoolBulkheadSettings::starterSettings, ThreadPoolBulkheadConfig.ofDefaults(),
				ThreadPoolBulkheadConfig::from, ThreadPoolBulkheadConfig.Builder::build);
	}

	@Test
	void everyTimeoutSettingReachesTheConfiguration() throws Exception {
		assertEveryComponentApplied(ResilienceProperties.TimeoutSettings.class,
				ResilienceProperties.TimeoutSettings::starterSettings, TimeoutConfig.ofDefaults(), TimeoutConfig::from,
				TimeoutConfig.Builder::build);
	}

	@Test
	void unsetComponentsLeaveTheInheritedValues() {
		RetryConfig base = RetryConfig.builder().maxAttempts(9).waitDuration(Duration.ofSeconds(2)).build();
		RetryConfig.Builder builder = RetryConfig.from(base);
		new ResilienceProperties.RetrySettings(null, 7, null, null, null, null, List.of(IOException.class), null, null,
				null, null, null)
			.applyTo(builder, "resilience.retry.configs.x");
		RetryConfig config = builder.build();
		assertThat(config.maxAttempts()).isEqualTo(7);
		assertThat(config.waitDuration()).isEqualTo(Duration.ofSeconds(2));
		assertThat(config.retryExceptions()).containsExactly(IOException.class);
	}

	@Test
	void aPropertyNameIsTheSettingInKebabCase() {
		assertThat(ConfigResolver.propertyName("waitDurationInOpenState")).isEqualTo("wait-duration-in-open-state");
		assertThat(ConfigResolver.propertyName("maxAttempts")).isEqualTo("max-attempts");
	}

	private static <S extends SettingsRecord<B>, C, B> void assertEveryComponentApplied(Class<S> type,
			Function<S, StarterSettings> starter, C defaults, Function<C, B> from, Function<B, C> build)
			throws Exception {
		assertEveryComponentApplied(type, starter, defaults, from, build, Set.of());
	}

	/**
	 * As above, leaving {@code elsewhere} unset: components another test checks (settings
	 * that exclude each other cannot all be set at once).
	 */
	@SuppressWarnings("unchecked")
	private static <S extends SettingsRecord<B>, C, B> void assertEveryComponentApplied(Class<S> type,
			Function<S, StarterSettings> starter, C defaults, Function<C, B> from, Function<B, C> build,
			Set<String> elsewhere) throws Exception {
		ResolvedInstance<C> starterDefaults = ResolvedInstance.of(defaults, StarterSettings.NONE);
		RecordComponent[] components = type.getRecordComponents();
		Map<String, Object> values = new LinkedHashMap<>();
		Object[] arguments = new Object[components.length];
		for (int i = 0; i < components.length; i++) {
			RecordComponent component = components[i];
			String name = component.getName();
			if (name.equals("baseConfig") || elsewhere.contains(name)) {
				continue;
			}
			Object defaultValue = STARTER_SETTINGS.contains(name) ? read(starterDefaults, name) : read(defaults, name);
			Object value = otherThan(defaultValue, component);
			assertThat(value).as(type.getSimpleName() + "." + name).isNotEqualTo(defaultValue);
			values.put(name, value);
			arguments[i] = value;
		}
		S settings = type
			.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
			.newInstance(arguments);
		B builder = from.apply(defaults);
		settings.applyTo(builder, "resilience.test.instances.x");
		C config = build.apply(builder);
		ResolvedInstance<C> resolved = ResolvedInstance.of(config, starter.apply(settings).over(StarterSettings.NONE));
		Map<String, Object> description = (Map<String, Object>) config.getClass().getMethod("describe").invoke(config);
		values.forEach((name, value) -> {
			String as = type.getSimpleName() + "." + name;
			if (STARTER_SETTINGS.contains(name)) {
				assertThat(read(resolved, name)).as(as).isEqualTo(value);
			}
			else {
				assertThat(read(config, name)).as(as).isEqualTo(value);
				assertThat(description).as(as + " described").containsEntry(name, value);
			}
		});
	}

	private static Object otherThan(Object defaultValue, RecordComponent component) {
		Class<?> type = component.getType();
		if (type == Integer.class) {
			return (Integer) defaultValue + 1;
		}
		if (type == Float.class) {
			float value = (Float) defaultValue;
			return (value >= 2) ? value - 1 : value + 0.5f;
		}
		if (type == Double.class) {
			double value = (Double) defaultValue;
			return (value >= 2) ? value - 1 : value + 0.5;
		}
		if (type == Boolean.class) {
			return !(Boolean) defaultValue;
		}
		if (type == Duration.class) {
			return (defaultValue != null) ? ((Duration) defaultValue).plusSeconds(1) : Duration.ofHours(20);
		}
		if (type.isEnum()) {
			Object[] constants = type.getEnumConstants();
			return constants[(((Enum<?>) defaultValue).ordinal() + 1) % constants.length];
		}
		if (type == List.class) {
			return List.of(IOException.class);
		}
		throw new AssertionError("no value other than the default for " + component + " of type " + type);
	}

	private static Object read(Object target, String name) {
		try {
			Method accessor = target.getClass().getMethod(name);
			return accessor.invoke(target);
		}
		catch (ReflectiveOperationException ex) {
			throw new AssertionError(target.getClass().getSimpleName() + " has no " + name, ex);
		}
	}

}
