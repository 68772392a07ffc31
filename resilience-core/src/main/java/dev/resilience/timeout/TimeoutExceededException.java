package dev.resilience.timeout;

import java.time.Duration;

import dev.resilience.core.ResilienceException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a call did not finish within its timeout. Not a rejection: the call ran,
 * and a retry retries it by default.
 */
public class TimeoutExceededException extends ResilienceException {

	private final Duration timeoutDuration;

	/**
	 * Creates the exception.
	 * @param instanceName the timeout's name
	 * @param timeoutDuration the duration that was exceeded
	 * @param cause what the interrupted call threw, or {@code null}
	 */
	public TimeoutExceededException(String instanceName, Duration timeoutDuration, @Nullable Throwable cause) {
		super("Timeout '" + instanceName + "': call did not finish within " + timeoutDuration, instanceName, true,
				cause);
		this.timeoutDuration = timeoutDuration;
	}

	/**
	 * Returns the duration that was exceeded.
	 * @return the timeout duration
	 */
	public Duration timeoutDuration() {
		return this.timeoutDuration;
	}

	@Override
	public boolean isRejection() {
		return false;
	}

}
