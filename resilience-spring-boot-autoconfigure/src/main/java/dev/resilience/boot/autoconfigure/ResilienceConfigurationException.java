package dev.resilience.boot.autoconfigure;

import dev.resilience.core.InvalidSettingException;

/**
 * Thrown at startup when the resilience configuration or an annotated method cannot work
 * as written: an invalid property value, an unknown {@code base-config}, a fallback
 * method that does not fit, an annotation on a return type it cannot serve. The
 * application does not start; {@link ResilienceConfigurationFailureAnalyzer} prints what
 * is wrong and what to do.
 */
public class ResilienceConfigurationException extends RuntimeException {

	private final String subject;

	private final String action;

	/**
	 * Creates the exception.
	 * @param subject what is wrong: the property or the method, as the user would find it
	 * @param problem what is wrong with it
	 * @param action what to do about it
	 */
	public ResilienceConfigurationException(String subject, String problem, String action) {
		super(subject + ": " + problem);
		this.subject = subject;
		this.action = action;
	}

	/**
	 * Returns the exception for a setting a core configuration builder refused: the
	 * property at fault is the setting, as the builder method spells it, in Spring's
	 * kebab-case form under {@code prefix} ({@code backoffRatio} under
	 * {@code resilience.shedding} is {@code resilience.shedding.backoff-ratio}).
	 * @param prefix the property prefix of the settings the builder was given
	 * @param refused what the builder threw
	 * @return the exception, to throw
	 */
	public static ResilienceConfigurationException ofSetting(String prefix, InvalidSettingException refused) {
		String key = prefix + "." + ConfigResolver.propertyName(refused.setting());
		return new ResilienceConfigurationException(key,
				"invalid value '" + refused.value() + "': " + refused.getMessage(),
				"Update " + key + " to a valid value.");
	}

	/**
	 * Returns the property or method at fault.
	 * @return the subject
	 */
	public String subject() {
		return this.subject;
	}

	/**
	 * Returns what the user should do.
	 * @return the action
	 */
	public String action() {
		return this.action;
	}

}
