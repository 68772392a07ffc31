package dev.resilience.internal;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Logs a recurring failure of user code (a predicate that throws) at {@code WARNING} the
 * first time, with its stack trace, and at {@code DEBUG} after that, so that a broken
 * predicate on a busy instance is reported without flooding the log.
 * <p>
 * For the primitives; not meant for application code. Thread-safe: under a race the
 * warning may be logged more than once.
 */
public final class OnceWarning {

	// Only the flag per instance: the logger is the caller's (a static field), so that a
	// primitive holds no reference into the logging system's objects.
	private volatile boolean warned;

	/**
	 * Logs the failure.
	 * @param logger the logger
	 * @param message what failed, built only if logged
	 * @param failure the failure
	 */
	public void log(System.Logger logger, Supplier<String> message, Throwable failure) {
		Objects.requireNonNull(logger, "logger must not be null");
		if (!this.warned) {
			this.warned = true;
			logger.log(Level.WARNING, () -> message.get() + " (further failures are logged at DEBUG)", failure);
		}
		else {
			logger.log(Level.DEBUG, message, failure);
		}
	}

}
