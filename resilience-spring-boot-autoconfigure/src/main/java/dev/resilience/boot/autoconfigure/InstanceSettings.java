package dev.resilience.boot.autoconfigure;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import dev.resilience.core.Registry;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a starter setting (one that steers the starter rather than a core
 * configuration, such as {@code register-health-indicator} or {@code backend}) for an
 * instance, the way every other setting is resolved: the instance's own value, then its
 * {@code base-config} chain, then {@code configs.default}. An instance that is not
 * configured takes {@code configs.default}.
 */
public final class InstanceSettings {

	private InstanceSettings() {
	}

	/**
	 * Resolves one setting of one instance.
	 * @param <S> the settings record type
	 * @param <T> the setting's type
	 * @param properties the primitive's properties
	 * @param baseConfig reads a settings record's {@code base-config}
	 * @param instance the instance name
	 * @param setting reads the setting from a settings record
	 * @param defaultValue the value when nothing sets it
	 * @return the setting's value
	 */
	public static <S, T> T resolve(ResilienceProperties.Primitive<S> properties,
			Function<S, @Nullable String> baseConfig, String instance, Function<S, @Nullable T> setting,
			T defaultValue) {
		S settings = properties.instances().get(instance);
		String next = null;
		if (settings != null) {
			T value = setting.apply(settings);
			if (value != null) {
				return value;
			}
			next = baseConfig.apply(settings);
		}
		next = (next != null) ? next : Registry.DEFAULT_CONFIG;
		// base-config cycles fail at startup; the set only guards against looping here.
		Set<String> seen = new HashSet<>();
		while (next != null && seen.add(next)) {
			S config = properties.configs().get(next);
			if (config == null) {
				break;
			}
			T value = setting.apply(config);
			if (value != null) {
				return value;
			}
			String base = baseConfig.apply(config);
			next = (base != null) ? base : (Registry.DEFAULT_CONFIG.equals(next) ? null : Registry.DEFAULT_CONFIG);
		}
		return defaultValue;
	}

}
