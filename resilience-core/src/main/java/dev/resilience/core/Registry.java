package dev.resilience.core;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The named instances of one primitive and the named configurations they are made from.
 * <p>
 * {@link #instance(String)} gets or creates an instance, so every caller that names the
 * same instance shares it. {@link #replaceConfig(String, Object)} reconfigures an
 * instance in place (the same object, so whoever holds it sees the change) and keeps the
 * state that has meaning under the new configuration. Registry events let metrics and
 * health follow instances added, reconfigured and removed at run time.
 * <p>
 * Thread-safe. Each primitive has one concrete registry ({@code CircuitBreakerRegistry},
 * {@code RetryRegistry}, ...).
 *
 * @param <P> the instance type
 * @param <C> the configuration type
 */
public abstract class Registry<P extends Policy<C>, C> {

	/** The name of the configuration used when none is named. */
	public static final String DEFAULT_CONFIG = "default";

	private final ConcurrentMap<String, P> instances = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, C> configs = new ConcurrentHashMap<>();

	private final EventPublisher<RegistryEvent<P>> events = new EventPublisher<>();

	private final Ticker ticker;

	private final Scheduler scheduler;

	/**
	 * Creates a registry.
	 * @param defaultConfig the configuration of instances created without one
	 * @param ticker the time source handed to every instance
	 * @param scheduler the scheduler handed to every instance
	 */
	protected Registry(C defaultConfig, Ticker ticker, Scheduler scheduler) {
		this.configs.put(DEFAULT_CONFIG, Objects.requireNonNull(defaultConfig, "defaultConfig must not be null"));
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
	}

	/**
	 * Creates an instance; called at most once per name while it is registered.
	 * @param name the instance name
	 * @param config its configuration
	 * @param ticker the registry's ticker
	 * @param scheduler the registry's scheduler
	 * @return the new instance
	 */
	protected abstract P create(String name, C config, Ticker ticker, Scheduler scheduler);

	/**
	 * Returns the instance with this name, creating it with the default configuration if
	 * there is none.
	 * @param name the instance name
	 * @return the instance
	 */
	public P instance(String name) {
		return instance(name, defaultConfig());
	}

	/**
	 * Returns the instance with this name, creating it with the named configuration if
	 * there is none.
	 * @param name the instance name
	 * @param configName the name of a registered configuration
	 * @return the instance
	 * @throws IllegalArgumentException if no configuration has that name
	 */
	public P instance(String name, String configName) {
		C config = this.configs.get(configName);
		if (config == null) {
			throw new IllegalArgumentException("No configuration named '" + configName + "' (known: "
					+ new TreeSet<>(this.configs.keySet()) + ")");
		}
		return instance(name, config);
	}

	/**
	 * Returns the instance with this name, creating it with {@code config} if there is
	 * none. An existing instance keeps its own configuration.
	 * @param name the instance name
	 * @param config the configuration for a new instance
	 * @return the instance
	 */
	public P instance(String name, C config) {
		Objects.requireNonNull(name, "name must not be null");
		Objects.requireNonNull(config, "config must not be null");
		P existing = this.instances.get(name);
		if (existing != null) {
			return existing;
		}
		boolean[] created = new boolean[1];
		P result = this.instances.computeIfAbsent(name, (key) -> {
			created[0] = true;
			return create(key, config, this.ticker, this.scheduler);
		});
		if (created[0]) {
			publish(RegistryEvent.Type.ADDED, result);
		}
		return result;
	}

	/**
	 * Returns the instance with this name, if it exists; never creates one.
	 * @param name the instance name
	 * @return the instance, or empty
	 */
	public Optional<P> find(String name) {
		return Optional.ofNullable(this.instances.get(name));
	}

	/**
	 * Returns every instance, ordered by name.
	 * @return an immutable snapshot of the instances
	 */
	public Collection<P> all() {
		return List.copyOf(new TreeMap<>(this.instances).values());
	}

	/**
	 * Removes the instance with this name.
	 * @param name the instance name
	 * @return the removed instance, or empty if there was none
	 */
	public Optional<P> remove(String name) {
		P removed = this.instances.remove(name);
		if (removed != null) {
			publish(RegistryEvent.Type.REMOVED, removed);
		}
		return Optional.ofNullable(removed);
	}

	/**
	 * Reconfigures the instance with this name in place, creating it if there is none.
	 * @param name the instance name
	 * @param config the new configuration
	 * @return the instance
	 */
	public P replaceConfig(String name, C config) {
		P result = instance(name, config);
		if (result.config() != config) {
			result.reconfigure(config);
			publish(RegistryEvent.Type.REPLACED, result);
		}
		return result;
	}

	/**
	 * Registers a named configuration, replacing one of the same name.
	 * {@value #DEFAULT_CONFIG} replaces the default configuration.
	 * @param name the configuration name
	 * @param config the configuration
	 */
	public void addConfig(String name, C config) {
		this.configs.put(Objects.requireNonNull(name, "name must not be null"),
				Objects.requireNonNull(config, "config must not be null"));
	}

	/**
	 * Returns the named configuration, if registered.
	 * @param name the configuration name
	 * @return the configuration, or empty
	 */
	public Optional<C> config(String name) {
		return Optional.ofNullable(this.configs.get(name));
	}

	/**
	 * Returns the configuration of instances created without one.
	 * @return the default configuration
	 */
	public C defaultConfig() {
		return this.configs.get(DEFAULT_CONFIG);
	}

	/**
	 * Returns the publisher of this registry's events.
	 * @return the event publisher
	 */
	public EventPublisher<RegistryEvent<P>> events() {
		return this.events;
	}

	private void publish(RegistryEvent.Type type, P instance) {
		if (this.events.hasListeners()) {
			this.events.publish(new RegistryEvent<>(type, instance));
		}
	}

}
