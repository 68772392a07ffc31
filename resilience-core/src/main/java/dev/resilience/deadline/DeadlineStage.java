package dev.resilience.deadline;

/**
 * Where a call met the end of its deadline: the {@code stage} a
 * {@link DeadlineExceededException} and a {@link DeadlineListener} report, and the
 * {@code stage} tag of the {@code resilience.deadline.exceeded} meter.
 */
public enum DeadlineStage {

	/** The call was to start with no budget left. */
	CALL("call"),

	/** A retry's next attempt, or its wait before it, could not end in time. */
	RETRY("retry"),

	/** The call ran past the deadline, earlier than its own timeout. */
	TIMEOUT("timeout"),

	/** A rate limiter's wait for a permit could not end in time. */
	RATE_LIMITER("rate-limiter"),

	/** A bulkhead's wait for a place could not end in time. */
	BULKHEAD("bulkhead"),

	/**
	 * An outbound HTTP request was not sent: what is left of the budget, less the
	 * outbound margin, is nothing.
	 */
	HTTP_CLIENT("http-client");

	private final String value;

	DeadlineStage(String value) {
		this.value = value;
	}

	/**
	 * Returns the name users read: in exception messages, logs and the meter's
	 * {@code stage} tag.
	 * @return the name, such as {@code rate-limiter}
	 */
	public String value() {
		return this.value;
	}

}
