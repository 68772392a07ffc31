package dev.resilience.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a configuration builder when a setting's value is out of range, or when
 * settings disagree with one another. It carries the name of the setting at fault, as the
 * builder method spells it ({@code failureRateThreshold}), and the value rejected, so
 * that a caller can name its own source of the value (a property key, a request field)
 * without reading the message; the message says the same for a reader: the setting, what
 * it must be and the value given.
 * <p>
 * When two settings disagree, the setting named is the one the rule constrains
 * ({@code maxWaitDurationInOpenState must be at least waitDurationInOpenState}) and the
 * value is that setting's.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private final String setting;

	private final transient @Nullable Object value;

	/**
	 * Creates the exception.
	 * @param setting the setting's name, as the builder method spells it
	 * @param value the value rejected
	 * @param message the message, which names the setting, the rule and the value
	 */
	public InvalidSettingException(String setting, @Nullable Object value, String message) {
		super(message);
		this.setting = Objects.requireNonNull(setting, "setting must not be null");
		this.value = value;
	}

	/**
	 * Returns the name of the setting at fault, as the builder method spells it.
	 * @return the setting's name, such as {@code failureRateThreshold}
	 */
	public String setting() {
		return this.setting;
	}

	/**
	 * Returns the value rejected.
	 * @return the value, as given to the builder
	 */
	public @Nullable Object value() {
		return this.value;
	}

}
