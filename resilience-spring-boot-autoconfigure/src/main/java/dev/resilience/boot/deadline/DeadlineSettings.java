package dev.resilience.boot.deadline;

import java.time.Duration;
import java.util.List;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import org.jspecify.annotations.Nullable;

/**
 * The {@code resilience.deadline.*} settings, checked once at startup: a value that
 * cannot work fails the startup with a {@link ResilienceConfigurationException} naming
 * the property and the value and saying what to do.
 * <ul>
 * <li>each of {@code inbound-headers} is an HTTP header name: not blank, only the
 * characters of an HTTP token (letters, digits and {@code !#$%&'*+-.^_`|~});</li>
 * <li>{@code default-budget} and {@code outbound-margin} are zero or more and at most
 * {@link #MAX_DURATION} (one day, as every duration of the starter);</li>
 * <li>{@code outbound-header} is an HTTP header name as well.</li>
 * </ul>
 * Immutable.
 */
final class DeadlineSettings {

	/** The longest default budget and outbound margin: one day. */
	static final Duration MAX_DURATION = Duration.ofDays(1);

	private static final String PREFIX = "resilience.deadline.";

	private final List<String> inboundHeaders;

	private final @Nullable Duration defaultBudget;

	private DeadlineSettings(List<String> inboundHeaders, @Nullable Duration defaultBudget) {
		this.inboundHeaders = inboundHeaders;
		this.defaultBudget = defaultBudget;
	}

	/**
	 * Checks the settings.
	 * @param properties the bound properties
	 * @return the settings
	 * @throws ResilienceConfigurationException if one cannot work
	 */
	static DeadlineSettings of(ResilienceProperties.Deadlines properties) {
		List<String> headers = properties.inboundHeaders();
		for (int i = 0; i < headers.size(); i++) {
			checkHeaderName(PREFIX + "inbound-headers[" + i + "]", headers.get(i),
					"Give the name of a request header that carries a budget (such as X-Request-Timeout-Ms), or remove the entry.");
		}
		checkDuration(PREFIX + "default-budget", properties.defaultBudget(),
				"Set it to the budget of a request that arrives without one (such as 10s), or leave it out for none.");
		checkDuration(PREFIX + "outbound-margin", properties.outboundMargin(),
				"Set it to what the wire takes off the budget sent on (such as 10ms), or 0.");
		checkHeaderName(PREFIX + "outbound-header", properties.outboundHeader(),
				"Give the name of the header that outbound calls carry their budget in (such as X-Request-Timeout-Ms).");
		return new DeadlineSettings(headers, properties.defaultBudget());
	}

	List<String> inboundHeaders() {
		return this.inboundHeaders;
	}

	@Nullable Duration defaultBudget() {
		return this.defaultBudget;
	}

	private static void checkHeaderName(String property, @Nullable String name, String action) {
		if (name == null || name.isBlank()) {
			throw new ResilienceConfigurationException(property,
					"invalid value '" + ((name != null) ? name : "") + "': a header name must not be empty or blank",
					action);
		}
		for (int i = 0; i < name.length(); i++) {
			if (!isTokenChar(name.charAt(i))) {
				throw new ResilienceConfigurationException(property,
						"invalid value '" + name + "': '" + name.charAt(i)
								+ "' cannot be part of an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
						action);
			}
		}
	}

	private static void checkDuration(String property, @Nullable Duration value, String action) {
		if (value == null) {
			return;
		}
		if (value.isNegative()) {
			throw new ResilienceConfigurationException(property, "invalid value '" + value + "': must not be negative",
					action);
		}
		if (value.compareTo(MAX_DURATION) > 0) {
			throw new ResilienceConfigurationException(property,
					"invalid value '" + value + "': must be at most " + MAX_DURATION, action);
		}
	}

	// RFC 9110, 5.6.2: tchar.
	private static boolean isTokenChar(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

}
