package dev.resilience.chaos;

/**
 * What a {@link ChaosRule} does to a call it affects.
 */
public enum ChaosFault {

	/**
	 * The call is not made; the rule's exception is thrown (asynchronously: the call's
	 * future fails with it).
	 */
	EXCEPTION("exception"),

	/**
	 * The call is made after a wait, fixed or uniform between the rule's minimum and
	 * maximum; synchronously the caller's thread waits on the site's scheduler,
	 * asynchronously the call is started by a task scheduled there.
	 */
	LATENCY("latency"),

	/**
	 * The call is not made; the rule's result is returned instead.
	 */
	RESULT("result");

	private final String value;

	ChaosFault(String value) {
		this.value = value;
	}

	/**
	 * Returns the fault's word in configuration and in meter tags.
	 * @return {@code exception}, {@code latency} or {@code result}
	 */
	public String value() {
		return this.value;
	}

}
