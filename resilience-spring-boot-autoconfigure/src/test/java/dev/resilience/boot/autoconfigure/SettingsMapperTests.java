package dev.resilience.boot.autoconfigure;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class SettingsMapperTests {

	private static final Map<Class<? extends Record>, Class<?>> BUILDERS = Map.of(
			ResilienceProperties.CircuitBreakerSettings.class, CircuitBreakerConfig.Builder.class,
			ResilienceProperties.RetrySettings.class, RetryConfig.Builder.class,
			ResilienceProperties.RateLimiterSettings.class, RateLimiterConfig.Builder.class,
			ResilienceProperties.BulkheadSettings.class, BulkheadConfig.Builder.class,
			ResilienceProperties.ThreadPoolBulkheadSettings.class, ThreadPoolBulkheadConfig.Builder.class,
			ResilienceProperties.TimeoutSettings.class, TimeoutConfig.Builder.class);

	@Test
	void everySettingMapsOntoABuilderMethodOfTheSameName() {
		BUILDERS.forEach((settings, builder) -> {
			for (RecordComponent component : settings.getRecordComponents()) {
				if (!SettingsMapper.STARTER_SETTINGS.contains(component.getName())) {
					assertThatCode(() -> SettingsMapper.builderMethod(builder, component))
						.as(settings.getSimpleName() + "." + component.getName())
						.doesNotThrowAnyException();
				}
			}
		});
	}

	@Test
	void kebabCaseMatchesSpringsPropertyForm() {
		assertThat(SettingsMapper.kebab("waitDurationInOpenState")).isEqualTo("wait-duration-in-open-state");
		assertThat(SettingsMapper.kebab("maxAttempts")).isEqualTo("max-attempts");
	}

	@Test
	void appliesOnlyTheValuesThatAreSet() {
		RetryConfig.Builder builder = RetryConfig.builder();
		SettingsMapper.apply(
				new ResilienceProperties.RetrySettings(null, 7, null, null, null, null,
						List.of(java.io.IOException.class), null, null, null, null, null),
				builder, "resilience.retry.configs.x");
		RetryConfig config = builder.build();
		assertThat(config.maxAttempts()).isEqualTo(7);
		assertThat(config.waitDuration()).isEqualTo(RetryConfig.DEFAULT_WAIT_DURATION);
		assertThat(config.retryExceptions()).containsExactly(java.io.IOException.class);
	}

}
