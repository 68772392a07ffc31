package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration of an instance as a JSON object, from the core
 * configuration's own description ({@code describe()}, the one list of a primitive's
 * settings): one entry per setting, named exactly as the core setting (camelCase, as the
 * write operations' fields; the property {@code limit-for-period} is the setting
 * {@code limitForPeriod}). Durations are ISO-8601 strings ({@code PT0.5S}), enums their
 * names, exception types their class names. An unset optional setting is left out;
 * predicates set in code are left out.
 */
final class ConfigDescriptions {

	private ConfigDescriptions() {
	}

	/**
	 * Returns a configuration's settings as JSON values.
	 * @param settings what the configuration's {@code describe()} returns
	 * @return the JSON object
	 */
	static Map<String, Object> of(Map<String, Object> settings) {
		Map<String, Object> map = new LinkedHashMap<>();
		settings.forEach((name, value) -> map.put(name, json(value)));
		return map;
	}

	private static Object json(Object value) {
		if (value instanceof Duration duration) {
			return duration.toString();
		}
		if (value instanceof Enum<?> constant) {
			return constant.name();
		}
		if (value instanceof Class<?> type) {
			return type.getName();
		}
		if (value instanceof List<?> list) {
			List<Object> elements = new ArrayList<>(list.size());
			list.forEach((element) -> elements.add(json(element)));
			return elements;
		}
		return value;
	}

}
