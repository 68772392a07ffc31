package dev.resilience.boot.autoconfigure;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import dev.resilience.core.InvalidSettingException;
import dev.resilience.core.Registry;
import org.jspecify.annotations.Nullable;

/**
 * Resolves one primitive's {@code configs} and {@code instances} at startup, once,
 * following {@code base-config} (an instance or config without one inherits
 * {@code configs.default}, which inherits the library defaults): the core configuration
 * (each settings record applied over the configuration it inherits, then the customizers
 * of each instance) and the starter's own settings, laid over the inherited ones the same
 * way. Every failure names the property at fault.
 *
 * @param <S> the settings record type
 * @param <C> the core configuration type
 * @param <B> the core builder type
 */
final class ConfigResolver<S extends SettingsRecord<B>, C, B> {

	private final String prefix;

	private final ResilienceProperties.Primitive<S> properties;

	private final Resolved<C> libraryDefaults;

	private final Function<C, B> from;

	private final Function<B, C> build;

	private final List<ConfigCustomizer<B>> customizers;

	private final Function<S, StarterSettings> starter;

	private final Map<String, Resolved<C>> configs = new LinkedHashMap<>();

	private final Map<String, ResolvedInstance<C>> instances = new LinkedHashMap<>();

	private ConfigResolver(String primitive, ResilienceProperties.Primitive<S> properties, C libraryDefaults,
			Function<C, B> from, Function<B, C> build, Function<S, StarterSettings> starter,
			List<ConfigCustomizer<B>> customizers) {
		this.starter = starter;
		this.prefix = "resilience." + primitive;
		this.properties = properties;
		this.libraryDefaults = new Resolved<>(libraryDefaults, StarterSettings.NONE);
		this.from = from;
		this.build = build;
		this.customizers = customizers;
	}

	/**
	 * Resolves every config and instance of one primitive.
	 * @param <S> the settings record type
	 * @param <C> the core configuration type
	 * @param <B> the core builder type
	 * @param primitive the primitive's property segment, such as {@code circuitbreaker}
	 * @param properties the primitive's properties
	 * @param libraryDefaults the core's default configuration
	 * @param from makes a builder pre-filled with a configuration
	 * @param build builds the configuration
	 * @param starter reads a settings record's starter settings
	 * @param customizers the customizers of this primitive's instances
	 * @return the resolved primitive
	 * @throws ResilienceConfigurationException if a value is rejected, a
	 * {@code base-config} names no config or the configs form a cycle
	 */
	static <S extends SettingsRecord<B>, C, B> ResolvedPrimitive<C> resolve(String primitive,
			ResilienceProperties.Primitive<S> properties, C libraryDefaults, Function<C, B> from, Function<B, C> build,
			Function<S, StarterSettings> starter, List<ConfigCustomizer<B>> customizers) {
		return new ConfigResolver<>(primitive, properties, libraryDefaults, from, build, starter, customizers)
			.resolve();
	}

	private ResolvedPrimitive<C> resolve() {
		for (String name : new TreeSet<>(this.properties.configs().keySet())) {
			resolveConfig(name, new ArrayDeque<>());
		}
		Resolved<C> defaults = this.configs.getOrDefault(Registry.DEFAULT_CONFIG, this.libraryDefaults);
		for (String name : new TreeSet<>(this.properties.instances().keySet())) {
			S settings = this.properties.instances().get(name);
			String path = this.prefix + ".instances." + name;
			Resolved<C> resolved = build(settings, base(name, settings, path, false, new ArrayDeque<>()), path,
					customizersOf(name));
			this.instances.put(name, ResolvedInstance.of(resolved.config, resolved.starter));
		}
		for (ConfigCustomizer<B> customizer : this.customizers) {
			// A customizer may name an instance that has no properties: it starts from
			// the default configuration.
			this.instances.computeIfAbsent(customizer.instanceName(), (name) -> {
				Resolved<C> resolved = build(null, defaults, this.prefix + ".instances." + name, customizersOf(name));
				return ResolvedInstance.of(resolved.config, resolved.starter);
			});
		}
		Map<String, C> configs = new LinkedHashMap<>();
		this.configs.forEach((name, resolved) -> configs.put(name, resolved.config));
		return new ResolvedPrimitive<>(configs, this.instances, ResolvedInstance.of(defaults.config, defaults.starter));
	}

	private Resolved<C> resolveConfig(String name, Deque<String> path) {
		Resolved<C> resolved = this.configs.get(name);
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

	private Resolved<C> base(String name, S settings, String property, boolean isConfig, Deque<String> path) {
		String base = settings.baseConfig();
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

	private Resolved<C> build(@Nullable S settings, Resolved<C> base, String property,
			List<ConfigCustomizer<B>> customizers) {
		B builder = this.from.apply(base.config);
		if (settings != null) {
			settings.applyTo(builder, property);
		}
		customizers.forEach((customizer) -> customizer.customize(builder));
		C config;
		try {
			config = this.build.apply(builder);
		}
		catch (InvalidSettingException ex) {
			// The core names the setting as its builder method; the property is the same
			// name in Spring's kebab-case form (SettingsRecordTests holds every
			// component to that).
			throw ResilienceConfigurationException.ofSetting(property, ex);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Not a setting the core names (a customizer's own check, say): the
			// instance or config as a whole.
			throw new ResilienceConfigurationException(property, String.valueOf(ex.getMessage()),
					"Update " + property + " so that its settings agree.");
		}
		StarterSettings starter = (settings != null) ? this.starter.apply(settings).over(base.starter) : base.starter;
		return new Resolved<>(config, starter);
	}

	/**
	 * Returns a builder setting's property name: {@code failureRateThreshold} is
	 * {@code failure-rate-threshold}.
	 * @param setting the setting, as the builder method spells it
	 * @return its kebab-case property name
	 */
	static String propertyName(String setting) {
		StringBuilder name = new StringBuilder(setting.length() + 8);
		for (int i = 0; i < setting.length(); i++) {
			char c = setting.charAt(i);
			if (Character.isUpperCase(c)) {
				name.append('-').append(Character.toLowerCase(c));
			}
			else {
				name.append(c);
			}
		}
		return name.toString();
	}

	private List<ConfigCustomizer<B>> customizersOf(String instanceName) {
		return this.customizers.stream().filter((c) -> c.instanceName().equals(instanceName)).toList();
	}

	/**
	 * A config resolved: its core configuration and its starter settings merged along its
	 * chain.
	 */
	private record Resolved<C>(C config, StarterSettings starter) {
	}

}
