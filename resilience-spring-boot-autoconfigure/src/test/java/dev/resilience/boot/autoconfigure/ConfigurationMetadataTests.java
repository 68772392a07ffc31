package dev.resilience.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata names every key with a description, and its defaults are the core's:
 * the metadata cannot drift from the settings records or the library defaults.
 */
class ConfigurationMetadataTests {

	/** Defaults that depend on the machine, so the metadata gives none. */
	private static final Set<String> MACHINE_DEPENDENT = Set.of("core-thread-pool-size", "max-thread-pool-size");

	private static final List<Primitive> PRIMITIVES = List.of(
			new Primitive("circuitbreaker", ResilienceProperties.CircuitBreakerSettings.class,
					CircuitBreakerConfig.ofDefaults()),
			new Primitive("retry", ResilienceProperties.RetrySettings.class, RetryConfig.ofDefaults()),
			new Primitive("ratelimiter", ResilienceProperties.RateLimiterSettings.class,
					RateLimiterConfig.ofDefaults()),
			new Primitive("bulkhead", ResilienceProperties.BulkheadSettings.class, BulkheadConfig.ofDefaults()),
			new Primitive("thread-pool-bulkhead", ResilienceProperties.ThreadPoolBulkheadSettings.class,
					ThreadPoolBulkheadConfig.ofDefaults()),
			new Primitive("timeout", ResilienceProperties.TimeoutSettings.class, TimeoutConfig.ofDefaults()));

	@Test
	void everySettingIsDescribedWithTheCoreDefault() throws Exception {
		Map<String, Map<String, Object>> metadata = metadata();
		assertThat(metadata).containsKeys("resilience.enabled", "resilience.order", "resilience.metrics.enabled",
				"resilience.metrics.tags", "resilience.metrics.naming");
		for (Primitive primitive : PRIMITIVES) {
			assertThat(metadata).containsKeys("resilience." + primitive.name + ".configs",
					"resilience." + primitive.name + ".instances");
			for (RecordComponent component : primitive.settings.getRecordComponents()) {
				String key = ConfigResolver.propertyName(component.getName());
				String name = "resilience." + primitive.name + ".configs.default." + key;
				assertThat(metadata).as(name).containsKey(name);
				Map<String, Object> entry = metadata.get(name);
				assertThat((String) entry.get("description")).as(name + " description").isNotBlank();
				if (SettingsRecordTests.STARTER_SETTINGS.contains(component.getName())
						|| MACHINE_DEPENDENT.contains(key)) {
					continue;
				}
				// The bulkhead's limit settings are its LimitConfig's (algorithm() spells
				// limitAlgorithm).
				boolean limit = primitive.defaults instanceof BulkheadConfig
						&& SettingsRecordTests.BULKHEAD_LIMIT_SETTINGS.contains(component.getName());
				Object target = limit ? ((BulkheadConfig) primitive.defaults).limit() : primitive.defaults;
				String accessor = (limit && component.getName().equals("limitAlgorithm")) ? "algorithm"
						: component.getName();
				Object coreDefault = target.getClass().getMethod(accessor).invoke(target);
				assertDefault(name, entry.get("defaultValue"), coreDefault);
			}
		}
	}

	private static void assertDefault(String name, Object documented, Object core) {
		if (core == null || (core instanceof Collection<?> collection && collection.isEmpty())) {
			assertThat(documented).as(name + " has no default").isNull();
		}
		else if (core instanceof Duration duration) {
			assertThat(DurationStyle.detectAndParse(String.valueOf(documented))).as(name).isEqualTo(duration);
		}
		else if (core instanceof Enum<?> constant) {
			assertThat(documented).as(name).isEqualTo(constant.name().toLowerCase().replace('_', '-'));
		}
		else if (core instanceof Number number) {
			assertThat(((Number) documented).doubleValue()).as(name).isEqualTo(number.doubleValue());
		}
		else {
			assertThat(documented).as(name).isEqualTo(core);
		}
	}

	private static Map<String, Map<String, Object>> metadata() throws IOException {
		Map<String, Map<String, Object>> byName = new HashMap<>();
		for (URL url : Collections.list(ConfigurationMetadataTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				if (!json.contains("\"resilience.enabled\"")) {
					continue;
				}
				List<Map<String, Object>> properties = JsonPath.parse(json).read("$.properties[*]");
				for (Map<String, Object> entry : properties) {
					byName.put((String) entry.get("name"), entry);
				}
			}
		}
		return byName;
	}

	private record Primitive(String name, Class<? extends Record> settings, Object defaults) {
	}

}
