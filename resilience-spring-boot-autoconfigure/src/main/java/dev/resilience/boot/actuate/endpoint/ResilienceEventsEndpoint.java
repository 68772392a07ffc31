package dev.resilience.boot.actuate.endpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.resilience.bulkhead.BulkheadEvent;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.retry.RetryEvent;
import dev.resilience.timeout.TimeoutEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code resilienceevents} endpoint: the recent events of every instance of every
 * primitive, oldest first, from a bounded buffer per instance ({@link RecentEvents}),
 * filtered by the optional query parameters {@code primitive}, {@code name} and
 * {@code type}. An unknown primitive or type answers 400 with the known ones. Read-only.
 * Thread-safe.
 */
@WebEndpoint(id = "resilienceevents")
public final class ResilienceEventsEndpoint {

	/** The event types of each primitive, for validating the filters. */
	private static final Map<String, Set<String>> TYPES = Map.of("circuitbreaker",
			names(CircuitBreakerEvent.Type.values()), "retry", names(RetryEvent.Type.values()), "ratelimiter",
			names(RateLimiterEvent.Type.values()), "bulkhead", names(BulkheadEvent.Type.values()), "timeout",
			names(TimeoutEvent.Type.values()), "chaos", names(dev.resilience.chaos.ChaosEvent.Type.values()));

	private final RecentEvents recentEvents;

	/**
	 * Creates the endpoint.
	 * @param recentEvents the buffer of recent events
	 */
	public ResilienceEventsEndpoint(RecentEvents recentEvents) {
		this.recentEvents = recentEvents;
	}

	/**
	 * Lists the recent events that match every filter given, oldest first.
	 * @param primitive {@code circuitbreaker}, {@code retry}, {@code ratelimiter},
	 * {@code bulkhead} or {@code timeout} (case-insensitive), or {@code null} for all
	 * @param name an instance name, or {@code null} for all
	 * @param type an event type such as {@code STATE_TRANSITION} (case-insensitive), or
	 * {@code null} for all
	 * @return the events; 400 for an unknown primitive or type
	 */
	@ReadOperation
	public WebEndpointResponse<Object> events(@Nullable String primitive, @Nullable String name,
			@Nullable String type) {
		String primitiveFilter = (primitive != null) ? primitive.trim().toLowerCase(Locale.ROOT) : null;
		String typeFilter = (type != null) ? type.trim().toUpperCase(Locale.ROOT).replace('-', '_') : null;
		if (primitiveFilter != null && !TYPES.containsKey(primitiveFilter)) {
			return EndpointResponses.badRequest(
					"primitive must be one of " + new TreeSet<>(TYPES.keySet()) + " but was '" + primitive + "'");
		}
		if (typeFilter != null) {
			Set<String> known = (primitiveFilter != null) ? TYPES.get(primitiveFilter) : allTypes();
			if (!known.contains(typeFilter)) {
				return EndpointResponses.badRequest("type must be one of " + new TreeSet<>(known)
						+ ((primitiveFilter != null) ? " for " + primitiveFilter : "") + " but was '" + type + "'");
			}
		}
		List<EventDescriptor> events = this.recentEvents.events(primitiveFilter, name, typeFilter)
			.stream()
			.map(ResilienceEventsEndpoint::describe)
			.toList();
		return EndpointResponses.ok(new EventsDescriptor(events));
	}

	private static EventDescriptor describe(RecordedEvent event) {
		return new EventDescriptor(event.primitive, event.name, event.type.name(), event.timestamp.toString(),
				event.details());
	}

	private static Set<String> names(Enum<?>[] constants) {
		return Set.copyOf(Arrays.stream(constants).map(Enum::name).toList());
	}

	private static Set<String> allTypes() {
		Set<String> all = new TreeSet<>();
		TYPES.values().forEach(all::addAll);
		return all;
	}

	/**
	 * The recent events.
	 *
	 * @param events the events, oldest first
	 */
	public record EventsDescriptor(List<EventDescriptor> events) {
	}

	/**
	 * One event.
	 *
	 * @param primitive the primitive that published it ({@code circuitbreaker},
	 * {@code retry}, {@code ratelimiter}, {@code bulkhead}, {@code timeout})
	 * @param name the instance's name
	 * @param type the event's type, a constant of the primitive's event {@code Type}
	 * @param timestamp when it was received, ISO-8601 in UTC
	 * @param details what the event says beyond that, by name: {@code fromState},
	 * {@code toState}, {@code duration}, {@code attempt}, {@code wait}, {@code permits},
	 * {@code bulkheadType}, {@code failure} ({@code type} and {@code message}), each only
	 * where it applies
	 */
	public record EventDescriptor(String primitive, String name, String type, String timestamp,
			Map<String, Object> details) {
	}

}
