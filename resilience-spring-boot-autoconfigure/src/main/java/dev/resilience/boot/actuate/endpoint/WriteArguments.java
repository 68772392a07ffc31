package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

/**
 * Parses the fields of a write operation's body. Actuator hands every JSON value over as
 * a string ({@code 10}, {@code true} and {@code "10"} alike), so the endpoints take
 * strings and parse them here: a value that does not parse is a 400 that names the field,
 * rather than a bare conversion failure.
 */
final class WriteArguments {

	private WriteArguments() {
	}

	static @Nullable Integer integer(@Nullable String value, String field) {
		if (value == null) {
			return null;
		}
		try {
			return Integer.valueOf(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidInputException(field + " must be an integer but was '" + value + "'");
		}
	}

	static @Nullable Duration duration(@Nullable String value, String field) {
		if (value == null) {
			return null;
		}
		try {
			return DurationStyle.detectAndParse(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidInputException(
					field + " must be a duration such as '500ms', '10s' or 'PT1S' but was '" + value + "'");
		}
	}

	static @Nullable Boolean bool(@Nullable String value, String field) {
		if (value == null) {
			return null;
		}
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true" -> Boolean.TRUE;
			case "false" -> Boolean.FALSE;
			default -> throw new InvalidInputException(field + " must be true or false but was '" + value + "'");
		};
	}

}
