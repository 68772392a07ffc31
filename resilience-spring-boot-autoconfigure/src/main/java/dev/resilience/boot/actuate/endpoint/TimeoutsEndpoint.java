package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code timeouts} endpoint: every timeout with its counters and configuration
 * ({@code GET}), one by name ({@code GET /{name}}), and run-time changes ({@code POST
 * /{name}} with {@code timeoutDuration} and/or {@code cancelRunningFuture}).
 * <p>
 * A change is validated as the configuration builder validates (400 with its message,
 * nothing changed) and applied in place through
 * {@link TimeoutRegistry#replaceConfigIfPresent}: calls that start afterwards get the new
 * deadline, and the totals are kept. An unknown name answers 404 and creates nothing,
 * also when the timeout is removed while the change is made. Thread-safe.
 */
@WebEndpoint(id = "timeouts")
public final class TimeoutsEndpoint {

	private final TimeoutRegistry registry;

	private final Object writeLock = new Object();

	/**
	 * Creates the endpoint.
	 * @param registry the timeouts to show and steer
	 */
	public TimeoutsEndpoint(TimeoutRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Describes every timeout, ordered by name.
	 * @return the timeouts by name
	 */
	@ReadOperation
	public TimeoutsDescriptor timeouts() {
		Map<String, TimeoutDescriptor> byName = new LinkedHashMap<>();
		for (Timeout timeout : this.registry.all()) {
			byName.put(timeout.name(), describe(timeout));
		}
		return new TimeoutsDescriptor(byName);
	}

	/**
	 * Describes one timeout.
	 * @param name the timeout's name
	 * @return its description, or 404 if there is none of that name
	 */
	@ReadOperation
	public WebEndpointResponse<Object> timeout(@Selector String name) {
		return this.registry.find(name)
			.map((timeout) -> EndpointResponses.ok(describe(timeout)))
			.orElseGet(() -> notFound(name));
	}

	/**
	 * Changes a timeout's settings; those not given keep their value.
	 * @param name the timeout's name
	 * @param timeoutDuration how long a call may take ({@code "500ms"}, {@code "PT1S"},
	 * or milliseconds)
	 * @param cancelRunningFuture whether an asynchronous call's own future is cancelled
	 * at the deadline
	 * @return the timeout's new description; 404 for an unknown name; 400 for an invalid
	 * value or an empty change
	 */
	@WriteOperation
	public WebEndpointResponse<Object> update(@Selector String name, @Nullable String timeoutDuration,
			@Nullable String cancelRunningFuture) {
		synchronized (this.writeLock) {
			Optional<Timeout> found = this.registry.find(name);
			if (found.isEmpty()) {
				return notFound(name);
			}
			Timeout timeout = found.get();
			Optional<Timeout> changed;
			try {
				Duration duration = WriteArguments.duration(timeoutDuration, "timeoutDuration");
				Boolean cancel = WriteArguments.bool(cancelRunningFuture, "cancelRunningFuture");
				if (duration == null && cancel == null) {
					throw new InvalidInputException(
							"Give at least one of timeoutDuration, cancelRunningFuture in the request body");
				}
				TimeoutConfig.Builder builder = TimeoutConfig.from(timeout.config());
				if (duration != null) {
					builder.timeoutDuration(duration);
				}
				if (cancel != null) {
					builder.cancelRunningFuture(cancel);
				}
				changed = this.registry.replaceConfigIfPresent(name, builder.build());
			}
			catch (InvalidInputException | IllegalArgumentException ex) {
				return EndpointResponses.badRequest(ex.getMessage());
			}
			// Removed since it was found: 404, never a new timeout that no caller uses.
			return changed.map((current) -> EndpointResponses.ok(describe(current))).orElseGet(() -> notFound(name));
		}
	}

	private static WebEndpointResponse<Object> notFound(String name) {
		return EndpointResponses.notFound("No timeout named '" + name + "'");
	}

	private static TimeoutDescriptor describe(Timeout timeout) {
		Timeout.Metrics metrics = timeout.metrics();
		return new TimeoutDescriptor(timeout.name(), metrics.totalSuccessfulCalls(), metrics.totalFailedCalls(),
				metrics.totalTimedOutCalls(), ConfigDescriptions.of(timeout.config().describe()));
	}

	/**
	 * Every timeout.
	 *
	 * @param timeouts the timeouts by name, ordered by name
	 */
	public record TimeoutsDescriptor(Map<String, TimeoutDescriptor> timeouts) {
	}

	/**
	 * One timeout: its counts of calls by outcome (see {@link Timeout.Metrics}) and its
	 * configuration.
	 *
	 * @param name the name
	 * @param totalSuccessfulCalls calls that finished in time and returned
	 * @param totalFailedCalls calls that finished in time and threw
	 * @param totalTimedOutCalls calls cut off at the deadline
	 * @param config the configuration in force, by setting name
	 */
	public record TimeoutDescriptor(String name, long totalSuccessfulCalls, long totalFailedCalls,
			long totalTimedOutCalls, Map<String, Object> config) {
	}

}
