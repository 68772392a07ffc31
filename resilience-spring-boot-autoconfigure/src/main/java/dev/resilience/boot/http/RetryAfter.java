package dev.resilience.boot.http;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code Retry-After} header (RFC 9110 section 10.2.3): a number of seconds, or
 * an HTTP date. Read only on a 429 or 503 that is to be retried, never on the success
 * path.
 */
final class RetryAfter {

	static final String HEADER = "Retry-After";

	private RetryAfter() {
	}

	/**
	 * Returns the wait a response asks for.
	 * @param status the response's status
	 * @param value the header's value, or {@code null}
	 * @param clock the wall clock an HTTP date is measured against
	 * @return the wait in nanoseconds; 0 for none (another status, no header, a date in
	 * the past, a value that is neither form)
	 */
	static long nanos(int status, @Nullable String value, Clock clock) {
		if ((status != 429 && status != 503) || value == null) {
			return 0;
		}
		String trimmed = value.trim();
		if (trimmed.isEmpty()) {
			return 0;
		}
		if (Character.isDigit(trimmed.charAt(0))) {
			try {
				long seconds = Long.parseLong(trimmed);
				// Beyond a day a retry never waits anyway
				// (RetryConfig.MAX_WAIT_DURATION).
				return Duration.ofSeconds(Math.min(seconds, Duration.ofDays(365).toSeconds())).toNanos();
			}
			catch (NumberFormatException ex) {
				return 0;
			}
		}
		try {
			ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
			long nanos = Duration.between(clock.instant(), at.toInstant()).toNanos();
			return Math.max(0, nanos);
		}
		catch (DateTimeParseException | ArithmeticException ex) {
			// A malformed value is the server's mistake: the computed backoff applies.
			return 0;
		}
	}

}
