package dev.resilience.boot.logging;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * The lines written to {@link CircuitBreakerTransitionLog#LOGGER_NAME}, caught by a
 * Logback list appender for the duration of a test.
 */
final class LogLines implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger(CircuitBreakerTransitionLog.LOGGER_NAME);

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private final Level previousLevel = this.logger.getLevel();

	LogLines() {
		this.appender.start();
		this.logger.addAppender(this.appender);
		this.logger.setLevel(Level.INFO);
	}

	/** Every line so far, as {@code LEVEL message}. */
	List<String> lines() {
		synchronized (this.appender) {
			return this.appender.list.stream()
				.map((event) -> event.getLevel() + " " + event.getFormattedMessage())
				.toList();
		}
	}

	long count(String fragment) {
		return lines().stream().filter((line) -> line.contains(fragment)).count();
	}

	void setLevel(Level level) {
		this.logger.setLevel(level);
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.logger.setLevel(this.previousLevel);
		this.appender.stop();
	}

}
