package dev.resilience.boot.deadline;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import dev.resilience.core.Ticker;
import dev.resilience.deadline.Deadline;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request's budget from its headers: each configured header that is present and
 * well formed gives a budget, the smallest wins, and a request without one gets the
 * default budget, if any. {@code grpc-timeout} is read in gRPC's form (at most 8 digits
 * and a unit: {@code H}, {@code M}, {@code S}, {@code m}, {@code u}, {@code n}); every
 * other header as a whole number of milliseconds.
 * <p>
 * A malformed value (not a number, a sign, a fraction, an unknown unit, more than 8 gRPC
 * digits, an empty value) is left out as if absent: counted in
 * {@code resilience.deadline.inbound.malformed{header}} and logged at DEBUG on
 * {@code dev.resilience.deadline}. Not a 400: the budget is advice from the caller on how
 * long it will wait, the request itself is no worse for a proxy's bad annotation, and
 * failing it would turn a hint into an outage; the caller keeps its own timeout.
 * <p>
 * A well-formed value too large for a nanosecond count (hundreds of years) saturates: it
 * is a deadline as good as none, never an overflow into a short or negative one.
 * <p>
 * Immutable and thread-safe; reading allocates only the deadline and its budget's
 * {@code Duration} (no regex, no string building unless DEBUG is on for a malformed
 * value; the header names and their formats are resolved once).
 */
final class InboundDeadlineHeaders {

	/** The gRPC header, read in gRPC's form whatever its case in the configuration. */
	static final String GRPC_TIMEOUT = "grpc-timeout";

	/** What the parsers return for a malformed value. */
	static final long MALFORMED = -1;

	// As Deadline itself saturates: far from overflow when added to a ticker reading.
	static final long MAX_NANOS = Long.MAX_VALUE / 2;

	private static final Log logger = LogFactory.getLog(DeadlineLog.LOGGER_NAME);

	// gRPC: "TimeoutValue: positive integer as ASCII string of at most 8 digits".
	private static final int GRPC_MAX_DIGITS = 8;

	private final String[] names;

	private final boolean[] grpc;

	private final long defaultBudgetNanos;

	private final Ticker ticker;

	private final MalformedHeaders malformed;

	/**
	 * Creates the reader.
	 * @param names the header names, in order (already validated)
	 * @param defaultBudget the budget of a request without a header, or {@code null}
	 * @param ticker the time source of the deadlines
	 * @param malformed told of each malformed value, by the header's index in
	 * {@code names}
	 */
	InboundDeadlineHeaders(List<String> names, @Nullable Duration defaultBudget, Ticker ticker,
			MalformedHeaders malformed) {
		this.names = names.toArray(new String[0]);
		this.grpc = new boolean[this.names.length];
		for (int i = 0; i < this.names.length; i++) {
			this.grpc[i] = GRPC_TIMEOUT.equals(this.names[i].toLowerCase(Locale.ROOT));
		}
		this.defaultBudgetNanos = (defaultBudget != null) ? saturatedNanos(defaultBudget) : MALFORMED;
		this.ticker = ticker;
		this.malformed = malformed;
	}

	/**
	 * Returns the request's deadline, measured from now.
	 * @param <R> the request's type
	 * @param request the request
	 * @param header looks a header's (first) value up, {@code null} when absent; a method
	 * reference that captures nothing, so that reading allocates nothing more
	 * @return the deadline, or {@code null} when the request has no budget and there is
	 * no default budget
	 */
	<R> @Nullable Deadline read(R request, BiFunction<R, String, @Nullable String> header) {
		long best = MALFORMED;
		for (int i = 0; i < this.names.length; i++) {
			String value = header.apply(request, this.names[i]);
			if (value == null) {
				continue;
			}
			long nanos = this.grpc[i] ? parseGrpcTimeout(value) : parseMillis(value);
			if (nanos == MALFORMED) {
				reportMalformed(i, value);
			}
			else if (best == MALFORMED || nanos < best) {
				best = nanos;
			}
		}
		if (best == MALFORMED) {
			best = this.defaultBudgetNanos;
		}
		return (best != MALFORMED) ? Deadline.after(Duration.ofNanos(best), this.ticker) : null;
	}

	private void reportMalformed(int index, String value) {
		this.malformed.malformed(index);
		if (logger.isDebugEnabled()) {
			String shown = (value.length() > 64) ? value.substring(0, 64) + "..." : value;
			logger.debug(
					"Ignored the malformed request header " + this.names[index] + ": '" + shown + "' ("
							+ (this.grpc[index] ? "expected at most 8 digits and a unit H, M, S, m, u or n"
									: "expected a whole number of milliseconds")
							+ "); the request goes on as without it");
		}
	}

	/**
	 * Parses a whole number of milliseconds: digits only.
	 * @param value the header's value
	 * @return the budget in nanoseconds (saturated), or {@link #MALFORMED}
	 */
	static long parseMillis(String value) {
		int length = value.length();
		if (length == 0) {
			return MALFORMED;
		}
		long millis = 0;
		boolean saturated = false;
		for (int i = 0; i < length; i++) {
			int digit = value.charAt(i) - '0';
			if (digit < 0 || digit > 9) {
				return MALFORMED;
			}
			if (!saturated) {
				millis = millis * 10 + digit;
				// Past this, the nanoseconds would not fit; keep checking the digits.
				saturated = millis > MAX_NANOS / 1_000_000;
			}
		}
		return saturated ? MAX_NANOS : millis * 1_000_000;
	}

	/**
	 * Parses gRPC's {@code grpc-timeout}: 1 to 8 digits and a unit, {@code H} (hours),
	 * {@code M} (minutes), {@code S} (seconds), {@code m} (milliseconds), {@code u}
	 * (microseconds) or {@code n} (nanoseconds).
	 * @param value the header's value
	 * @return the budget in nanoseconds (saturated), or {@link #MALFORMED}
	 */
	static long parseGrpcTimeout(String value) {
		int digits = value.length() - 1;
		if (digits < 1 || digits > GRPC_MAX_DIGITS) {
			return MALFORMED;
		}
		long unitNanos = switch (value.charAt(digits)) {
			case 'H' -> 3_600_000_000_000L;
			case 'M' -> 60_000_000_000L;
			case 'S' -> 1_000_000_000L;
			case 'm' -> 1_000_000L;
			case 'u' -> 1_000L;
			case 'n' -> 1L;
			default -> MALFORMED;
		};
		if (unitNanos == MALFORMED) {
			return MALFORMED;
		}
		long amount = 0;
		for (int i = 0; i < digits; i++) {
			int digit = value.charAt(i) - '0';
			if (digit < 0 || digit > 9) {
				return MALFORMED;
			}
			amount = amount * 10 + digit;
		}
		// 99999999 hours does not fit in nanoseconds.
		return (amount > MAX_NANOS / unitNanos) ? MAX_NANOS : amount * unitNanos;
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return Math.min(duration.toNanos(), MAX_NANOS);
		}
		catch (ArithmeticException ex) {
			return MAX_NANOS;
		}
	}

	/**
	 * Told of each malformed header value.
	 */
	@FunctionalInterface
	interface MalformedHeaders {

		/** Tells nobody. */
		MalformedHeaders NONE = (index) -> {
		};

		/**
		 * Called for each malformed value, on the request's thread.
		 * @param index the header's index in the configured names
		 */
		void malformed(int index);

	}

}
