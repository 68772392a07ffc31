package dev.resilience.boot.chaos;

/**
 * A chaos rule with a field that is wrong: named as a property ({@code latency-min},
 * under {@code resilience.chaos.rules.<rule>}) and as a field of the {@code chaos}
 * endpoint's body ({@code latencyMin}), with the value, what is wrong and what to do.
 */
public class InvalidChaosRuleException extends RuntimeException {

	private final String property;

	private final String field;

	private final String value;

	private final String problem;

	private final String action;

	InvalidChaosRuleException(String property, String field, String value, String problem, String action) {
		super(field + ": '" + value + "': " + problem + ". " + action, null, false, false);
		this.property = property;
		this.field = field;
		this.value = value;
		this.problem = problem;
		this.action = action;
	}

	/**
	 * Returns the field as a property, under {@code resilience.chaos.rules.<rule>}.
	 * @return the property's last part, such as {@code latency-min}
	 */
	public String property() {
		return this.property;
	}

	/**
	 * Returns the field as the endpoint's body names it.
	 * @return the field, such as {@code latencyMin}
	 */
	public String field() {
		return this.field;
	}

	/**
	 * Returns the value given.
	 * @return the value, {@code null} as the text {@code null}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Returns what is wrong with it.
	 * @return the problem
	 */
	public String problem() {
		return this.problem;
	}

	/**
	 * Returns what to do.
	 * @return the action
	 */
	public String action() {
		return this.action;
	}

}
