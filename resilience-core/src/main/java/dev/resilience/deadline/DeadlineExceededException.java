package dev.resilience.deadline;

import java.time.Duration;

import dev.resilience.core.ResilienceException;

/**
 * Thrown when the request's {@link Deadline} leaves too little time for a call.
 * <ul>
 * <li>Refused ({@link #isRejection()} {@code true}): the call was not started, or a wait
 * not begun, so it never reached its dependency; nothing needs undoing, and a retry does
 * not retry it.</li>
 * <li>Cut ({@link #isRejection()} {@code false}, {@link DeadlineStage#TIMEOUT}): the call
 * ran and was interrupted when the deadline came, earlier than its own timeout; the cause
 * is the timeout's {@link dev.resilience.timeout.TimeoutExceededException}. A circuit
 * breaker counts it as it counts a timeout.</li>
 * </ul>
 * Created without a stack trace, like every rejection (they come at high rates when a
 * chain of services is slow).
 */
public class DeadlineExceededException extends ResilienceException {

	private final DeadlineStage stage;

	private final Duration remaining;

	private final boolean rejection;

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
		this.rejection = true;
	}

	/**
	 * Creates the exception of a call that was cut when the deadline came.
	 * @param instanceName the name of the instance whose stage cut the call
	 * @param stage the stage that cut it
	 * @param cause what that stage threw when it cut the call
	 */
	public DeadlineExceededException(String instanceName, DeadlineStage stage, Throwable cause) {
		super("Deadline exceeded: " + stage.value() + " '" + instanceName
				+ "' cut the call when the request's budget ran out", instanceName, false, cause);
		this.stage = stage;
		this.remaining = Duration.ZERO;
		this.rejection = false;
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

	/**
	 * Tells whether the call was refused before it started (or before a wait), rather
	 * than cut while it ran.
	 * @return {@code true} if refused
	 */
	@Override
	public boolean isRejection() {
		return this.rejection;
	}

}
