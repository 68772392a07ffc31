package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.chaos.ChaosExperiments;
import dev.resilience.boot.chaos.InvalidChaosRuleException;
import dev.resilience.chaos.ChaosRuleConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code chaos} endpoint: the chaos experiments ({@code GET}), a rule created or
 * changed ({@code POST /{rule}}, validated: 400 naming the field, nothing changed) or
 * removed ({@code DELETE /{rule}}), and the kill switch ({@code POST} with
 * {@code {"enabled": false}}; {@code true} turns the rules back on).
 * <p>
 * Its default access is none, unlike the other endpoints: injecting faults into a running
 * application must be granted on purpose ({@code management.endpoint.chaos.access}). With
 * {@code resilience.chaos.enabled=false} it still answers {@code GET}, saying so, and
 * refuses every change (409). Thread-safe.
 */
@WebEndpoint(id = "chaos", defaultAccess = Access.NONE)
public final class ChaosEndpoint {

	private static final int CONFLICT = 409;

	private final @Nullable ChaosExperiments experiments;

	/**
	 * Creates the endpoint.
	 * @param experiments the experiments, or {@code null} when chaos is off
	 */
	public ChaosEndpoint(@Nullable ChaosExperiments experiments) {
		this.experiments = experiments;
	}

	/**
	 * Returns the master switch's state and every rule.
	 * @return {@code enabled} (chaos on and the kill switch not thrown) and the rules
	 */
	@ReadOperation
	public Map<String, Object> chaos() {
		Map<String, Object> body = new LinkedHashMap<>();
		ChaosExperiments experiments = this.experiments;
		body.put("enabled", experiments != null && experiments.isActive());
		Map<String, Object> rules = new LinkedHashMap<>();
		if (experiments != null) {
			experiments.rules().forEach((name, rule) -> rules.put(name, describe(rule)));
		}
		body.put("rules", rules);
		return body;
	}

	/**
	 * Throws the kill switch, or puts the rules back on.
	 * @param enabled {@code false} to stop every injection at once
	 * @return the new state; 400 for a value that is not a boolean; 409 to turn rules on
	 * while chaos is off
	 */
	@WriteOperation
	public WebEndpointResponse<Object> enabled(@Nullable String enabled) {
		Boolean value;
		try {
			value = WriteArguments.bool(enabled, "enabled");
		}
		catch (InvalidInputException ex) {
			return EndpointResponses.badRequest(ex.getMessage());
		}
		if (value == null) {
			return EndpointResponses.badRequest("Give enabled (true or false) in the request body");
		}
		ChaosExperiments experiments = this.experiments;
		if (experiments == null) {
			return value ? off() : EndpointResponses.ok(chaos());
		}
		experiments.active(value);
		return EndpointResponses.ok(chaos());
	}

	/**
	 * Creates a rule, or changes one: the fields given replace the rule's, the others
	 * keep their value.
	 * @param rule the rule's name
	 * @param target an instance name or {@code beanName.method}
	 * @param fault {@code exception}, {@code latency} or {@code result}
	 * @param rate the fraction of calls affected, 0.0 to 1.0
	 * @param enabled whether the rule injects
	 * @param exception the class name of the exception an {@code exception} fault throws
	 * @param message its message
	 * @param latency a {@code latency} fault's delay ({@code "500ms"}, {@code "PT1S"}, or
	 * milliseconds)
	 * @param latencyMin the shortest delay of a uniform range
	 * @param latencyMax the longest delay of a uniform range
	 * @param result the name of the {@code ChaosResult} bean of a {@code result} fault
	 * @return the rule; 400 naming the field that is wrong; 409 while chaos is off
	 */
	@WriteOperation
	public WebEndpointResponse<Object> rule(@Selector String rule, @Nullable String target, @Nullable String fault,
			@Nullable String rate, @Nullable String enabled, @Nullable String exception, @Nullable String message,
			@Nullable String latency, @Nullable String latencyMin, @Nullable String latencyMax,
			@Nullable String result) {
		ChaosExperiments experiments = this.experiments;
		if (experiments == null) {
			return off();
		}
		try {
			ChaosExperiments.Targeted existing = experiments.get(rule);
			ResilienceProperties.ChaosRuleSettings before = (existing != null) ? existing.settings()
					: new ResilienceProperties.ChaosRuleSettings(null, null, null, null, null, null, null, null, null,
							null);
			ResilienceProperties.ChaosRuleSettings after = new ResilienceProperties.ChaosRuleSettings(
					or(target, before.target()), or(fault, before.fault()), or(number(rate), before.rate()),
					or(WriteArguments.bool(enabled, "enabled"), before.enabled()), or(exception, before.exception()),
					or(message, before.message()), or(WriteArguments.duration(latency, "latency"), before.latency()),
					or(WriteArguments.duration(latencyMin, "latencyMin"), before.latencyMin()),
					or(WriteArguments.duration(latencyMax, "latencyMax"), before.latencyMax()),
					or(result, before.result()));
			return EndpointResponses.ok(describe(experiments.put(rule, after)));
		}
		catch (InvalidInputException ex) {
			return EndpointResponses.badRequest(ex.getMessage());
		}
		catch (InvalidChaosRuleException ex) {
			return EndpointResponses.badRequest(ex.getMessage());
		}
	}

	/**
	 * Removes a rule.
	 * @param rule the rule's name
	 * @return the experiments without it; 404 if there is none of that name
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> remove(@Selector String rule) {
		ChaosExperiments experiments = this.experiments;
		if (experiments == null || !experiments.remove(rule)) {
			return EndpointResponses.notFound("No chaos rule named '" + rule + "'");
		}
		return EndpointResponses.ok(chaos());
	}

	private static @Nullable Double number(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Double.valueOf(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidInputException("rate must be a number between 0.0 and 1.0 but was '" + value + "'");
		}
	}

	private static <T> @Nullable T or(@Nullable T given, @Nullable T before) {
		return (given != null) ? given : before;
	}

	private static WebEndpointResponse<Object> off() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", CONFLICT);
		body.put("error", "Conflict");
		body.put("message", "Chaos is off: set resilience.chaos.enabled=true (and, with resilience.chaos.profiles, "
				+ "activate one of them) to run experiments");
		return new WebEndpointResponse<>(body, CONFLICT);
	}

	private static Map<String, Object> describe(ChaosExperiments.Targeted rule) {
		ChaosRuleConfig config = rule.rule().config();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("target", rule.target());
		body.put("fault", config.fault().value());
		body.put("rate", config.rate());
		body.put("enabled", config.enabled());
		body.put("injections", rule.rule().injections());
		ResilienceProperties.ChaosRuleSettings settings = rule.settings();
		switch (config.fault()) {
			case EXCEPTION -> {
				body.put("exception", settings.exception());
				if (settings.message() != null) {
					body.put("message", settings.message());
				}
			}
			case LATENCY -> {
				Duration min = config.latencyMin();
				Duration max = config.latencyMax();
				if (min != null && min.equals(max)) {
					body.put("latency", min.toString());
				}
				else {
					body.put("latencyMin", String.valueOf(min));
					body.put("latencyMax", String.valueOf(max));
				}
			}
			case RESULT -> body.put("result", settings.result());
		}
		return body;
	}

}
