package dev.resilience.boot.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.RegistryEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

/*
 * Design.
 *
 * The part the meter binders share (ResilienceMeterBinder, Resilience4jMeterBinder): which
 * meters an instance gets is theirs; following the registries is this class's.
 *
 * Per (registry, meter registry) pair a Binding remembers, by instance name, the instance
 * and the meters made for it. It subscribes to the registry's events first and then binds
 * the instances already there, so an instance added in between is seen at least once;
 * binding is idempotent. add() binds only an instance that the registry still holds
 * (find(name) is that very object), so an instance removed while the existing ones are
 * bound never keeps meters: either add() sees it gone, or REMOVED arrives after add() and
 * takes the meters away. A new instance under a removed one's name replaces the old
 * meters. Bindings are synchronized: registry events are rare (startup, run-time changes).
 */
/**
 * Follows registries on behalf of a meter binder: binds the meters the binder makes to
 * every instance of the registries, and to instances created later, and takes the meters
 * of removed instances away. Thread-safe.
 */
final class RegistryFollower implements AutoCloseable {

	/** Tag keys the binders set themselves; extra tags may not use them. */
	static final List<String> RESERVED_TAG_KEYS = List.of("name", "outcome", "state", "kind", "on_backend_failure");

	private final List<Source<?>> sources = new ArrayList<>();

	private final Tags tags;

	private final List<EventPublisher.Subscription> subscriptions = new ArrayList<>();

	/**
	 * Creates a follower whose meters all carry {@code tags}.
	 * @param tags extra tags for every meter
	 * @throws IllegalArgumentException if a tag key is one of {@link #RESERVED_TAG_KEYS}
	 */
	RegistryFollower(Map<String, String> tags) {
		for (String key : tags.keySet()) {
			if (RESERVED_TAG_KEYS.contains(key)) {
				throw new IllegalArgumentException(
						"tag '" + key + "' is set by the meters themselves (reserved: " + RESERVED_TAG_KEYS + ")");
			}
		}
		this.tags = Tags.of(tags.entrySet().stream().map((entry) -> Tag.of(entry.getKey(), entry.getValue())).toList());
	}

	/**
	 * Follows {@code registry} (if not {@code null}) with the meters {@code meters}
	 * makes; called before the first {@link #bindTo}.
	 * @param <P> the instance type
	 * @param registry the registry, or {@code null}
	 * @param meters what meters an instance gets
	 */
	<P extends Policy<?>> void follow(@Nullable Registry<P, ?> registry, InstanceMeters<P> meters) {
		if (registry != null) {
			this.sources.add(new Source<>(registry, meters));
		}
	}

	void bindTo(MeterRegistry meterRegistry) {
		Objects.requireNonNull(meterRegistry, "meterRegistry must not be null");
		for (Source<?> source : this.sources) {
			bind(source, meterRegistry);
		}
	}

	private <P extends Policy<?>> void bind(Source<P> source, MeterRegistry meterRegistry) {
		Binding<P> binding = new Binding<>(source, meterRegistry, this.tags);
		EventPublisher.Subscription subscription = source.registry.events().onEvent(binding::onEvent);
		synchronized (this.subscriptions) {
			this.subscriptions.add(subscription);
		}
		source.registry.all().forEach(binding::add);
	}

	/**
	 * Stops following the registries; meters already registered stay.
	 */
	@Override
	public void close() {
		synchronized (this.subscriptions) {
			this.subscriptions.forEach(EventPublisher.Subscription::close);
			this.subscriptions.clear();
		}
	}

	// No base units on counters and gauges: Prometheus would append them to the names.

	static <T> Meter counter(String name, String description, T instance, ToDoubleFunction<T> count, Tags tags,
			MeterRegistry registry) {
		return FunctionCounter.builder(name, instance, count).description(description).tags(tags).register(registry);
	}

	static <T> Meter gauge(String name, String description, T instance, ToDoubleFunction<T> value, Tags tags,
			MeterRegistry registry) {
		return Gauge.builder(name, instance, value).description(description).tags(tags).register(registry);
	}

	/**
	 * Makes the meters of one instance.
	 *
	 * @param <P> the instance type
	 */
	@FunctionalInterface
	interface InstanceMeters<P> {

		/**
		 * Registers the meters of {@code instance}.
		 * @param instance the instance
		 * @param tags the extra tags and {@code name}
		 * @param registry where to register them
		 * @return the meters registered, removed again with the instance
		 */
		List<Meter> register(P instance, Tags tags, MeterRegistry registry);

	}

	private record Source<P extends Policy<?>>(Registry<P, ?> registry, InstanceMeters<P> meters) {
	}

	private record Bound<P>(P instance, List<Meter> meters) {
	}

	/**
	 * One registry's instances bound to one meter registry.
	 *
	 * @param <P> the instance type
	 */
	private static final class Binding<P extends Policy<?>> {

		private final Source<P> source;

		private final MeterRegistry meterRegistry;

		private final Tags tags;

		private final Map<String, Bound<P>> bound = new HashMap<>();

		Binding(Source<P> source, MeterRegistry meterRegistry, Tags tags) {
			this.source = source;
			this.meterRegistry = meterRegistry;
			this.tags = tags;
		}

		void onEvent(RegistryEvent<P> event) {
			switch (event.type()) {
				case ADDED, REPLACED -> add(event.instance());
				case REMOVED -> remove(event.instance());
			}
		}

		synchronized void add(P instance) {
			String name = instance.name();
			if (this.source.registry.find(name).orElse(null) != instance) {
				return;
			}
			Bound<P> previous = this.bound.get(name);
			if (previous != null) {
				if (previous.instance == instance) {
					return;
				}
				unregister(previous);
			}
			List<Meter> meters = this.source.meters.register(instance, this.tags.and("name", name), this.meterRegistry);
			this.bound.put(name, new Bound<>(instance, meters));
		}

		synchronized void remove(P instance) {
			Bound<P> previous = this.bound.get(instance.name());
			if (previous != null && previous.instance == instance) {
				unregister(previous);
				this.bound.remove(instance.name());
			}
		}

		private void unregister(Bound<P> previous) {
			previous.meters.forEach(this.meterRegistry::remove);
		}

	}

}
