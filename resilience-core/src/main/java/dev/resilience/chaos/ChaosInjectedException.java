package dev.resilience.chaos;

import java.util.Objects;

/**
 * Marks an exception that a chaos fault threw. The exception thrown is the type the rule
 * configures (so that fallbacks chosen by type and the primitives' exception predicates
 * treat it as the real failure); an instance of this class is added to it as a suppressed
 * exception, which {@link Chaos#isInjected(Throwable)} looks for. It has no stack trace:
 * it is a mark, not a failure of its own.
 */
public class ChaosInjectedException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String rule;

	/**
	 * Creates the mark for an exception injected by a rule.
	 * @param rule the rule's name
	 */
	public ChaosInjectedException(String rule) {
		super("chaos: injected by rule '" + Objects.requireNonNull(rule, "rule must not be null") + "'", null, false,
				false);
		this.rule = rule;
	}

	/**
	 * Returns the name of the rule that injected the exception.
	 * @return the rule's name
	 */
	public String rule() {
		return this.rule;
	}

}
