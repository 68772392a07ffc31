package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code resilience} endpoint: everything the dashboard shows, in one JSON document
 * ({@code GET /actuator/resilience}). Read-only; the changes go through the endpoints of
 * each primitive. The document is a public contract, described in
 * {@code docs/operations.md}. Thread-safe.
 */
@WebEndpoint(id = "resilience")
public final class ResilienceEndpoint {

	private final Clock clock;

	private final @Nullable String application;

	/**
	 * Creates the endpoint.
	 * @param clock the clock of the document's timestamp
	 * @param application the application's name ({@code spring.application.name}), or
	 * {@code null}
	 */
	public ResilienceEndpoint(Clock clock, @Nullable String application) {
		this.clock = clock;
		this.application = application;
	}

	/**
	 * Describes every instance of every primitive, with the samples and events newer than
	 * the ones the caller has.
	 * @param since the last sample the caller has, or {@code null} for all that are kept
	 * @param eventsSince the id of the last event the caller has, or {@code null} for the
	 * most recent ones
	 * @return the snapshot
	 */
	@ReadOperation
	public Snapshot snapshot(@Nullable Long since, @Nullable Long eventsSince) {
		return new Snapshot(this.application, this.clock.instant().toString(), List.of(), List.of(), List.of(),
				List.of(), List.of(), List.of(), List.of(), List.of(), Map.of());
	}

	/**
	 * The document (see {@code docs/operations.md}).
	 *
	 * @param application the application's name, or {@code null}
	 * @param timestamp when the snapshot was taken, ISO-8601 in UTC
	 * @param circuitBreakers the circuit breakers, by name
	 * @param retries the retries, by name
	 * @param rateLimiters the rate limiters, by name
	 * @param bulkheads the semaphore bulkheads, by name
	 * @param threadPoolBulkheads the thread-pool bulkheads, by name
	 * @param timeouts the timeouts, by name
	 * @param methods the annotated methods' latencies
	 * @param events the recent events, oldest first
	 * @param actions the endpoints the dashboard acts through, by id
	 */
	public record Snapshot(@Nullable String application, String timestamp, List<Object> circuitBreakers,
			List<Object> retries, List<Object> rateLimiters, List<Object> bulkheads, List<Object> threadPoolBulkheads,
			List<Object> timeouts, List<Object> methods, List<Object> events, Map<String, String> actions) {
	}

}
