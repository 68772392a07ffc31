package dev.resilience.boot.actuate.endpoint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code circuitbreakers} endpoint: every circuit breaker with its state, figures and
 * configuration ({@code GET}), one by name ({@code GET /{name}}), and manual state
 * transitions and resets ({@code POST /{name}} with {@code {"state": "FORCED_OPEN"}} or
 * {@code {"reset": true}}).
 * <p>
 * An unknown name answers 404 and never creates a circuit breaker; a body that names no
 * known state answers 400 with a message. A change is applied through
 * {@link CircuitBreakerRegistry#updateIfPresent}, so a breaker removed while the change
 * is made is not changed and the answer is 404. Thread-safe.
 */
@WebEndpoint(id = "circuitbreakers")
public final class CircuitBreakersEndpoint {

	private static final String STATES = Arrays.toString(CircuitBreaker.State.values());

	private final CircuitBreakerRegistry registry;

	/**
	 * Creates the endpoint.
	 * @param registry the circuit breakers to show and steer
	 */
	public CircuitBreakersEndpoint(CircuitBreakerRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Describes every circuit breaker, ordered by name.
	 * @return the circuit breakers by name
	 */
	@ReadOperation
	public CircuitBreakersDescriptor circuitBreakers() {
		Map<String, CircuitBreakerDescriptor> byName = new LinkedHashMap<>();
		for (CircuitBreaker breaker : this.registry.all()) {
			byName.put(breaker.name(), describe(breaker));
		}
		return new CircuitBreakersDescriptor(byName);
	}

	/**
	 * Describes one circuit breaker.
	 * @param name the circuit breaker's name
	 * @return its description, or 404 if there is none of that name
	 */
	@ReadOperation
	public WebEndpointResponse<Object> circuitBreaker(@Selector String name) {
		return find(name).map((breaker) -> EndpointResponses.ok(describe(breaker))).orElseGet(() -> notFound(name));
	}

	/**
	 * Moves a circuit breaker to a state by hand (every transition is allowed; the new
	 * state starts with empty windows and the totals are kept), or resets it to
	 * {@code CLOSED} as if new (totals zeroed). The body gives exactly one of the two.
	 * @param name the circuit breaker's name
	 * @param state the target state, one of {@code CLOSED}, {@code OPEN},
	 * {@code HALF_OPEN}, {@code FORCED_OPEN}, {@code DISABLED} (case-insensitive)
	 * @param reset {@code true} to reset
	 * @return the circuit breaker's new description; 404 for an unknown name; 400 for a
	 * body that does not say what to do
	 */
	@WriteOperation
	public WebEndpointResponse<Object> update(@Selector String name, @Nullable String state, @Nullable String reset) {
		Optional<CircuitBreaker> found = find(name);
		if (found.isEmpty()) {
			return notFound(name);
		}
		Consumer<CircuitBreaker> change;
		try {
			Boolean resetRequested = WriteArguments.bool(reset, "reset");
			if (state != null && resetRequested != null) {
				throw new InvalidInputException("Give either \"state\" or \"reset\", not both");
			}
			if (resetRequested != null) {
				if (!resetRequested) {
					throw new InvalidInputException("reset must be true to reset the circuit breaker but was false");
				}
				change = CircuitBreaker::reset;
			}
			else if (state != null) {
				CircuitBreaker.State target = parseState(state);
				change = (breaker) -> breaker.transitionTo(target);
			}
			else {
				throw new InvalidInputException(
						"Give \"state\" (one of " + STATES + ") or \"reset\": true in the request body");
			}
		}
		catch (InvalidInputException ex) {
			return EndpointResponses.badRequest(ex.getMessage());
		}
		// Applied only while the breaker is registered: removed since it was found, it
		// answers 404 rather than a 200 about a breaker that is gone.
		return this.registry.updateIfPresent(name, change)
			.map((breaker) -> EndpointResponses.ok(describe(breaker)))
			.orElseGet(() -> notFound(name));
	}

	private Optional<CircuitBreaker> find(String name) {
		// find, never instance(name): asking about a name must not create a breaker.
		return this.registry.find(name);
	}

	private static CircuitBreaker.State parseState(String state) {
		String normalized = state.trim().toUpperCase(Locale.ROOT).replace('-', '_');
		for (CircuitBreaker.State candidate : CircuitBreaker.State.values()) {
			if (candidate.name().equals(normalized)) {
				return candidate;
			}
		}
		throw new InvalidInputException("state must be one of " + STATES + " but was '" + state + "'");
	}

	private static WebEndpointResponse<Object> notFound(String name) {
		return EndpointResponses.notFound("No circuit breaker named '" + name + "'");
	}

	private static CircuitBreakerDescriptor describe(CircuitBreaker breaker) {
		CircuitBreaker.Metrics metrics = breaker.metrics();
		return new CircuitBreakerDescriptor(breaker.name(), metrics.state().name(), metrics.failureRate(),
				metrics.slowCallRate(), metrics.bufferedCalls(), metrics.failedCalls(), metrics.slowCalls(),
				metrics.notPermittedCalls(), metrics.totalSuccessfulCalls(), metrics.totalFailedCalls(),
				metrics.totalIgnoredCalls(), metrics.totalNotPermittedCalls(), metrics.totalSlowCalls(),
				ConfigDescriptions.of(breaker.config().describe()));
	}

	/**
	 * Every circuit breaker.
	 *
	 * @param circuitBreakers the circuit breakers by name, ordered by name
	 */
	public record CircuitBreakersDescriptor(Map<String, CircuitBreakerDescriptor> circuitBreakers) {
	}

	/**
	 * One circuit breaker: its state, its figures (see {@link CircuitBreaker.Metrics})
	 * and its configuration.
	 *
	 * @param name the name
	 * @param state the state
	 * @param failureRate the failure rate in percent, or {@code -1} while the window
	 * holds fewer than {@code minimumNumberOfCalls} calls
	 * @param slowCallRate the slow-call rate in percent, or {@code -1}
	 * @param bufferedCalls the calls in the current state's window
	 * @param failedCalls the failed calls in the window
	 * @param slowCalls the slow calls in the window
	 * @param notPermittedCalls the calls rejected since the state was entered
	 * @param totalSuccessfulCalls successful calls since creation or reset
	 * @param totalFailedCalls failed calls since creation or reset
	 * @param totalIgnoredCalls calls whose exception was ignored, since creation or reset
	 * @param totalNotPermittedCalls rejected calls since creation or reset
	 * @param totalSlowCalls slow calls since creation or reset
	 * @param config the configuration in force, by setting name
	 */
	public record CircuitBreakerDescriptor(String name, String state, float failureRate, float slowCallRate,
			int bufferedCalls, int failedCalls, int slowCalls, long notPermittedCalls, long totalSuccessfulCalls,
			long totalFailedCalls, long totalIgnoredCalls, long totalNotPermittedCalls, long totalSlowCalls,
			Map<String, Object> config) {
	}

}
