package dev.resilience.boot.autoconfigure;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import dev.resilience.core.Registry;
import org.jspecify.annotations.Nullable;

/**
 * Resolves one primitive's {@code configs} and {@code instances} into core configurations
 * at startup, following {@code base-config} (an instance or config without one inherits
 * {@code configs.default}, which inherits the library defaults), then applies the
 * customizers of each instance. Every failure names the property at fault.
 *
 * @param <S> the settings record type
 * @param <C> the core configuration type
 * @param <B> the core builder type
 */
final class ConfigResolver<S extends Record, C, B> {

	private final String prefix;

	private final ResilienceProperties.Primitive<S> properties;

	private final C libraryDefaults;

	private final Function<C, B> from;

	private final Function<B, C> build;

	private final Function<S, @Nullable String> baseConfig;

	private final List<ConfigCustomizer<B>> customizers;

	private final Map<String, C> configs = new LinkedHashMap<>();

	private final Map<String, C> instances = new LinkedHashMap<>();

	ConfigResolver(String primitive, ResilienceProperties.Primitive<S> properties, C libraryDefaults,
			Function<C, B> from, Function<B, C> build, Function<S, @Nullable String> baseConfig,
			List<ConfigCustomizer<B>> customizers) {
		this.prefix = "resilience." + primitive;
		this.properties = properties;
		this.libraryDefaults = libraryDefaults;
		this.from = from;
		this.build = build;
		this.baseConfig = baseConfig;
		this.customizers = customizers;
		for (String name : new TreeSet<>(properties.configs().keySet())) {
			resolveConfig(name, new ArrayDeque<>());
		}
		for (String name : new TreeSet<>(properties.instances().keySet())) {
			S settings = properties.instances().get(name);
			String path = this.prefix + ".instances." + name;
			this.instances.put(name,
					build(settings, base(name, settings, path, false, new ArrayDeque<>()), path, customizersOf(name)));
		}
		for (ConfigCustomizer<B> customizer : customizers) {
			// A customizer may name an instance that has no properties: it starts from
			// the
			// default configuration.
			this.instances.computeIfAbsent(customizer.instanceName(),
					(name) -> build(null, defaultConfig(), this.prefix + ".instances." + name, customizersOf(name)));
		}
	}

	/**
	 * Returns the configuration of instances that name no configuration.
	 * @return {@code configs.default}, or the library defaults
	 */
	C defaultConfig() {
		C configured = this.configs.get(Registry.DEFAULT_CONFIG);
		return (configured != null) ? configured : this.libraryDefaults;
	}

	/**
	 * Returns every named configuration, resolved.
	 * @return the configurations by name
	 */
	Map<String, C> configs() {
		return this.configs;
	}

	/**
	 * Returns every configured (or customized) instance's configuration, resolved.
	 * @return the configurations by instance name
	 */
	Map<String, C> instances() {
		return this.instances;
	}

	private C resolveConfig(String name, Deque<String> path) {
		C resolved = this.configs.get(name);
		if (resolved != null) {
			return resolved;
		}
		String property = this.prefix + ".configs." + name;
		if (path.contains(name)) {
			throw new ResilienceConfigurationException(property + ".base-config",
					"base-config forms a cycle: " + String.join(" -> ", path) + " -> " + name,
					"Remove one base-config from the cycle.");
		}
		path.addLast(name);
		S settings = this.properties.configs().get(name);
		resolved = build(settings, base(name, settings, property, true, path), property, List.of());
		path.removeLast();
		this.configs.put(name, resolved);
		return resolved;
	}

	private C base(String name, S settings, String property, boolean isConfig, Deque<String> path) {
		String base = this.baseConfig.apply(settings);
		if (base != null) {
			if (!this.properties.configs().containsKey(base)) {
				throw new ResilienceConfigurationException(
						property + ".base-config", "no config named '" + base + "' (known: "
								+ new TreeSet<>(this.properties.configs().keySet()) + ")",
						"Define " + this.prefix + ".configs." + base + " or name an existing config.");
			}
			return resolveConfig(base, path);
		}
		boolean isDefault = isConfig && Registry.DEFAULT_CONFIG.equals(name);
		if (!isDefault && this.properties.configs().containsKey(Registry.DEFAULT_CONFIG)) {
			return resolveConfig(Registry.DEFAULT_CONFIG, path);
		}
		return this.libraryDefaults;
	}

	private C build(@Nullable S settings, C base, String property, List<ConfigCustomizer<B>> customizers) {
		B builder = this.from.apply(base);
		if (settings != null) {
			SettingsMapper.apply(settings, builder, property);
		}
		customizers.forEach((customizer) -> customizer.customize(builder));
		try {
			return this.build.apply(builder);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Cross-setting rules fail in build(); their messages start with the
			// setting's name.
			String message = String.valueOf(ex.getMessage());
			String setting = message.split(" ", 2)[0];
			String at = setting.matches("[a-z][A-Za-z]*") ? property + "." + SettingsMapper.kebab(setting) : property;
			throw new ResilienceConfigurationException(at, message,
					"Update " + property + " so that its settings agree.");
		}
	}

	private List<ConfigCustomizer<B>> customizersOf(String instanceName) {
		return this.customizers.stream().filter((c) -> c.instanceName().equals(instanceName)).toList();
	}

}
