package dev.resilience.boot.deadline;

import java.time.Duration;

import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Logs each call that does not fit in its deadline at DEBUG on the logger
 * {@value #LOGGER_NAME}: cut under {@code enforce}, let through under {@code observe}.
 * Builds nothing unless DEBUG is on. Thread-safe.
 */
final class DeadlineLog implements DeadlineListener {

	/** The logger of the deadline integration. */
	static final String LOGGER_NAME = "dev.resilience.deadline";

	private final Log logger;

	DeadlineLog() {
		this(LogFactory.getLog(LOGGER_NAME));
	}

	DeadlineLog(Log logger) {
		this.logger = logger;
	}

	@Override
	public void exceeded(DeadlineStage stage, String instanceName, DeadlineMode mode, long remainingNanos) {
		if (this.logger.isDebugEnabled()) {
			this.logger.debug(((mode == DeadlineMode.ENFORCE) ? "Cut" : "Would have cut (observe mode)") + " a call at "
					+ stage.value() + " '" + instanceName + "': " + Duration.ofNanos(remainingNanos)
					+ " left of the request's deadline");
		}
	}

}
