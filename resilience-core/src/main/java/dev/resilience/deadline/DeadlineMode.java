package dev.resilience.deadline;

/**
 * What the stages of a pipeline do when a call does not fit in what is left of the
 * current {@link Deadline}.
 */
public enum DeadlineMode {

	/**
	 * Nothing is cut: every call that would have been is reported to the
	 * {@link DeadlineListener} and goes on as without a deadline. For rolling deadlines
	 * out: watch what enforcing would cut before it does.
	 */
	OBSERVE,

	/**
	 * Calls that do not fit are cut: a timeout is shortened to the time left, a retry
	 * stops, a wait that cannot end in time is refused, and a call whose budget is gone
	 * fails at once with a {@link DeadlineExceededException}.
	 */
	ENFORCE

}
