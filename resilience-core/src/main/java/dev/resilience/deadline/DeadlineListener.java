package dev.resilience.deadline;

/**
 * Told each time a call does not fit in what is left of its {@link Deadline}: cut under
 * {@link DeadlineMode#ENFORCE}, or let through under {@link DeadlineMode#OBSERVE}. Called
 * on the thread that found it, off the success path; must be fast, thread-safe and must
 * not throw (what it throws is ignored).
 */
@FunctionalInterface
public interface DeadlineListener {

	/** A listener that does nothing. */
	DeadlineListener NONE = (stage, instanceName, mode, remainingNanos) -> {
	};

	/**
	 * Called when a call does not fit.
	 * @param stage where the call met the deadline
	 * @param instanceName the name of the instance of that stage (the timeout's, the
	 * retry's, ...), or the pipeline's first instance for {@link DeadlineStage#CALL}
	 * @param mode whether the call was cut ({@code ENFORCE}) or let through
	 * @param remainingNanos what was left of the budget, zero or more
	 */
	void exceeded(DeadlineStage stage, String instanceName, DeadlineMode mode, long remainingNanos);

}
