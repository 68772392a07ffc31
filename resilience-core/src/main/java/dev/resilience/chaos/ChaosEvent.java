package dev.resilience.chaos;

import dev.resilience.core.ResilienceEvent;

/**
 * A fault a {@link Chaos} site injected into one call. Its instance name is the site's;
 * published only when someone listens. Immutable.
 */
public final class ChaosEvent extends ResilienceEvent {

	private final Type type;

	private final String rule;

	private final ChaosFault fault;

	ChaosEvent(String instanceName, Type type, String rule, ChaosFault fault) {
		super(instanceName);
		this.type = type;
		this.rule = rule;
		this.fault = fault;
	}

	@Override
	public String primitive() {
		return "chaos";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * Returns the name of the rule that affected the call.
	 * @return the rule's name
	 */
	public String rule() {
		return this.rule;
	}

	/**
	 * Returns what the rule did to the call.
	 * @return the fault
	 */
	public ChaosFault fault() {
		return this.fault;
	}

	@Override
	public String toString() {
		return super.toString() + " rule " + this.rule + " fault " + this.fault.value();
	}

	/**
	 * The kinds of chaos events.
	 */
	public enum Type {

		/** A rule affected a call. */
		CHAOS_INJECTED

	}

}
