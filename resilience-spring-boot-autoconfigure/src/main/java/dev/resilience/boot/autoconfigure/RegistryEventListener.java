package dev.resilience.boot.autoconfigure;

import dev.resilience.core.Policy;
import dev.resilience.core.RegistryEvent;

/**
 * Follows the instances of one registry: declare it as a bean, typed by the primitive,
 * and the starter subscribes it to that registry, so that it learns of every instance,
 * those made from the properties, by annotations or by the endpoints, before or after the
 * application started:
 *
 * <pre class="code">
 * &#64;Bean
 * RegistryEventListener&lt;CircuitBreaker&gt; breakerLog() {
 *     return (event) -&gt; {
 *         if (event.type() == RegistryEvent.Type.ADDED) {
 *             event.instance().events().onEvent((e) -&gt; log.info("{}", e));
 *         }
 *     };
 * }
 * </pre>
 * <p>
 * Once the application's singletons exist, the listener receives one
 * {@link RegistryEvent.Type#ADDED ADDED} for each instance the registry holds, then every
 * event of the registry: {@code ADDED} for an instance made later, {@code REPLACED} when
 * an instance is reconfigured (the same object, with its new configuration),
 * {@code REMOVED} when one is removed. Exactly one {@code ADDED} per instance, before any
 * other event of it; a {@code REMOVED} only for an instance it was told of. One
 * listener's events are delivered one at a time, on the thread that caused them (the
 * registry's own rule); listeners are subscribed in their {@code @Order}.
 * <p>
 * The type argument picks the registry: {@code CircuitBreaker}, {@code Retry},
 * {@code RateLimiter}, {@code Bulkhead}, {@code ThreadPoolBulkhead} or {@code Timeout}.
 * For every event of every instance of every kind, declare a
 * {@link ResilienceEventListener}. A listener that throws is logged and does not stop the
 * others.
 *
 * @param <P> the instance type
 */
@FunctionalInterface
public interface RegistryEventListener<P extends Policy<?>> {

	/**
	 * Receives one change to the registry's instances.
	 * @param event what happened, and to which instance
	 */
	void onEvent(RegistryEvent<P> event);

}
