package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.RegistryEvent;
import dev.resilience.core.ResilienceEvent;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Subscribes the {@link RegistryEventListener} and {@link ResilienceEventListener} beans
 * to the registries once every singleton exists (so that a listener may depend on a
 * registry without a cycle), and unsubscribes them when the context closes.
 * <p>
 * Design: each (listener, registry) pair is one {@link Follower}, which listens to the
 * registry first and then announces the instances already there. An instance added
 * between the two is seen twice, and one removed between them may be announced after its
 * removal; and the registry publishes outside its locks, so the {@code REMOVED} of an
 * instance can overtake its {@code ADDED} on another thread. So the follower keeps the
 * instances it announced and handles the registry's events and the announcement under one
 * lock: an instance is announced once, only while it is registered (checked under the
 * lock: its removal is published after it, and then waits for the lock), and a
 * {@code REMOVED} or {@code REPLACED} reaches the listener only for an instance it was
 * told of. The lock is held while the listener runs, so one listener's events come one at
 * a time; the registry publishes outside its own locks, so this cannot deadlock with it.
 * None of this is on the call path: registry events happen when instances are made,
 * reconfigured or removed.
 */
final class RegistryEventListeners implements SmartInitializingSingleton, DisposableBean {

	private static final System.Logger logger = System.getLogger(RegistryEventListeners.class.getName());

	private final Supplier<List<Binding<?>>> bindings;

	private final List<Follower<?>> followers = new ArrayList<>();

	/**
	 * Creates the subscriber.
	 * @param bindings the registries and their listeners, looked up once every singleton
	 * exists
	 */
	RegistryEventListeners(Supplier<List<Binding<?>>> bindings) {
		this.bindings = bindings;
	}

	/**
	 * One registry and the listeners of its instances.
	 *
	 * @param <P> the instance type
	 * @param registry the registry
	 * @param listeners the {@link RegistryEventListener} beans of its type, in order
	 * @param eventListeners the {@link ResilienceEventListener} beans, in order
	 */
	record Binding<P extends Policy<?>>(Registry<P, ?> registry, List<RegistryEventListener<P>> listeners,
			List<ResilienceEventListener> eventListeners) {
	}

	@Override
	public void afterSingletonsInstantiated() {
		for (Binding<?> binding : this.bindings.get()) {
			subscribe(binding);
		}
	}

	private <P extends Policy<?>> void subscribe(Binding<P> binding) {
		for (RegistryEventListener<P> listener : binding.listeners()) {
			this.followers.add(new Follower<>(binding.registry(), listener));
		}
		for (ResilienceEventListener listener : binding.eventListeners()) {
			this.followers.add(new Follower<>(binding.registry(), new InstanceEvents<>(listener)));
		}
	}

	@Override
	public void destroy() {
		this.followers.forEach(Follower::close);
		this.followers.clear();
	}

	/**
	 * Feeds one listener one registry's events, each instance announced exactly once.
	 */
	private static final class Follower<P extends Policy<?>> {

		private final Registry<P, ?> registry;

		private final RegistryEventListener<P> listener;

		// Guarded by this. Keyed by identity: a name may be removed and made again.
		private final Map<P, Boolean> announced = new IdentityHashMap<>();

		private final EventPublisher.Subscription subscription;

		private boolean closed;

		Follower(Registry<P, ?> registry, RegistryEventListener<P> listener) {
			this.registry = registry;
			this.listener = listener;
			// Listen first, then announce what is there: nothing added in between is
			// missed.
			this.subscription = registry.events().onEvent(this::onEvent);
			for (P instance : registry.all()) {
				announce(instance);
			}
		}

		private synchronized void announce(P instance) {
			// Still registered under its name: one removed since the snapshot is not
			// announced (its REMOVED, if delivered already, was dropped).
			if (!this.closed && registered(instance) && this.announced.put(instance, Boolean.TRUE) == null) {
				deliver(new RegistryEvent<>(RegistryEvent.Type.ADDED, instance));
			}
		}

		private synchronized void onEvent(RegistryEvent<P> event) {
			if (this.closed) {
				return;
			}
			boolean deliver = switch (event.type()) {
				// The registry publishes outside its locks, so the REMOVED of an instance
				// can come before its ADDED: one no longer registered is not announced
				// (its REMOVED was dropped, or will be).
				case ADDED ->
					registered(event.instance()) && this.announced.put(event.instance(), Boolean.TRUE) == null;
				case REPLACED -> this.announced.containsKey(event.instance());
				case REMOVED -> this.announced.remove(event.instance()) != null;
			};
			if (deliver) {
				deliver(event);
			}
		}

		private boolean registered(P instance) {
			return this.registry.find(instance.name()).orElse(null) == instance;
		}

		private void deliver(RegistryEvent<P> event) {
			try {
				this.listener.onEvent(event);
			}
			catch (RuntimeException ex) {
				logger.log(System.Logger.Level.WARNING, "A registry event listener failed on " + event.type() + " of '"
						+ event.instance().name() + "'; the other listeners still run", ex);
			}
		}

		synchronized void close() {
			this.closed = true;
			this.subscription.close();
			if (this.listener instanceof InstanceEvents<P> events) {
				events.close();
			}
			this.announced.clear();
		}

	}

	/**
	 * Subscribes a {@link ResilienceEventListener} to each instance a registry announces,
	 * and unsubscribes it from each one removed. Called under its follower's lock.
	 */
	private static final class InstanceEvents<P extends Policy<?>> implements RegistryEventListener<P> {

		private final ResilienceEventListener listener;

		private final Map<P, EventPublisher.Subscription> subscriptions = new IdentityHashMap<>();

		InstanceEvents(ResilienceEventListener listener) {
			this.listener = listener;
		}

		@Override
		public void onEvent(RegistryEvent<P> event) {
			switch (event.type()) {
				case ADDED ->
					this.subscriptions.put(event.instance(), event.instance().events().onEvent(this::deliver));
				case REMOVED -> {
					EventPublisher.Subscription subscription = this.subscriptions.remove(event.instance());
					if (subscription != null) {
						subscription.close();
					}
				}
				case REPLACED -> {
					// Same instance, same publisher: still subscribed.
				}
			}
		}

		private void deliver(ResilienceEvent event) {
			this.listener.onEvent(event);
		}

		void close() {
			this.subscriptions.values().forEach(EventPublisher.Subscription::close);
			this.subscriptions.clear();
		}

	}

}
