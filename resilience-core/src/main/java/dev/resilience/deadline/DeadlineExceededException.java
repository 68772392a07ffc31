package dev.resilience.deadline;

import java.time.Duration;

import dev.resilience.core.ResilienceException;

/**
 * Thrown when a call is not started, or a wait not begun, because the request's
 * {@link Deadline} leaves too little time for it. A rejection: the call did not reach its
 * dependency, so nothing needs undoing, and a retry does not retry it. Created without a
 * stack trace, like every rejection (they come at high rates when a chain of services is
 * slow).
 */
public class DeadlineExceededException extends ResilienceException {

	private final DeadlineStage stage;

	private final Duration remaining;

	/**
	 * Creates the exception.
	 * @param instanceName the name of the instance whose stage refused the call
	 * @param stage the stage that refused it
	 * @param remaining what was left of the budget when it refused (zero or more)
	 */
	public DeadlineExceededException(String instanceName, DeadlineStage stage, Duration remaining) {
		super("Deadline exceeded: " + stage.value() + " '" + instanceName + "' refused the call with " + remaining
				+ " left of the request's budget", instanceName, false, null);
		this.stage = stage;
		this.remaining = remaining;
	}

	/**
	 * Returns the stage that refused the call.
	 * @return the stage
	 */
	public DeadlineStage stage() {
		return this.stage;
	}

	/**
	 * Returns what was left of the budget when the stage refused the call.
	 * @return the remaining budget, zero or more
	 */
	public Duration remaining() {
		return this.remaining;
	}

	@Override
	public boolean isRejection() {
		return true;
	}

}
