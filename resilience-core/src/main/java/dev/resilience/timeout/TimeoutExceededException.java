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

	/**
	 * Returns this timeout as a {@link java.util.concurrent.TimeoutException}, for code
	 * written against that type (a fallback migrated from Resilience4j's time limiter):
	 * same message, caused by this exception. A new exception on every call.
	 * @return the {@code TimeoutException}
	 */
	public java.util.concurrent.TimeoutException toTimeoutException() {
		java.util.concurrent.TimeoutException exception = new java.util.concurrent.TimeoutException(getMessage());
		exception.initCause(this);
		return exception;
	}

	@Override
	public boolean isRejection() {
		return false;
	}

}
