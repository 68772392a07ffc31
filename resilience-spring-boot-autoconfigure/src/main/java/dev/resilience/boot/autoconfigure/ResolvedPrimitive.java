package dev.resilience.boot.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One primitive's configs and instances, resolved once at startup
 * ({@link ResilienceConfigurations}): what each instance named in the properties (or by a
 * {@link ConfigCustomizer}) gets, and what every other instance gets (the
 * {@code configs.default} resolution), so that an instance made later by an annotation or
 * an endpoint reads the same settings it would have read from the properties.
 * <p>
 * Immutable; {@link #instance(String)} is one map look-up.
 *
 * @param <C> the core configuration type
 */
public final class ResolvedPrimitive<C> {

	private final Map<String, C> configs;

	private final Map<String, ResolvedInstance<C>> instances;

	private final ResolvedInstance<C> defaults;

	ResolvedPrimitive(Map<String, C> configs, Map<String, ResolvedInstance<C>> instances,
			ResolvedInstance<C> defaults) {
		// Ordered as resolved (by name), so that instances are created in a stable order.
		this.configs = Collections.unmodifiableMap(new LinkedHashMap<>(configs));
		this.instances = Collections.unmodifiableMap(new LinkedHashMap<>(instances));
		this.defaults = defaults;
	}

	/**
	 * Returns the settings of the instance of this name: its own if the properties or a
	 * customizer name it, else those of an instance that is not configured.
	 * @param name the instance name
	 * @return the resolved settings, never {@code null}
	 */
	public ResolvedInstance<C> instance(String name) {
		return this.instances.getOrDefault(name, this.defaults);
	}

	/**
	 * Returns the settings of an instance that is not configured: {@code configs.default}
	 * resolved, else the library defaults.
	 * @return the default settings
	 */
	public ResolvedInstance<C> defaults() {
		return this.defaults;
	}

	/**
	 * Returns every named configuration's core configuration, resolved.
	 * @return the configurations by name; unmodifiable
	 */
	public Map<String, C> configs() {
		return this.configs;
	}

	/**
	 * Returns every configured (or customized) instance's settings.
	 * @return the settings by instance name; unmodifiable
	 */
	public Map<String, ResolvedInstance<C>> instances() {
		return this.instances;
	}

}
