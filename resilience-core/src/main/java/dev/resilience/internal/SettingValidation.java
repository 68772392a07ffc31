package dev.resilience.internal;

import java.time.Duration;
import java.util.Objects;

import dev.resilience.core.InvalidSettingException;

/**
 * Validation shared by the configuration builders, so that every rejected value gets a
 * message of the same form: the setting's name, what it must be, and the value given. A
 * rejected value is an {@link InvalidSettingException}, which carries the setting's name
 * and the value for callers that name the value's source themselves (the Spring Boot
 * starter names the property).
 * <p>
 * For the primitives' builders; not meant for application code.
 */
public final class SettingValidation {

	private SettingValidation() {
	}

	/**
	 * Requires a duration greater than zero.
	 * @param value the value
	 * @param setting the setting's name, as the builder method spells it
	 * @return the value
	 * @throws InvalidSettingException if it is zero or negative
	 */
	public static Duration positive(Duration value, String setting) {
		Objects.requireNonNull(value, () -> setting + " must not be null");
		if (value.isZero() || value.isNegative()) {
			throw new InvalidSettingException(setting, value, setting + " must be greater than zero but was " + value);
		}
		return value;
	}

	/**
	 * Requires a duration of zero or more.
	 * @param value the value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static Duration notNegative(Duration value, String setting) {
		Objects.requireNonNull(value, () -> setting + " must not be null");
		if (value.isNegative()) {
			throw new InvalidSettingException(setting, value, setting + " must not be negative but was " + value);
		}
		return value;
	}

	/**
	 * Requires a duration greater than zero and at most {@code max}.
	 * @param value the value
	 * @param max the longest legal value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static Duration positive(Duration value, Duration max, String setting) {
		return atMost(positive(value, setting), max, setting);
	}

	/**
	 * Requires a duration of zero or more and at most {@code max}.
	 * @param value the value
	 * @param max the longest legal value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static Duration notNegative(Duration value, Duration max, String setting) {
		return atMost(notNegative(value, setting), max, setting);
	}

	/**
	 * Requires a duration of at most {@code max}.
	 * @param value the value
	 * @param max the longest legal value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static Duration atMost(Duration value, Duration max, String setting) {
		Objects.requireNonNull(value, () -> setting + " must not be null");
		if (value.compareTo(max) > 0) {
			throw new InvalidSettingException(setting, value,
					setting + " must be at most " + max + " but was " + value);
		}
		return value;
	}

	/**
	 * Requires an integer of at least {@code min}.
	 * @param value the value
	 * @param min the smallest legal value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static int atLeast(int value, int min, String setting) {
		if (value < min) {
			throw new InvalidSettingException(setting, value,
					setting + " must be at least " + min + " but was " + value);
		}
		return value;
	}

	/**
	 * Requires a number within {@code [min, max]}.
	 * @param value the value
	 * @param min the smallest legal value
	 * @param max the largest legal value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static double between(double value, double min, double max, String setting) {
		if (!(value >= min && value <= max)) {
			throw new InvalidSettingException(setting, value,
					setting + " must be between " + min + " and " + max + " but was " + value);
		}
		return value;
	}

	/**
	 * Returns the exception for a value a builder's own rule rejects (one that no other
	 * method here expresses, such as a rule between two settings).
	 * @param setting the setting's name, as the builder method spells it
	 * @param value the value rejected
	 * @param message the message: the setting, what it must be, and the value
	 * @return the exception, to throw
	 */
	public static InvalidSettingException invalid(String setting, Object value, String message) {
		return new InvalidSettingException(setting, value, message);
	}

	/**
	 * Requires a non-null value.
	 * @param <T> the value's type
	 * @param value the value
	 * @param setting the setting's name
	 * @return the value
	 */
	public static <T> T notNull(T value, String setting) {
		return Objects.requireNonNull(value, () -> setting + " must not be null");
	}

	/**
	 * Returns a duration in nanoseconds, saturating at {@link Long#MAX_VALUE} rather than
	 * overflowing for very long durations.
	 * @param value the duration
	 * @return the duration in nanoseconds
	 */
	public static long toNanos(Duration value) {
		try {
			return value.toNanos();
		}
		catch (ArithmeticException ex) {
			return value.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
		}
	}

}
