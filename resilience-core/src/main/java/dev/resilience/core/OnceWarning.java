package dev.resilience.core;

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

	private final System.Logger logger;

	private volatile boolean warned;

	/**
	 * Creates a warning that logs through {@code logger}.
	 * @param logger the logger
	 */
	public OnceWarning(System.Logger logger) {
		this.logger = Objects.requireNonNull(logger, "logger must not be null");
	}

	/**
	 * Logs the failure.
	 * @param message what failed, built only if logged
	 * @param failure the failure
	 */
	public void log(Supplier<String> message, Throwable failure) {
		if (!this.warned) {
			this.warned = true;
			this.logger.log(Level.WARNING, () -> message.get() + " (further failures are logged at DEBUG)", failure);
		}
		else {
			this.logger.log(Level.DEBUG, message, failure);
		}
	}

}
