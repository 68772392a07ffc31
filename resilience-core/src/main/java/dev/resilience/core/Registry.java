package dev.resilience.core;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * The named instances of one primitive and the named configurations they are made from.
 * <p>
 * {@link #instance(String)} gets or creates an instance, so every caller that names the
 * same instance shares it. {@link #replaceConfig(String, Object)} reconfigures an
 * instance in place (the same object, so whoever holds it sees the change) and keeps the
 * state that has meaning under the new configuration. Registry events let metrics and
 * health follow instances added, reconfigured and removed at run time.
 * <p>
 * Changes made at run time to an instance that should exist (an operator's write) use
 * {@link #replaceConfigIfPresent(String, Object)} or
 * {@link #updateIfPresent(String, Consumer)}: they never create an instance, and they are
 * atomic with respect to {@link #remove(String)}, so a change either finds the instance
 * registered and applies to it while it stays registered, or finds none and changes
 * nothing.
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
	 * Reconfigures the instance with this name in place, creating it (with
	 * {@code config}) if there is none: a way to declare an instance's configuration
	 * whether or not it exists yet. To change only an instance that exists, as an
	 * operator's run-time write must, use
	 * {@link #replaceConfigIfPresent(String, Object)}.
	 * <p>
	 * Not atomic with respect to {@link #remove(String)}: if the instance is removed
	 * concurrently, the instance returned may be the removed one.
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
	 * Reconfigures the instance with this name in place if there is one; never creates
	 * one. Atomic with respect to {@link #remove(String)} of that name: either the
	 * instance is registered, and is reconfigured before a concurrent removal can take it
	 * out, or it is not, and nothing changes. Publishes {@code REPLACED} (after the
	 * change) if the configuration changed.
	 * <p>
	 * The reconfiguration runs while that name's entry is held, so a slow
	 * {@link Policy#reconfigure} delays a concurrent removal or creation of that name
	 * (and possibly of another name that shares its slot in the map).
	 * @param name the instance name
	 * @param config the new configuration
	 * @return the reconfigured instance, or empty if there is none of that name
	 * @throws RuntimeException whatever the instance's {@code reconfigure} throws (for
	 * instance {@link IllegalArgumentException} for a change it cannot make); no event is
	 * published then
	 */
	public Optional<P> replaceConfigIfPresent(String name, C config) {
		Objects.requireNonNull(config, "config must not be null");
		boolean[] replaced = new boolean[1];
		Optional<P> result = updateIfPresent(name, (instance) -> {
			if (instance.config() != config) {
				instance.reconfigure(config);
				replaced[0] = true;
			}
		});
		if (replaced[0]) {
			// Published outside the entry's lock: a listener may use the registry.
			publish(RegistryEvent.Type.REPLACED, result.get());
		}
		return result;
	}

	/**
	 * Runs {@code update} on the instance with this name if there is one; never creates
	 * one. Atomic with respect to {@link #remove(String)} of that name: a concurrent
	 * removal waits until {@code update} has returned, so the update applies to an
	 * instance that is registered throughout; if there is none, {@code update} does not
	 * run. Publishes no event.
	 * <p>
	 * {@code update} runs on the calling thread while that name's entry is held: keep it
	 * short, and do not create or remove instances of this registry from it (nor from the
	 * listeners of the events it causes); {@link #find(String)} is fine.
	 * @param name the instance name
	 * @param update what to do with the instance (for instance a circuit breaker's state
	 * transition)
	 * @return the instance, or empty if there is none of that name
	 * @throws RuntimeException whatever {@code update} throws
	 */
	public Optional<P> updateIfPresent(String name, Consumer<? super P> update) {
		Objects.requireNonNull(name, "name must not be null");
		Objects.requireNonNull(update, "update must not be null");
		// computeIfPresent locks the name's entry for the duration of the function, and
		// remove(name) takes the same lock: the two serialize.
		P result = this.instances.computeIfPresent(name, (key, instance) -> {
			update.accept(instance);
			return instance;
		});
		return Optional.ofNullable(result);
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
