package dev.resilience.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * What every settings record of {@link ResilienceProperties} does for the resolution: it
 * names its {@code base-config}, applies the core settings that are set to the core
 * builder with plain calls; each record also hands over the starter's own settings
 * ({@code starterSettings()}, package-private: {@link StarterSettings} is no API). A new
 * property is a record component plus one line in {@link #applyTo} (or in
 * {@code starterSettings()}); {@code SettingsRecordTests} fails for a component that
 * reaches neither.
 *
 * @param <B> the core configuration builder type
 */
interface SettingsRecord<B> {

	/**
	 * Returns the configuration these settings inherit from.
	 * @return the {@code base-config}, or {@code null} for {@code configs.default} (or
	 * the library defaults)
	 */
	@Nullable String baseConfig();

	/**
	 * Calls the builder method of each core setting that is set; leaves the others as the
	 * builder has them (inherited).
	 * @param builder the core configuration builder
	 * @param property these settings' property prefix, such as
	 * {@code resilience.retry.instances.search}, for errors
	 * @throws ResilienceConfigurationException if an exception list names a class that is
	 * not an exception
	 */
	void applyTo(B builder, String property);

}
