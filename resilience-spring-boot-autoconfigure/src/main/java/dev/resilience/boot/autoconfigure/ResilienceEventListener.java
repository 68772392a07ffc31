package dev.resilience.boot.autoconfigure;

import dev.resilience.core.ResilienceEvent;

/**
 * Receives every event of every instance of every registry (circuit breakers, retries,
 * rate limiters, bulkheads, thread-pool bulkheads, timeouts), present and future: declare
 * it as a bean and the starter subscribes it to each instance when the instance is made
 * (or, for one made before the application's singletons exist, then), and drops the
 * subscription when the instance is removed.
 *
 * <pre class="code">
 * &#64;Bean
 * ResilienceEventListener auditLog() {
 *     return (event) -&gt; log.info("{} {} {}", event.primitive(), event.instanceName(), event.type());
 * }
 * </pre>
 * <p>
 * Events are delivered synchronously on the thread that caused them, often the thread of
 * the protected call: keep the listener short and never block in it. An instance creates
 * no event while nobody listens; a listener makes every instance create them. To follow
 * instances rather than their events, declare a {@link RegistryEventListener}.
 */
@FunctionalInterface
public interface ResilienceEventListener {

	/**
	 * Receives one event.
	 * @param event the event; its {@link ResilienceEvent#primitive()} tells the kind
	 */
	void onEvent(ResilienceEvent event);

}
