package dev.resilience.boot.http;

import java.util.List;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;

/**
 * A set of HTTP status codes, parsed once at startup from codes ({@code 503}) and series
 * ({@code 5xx}); a lookup is one array read.
 */
final class StatusSet {

	/**
	 * 5xx, 408 and 429: the statuses that say the call failed for a reason not the
	 * caller's.
	 */
	static final StatusSet DEFAULT_FAILURES = new StatusSet(defaults());

	private final boolean[] codes;

	private StatusSet(boolean[] codes) {
		this.codes = codes;
	}

	private static boolean[] defaults() {
		boolean[] codes = new boolean[600];
		for (int code = 500; code < 600; code++) {
			codes[code] = true;
		}
		codes[408] = true;
		codes[429] = true;
		return codes;
	}

	/**
	 * Parses a list of codes and series.
	 * @param values the values, such as {@code 503} or {@code 5xx}
	 * @param property the list's property, for errors
	 * @return the set
	 * @throws ResilienceConfigurationException naming the first value that is neither
	 */
	static StatusSet parse(List<String> values, String property) {
		boolean[] codes = new boolean[600];
		for (int i = 0; i < values.size(); i++) {
			String value = (values.get(i) != null) ? values.get(i).trim() : "";
			String lower = value.toLowerCase(java.util.Locale.ROOT);
			if (lower.length() == 3 && lower.endsWith("xx") && lower.charAt(0) >= '1' && lower.charAt(0) <= '5') {
				int start = (lower.charAt(0) - '0') * 100;
				for (int code = start; code < start + 100; code++) {
					codes[code] = true;
				}
				continue;
			}
			int code = (value.length() == 3) ? parseCode(value) : -1;
			if (code < 100 || code > 599) {
				throw new ResilienceConfigurationException(property + "[" + i + "]",
						"'" + value + "' is neither a status code nor a series",
						"Give a code from 100 to 599 (such as 503) or a series (1xx to 5xx).");
			}
			codes[code] = true;
		}
		return new StatusSet(codes);
	}

	private static int parseCode(String value) {
		int code = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			code = code * 10 + (c - '0');
		}
		return code;
	}

	/**
	 * Tells whether the set holds a status.
	 * @param status the status code
	 * @return {@code true} if it is in the set
	 */
	boolean contains(int status) {
		return status >= 0 && status < this.codes.length && this.codes[status];
	}

}
