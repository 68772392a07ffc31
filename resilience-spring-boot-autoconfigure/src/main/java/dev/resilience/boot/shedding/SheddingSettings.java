package dev.resilience.boot.shedding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.core.InvalidSettingException;
import dev.resilience.limit.LimitConfig;
import dev.resilience.limit.PartitionedLimiter;
import org.jspecify.annotations.Nullable;

import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * The {@code resilience.shedding.*} properties checked and compiled once at startup: the
 * limit's configuration, the partitions in matching order with their compiled matches,
 * the {@code Retry-After} value and the wait. A wrong value fails startup with a
 * {@link ResilienceConfigurationException} naming its property.
 */
final class SheddingSettings {

	static final String PREFIX = "resilience.shedding";

	/** The shedding's own default {@code initial-limit}. */
	static final int DEFAULT_INITIAL_LIMIT = 100;

	/** The shedding's own default {@code min-limit}. */
	static final int DEFAULT_MIN_LIMIT = 10;

	/** The shedding's own default {@code max-limit}. */
	static final int DEFAULT_MAX_LIMIT = 1000;

	private final LimitConfig limit;

	private final List<Partition> partitions;

	private final String retryAfter;

	private final Duration maxWait;

	private SheddingSettings(LimitConfig limit, List<Partition> partitions, String retryAfter, Duration maxWait) {
		this.limit = limit;
		this.partitions = partitions;
		this.retryAfter = retryAfter;
		this.maxWait = maxWait;
	}

	static SheddingSettings of(ResilienceProperties.Shedding shedding) {
		LimitConfig limit = limitConfig(shedding);
		List<Partition> partitions = partitions(shedding.partitions());
		Duration retryAfter = shedding.retryAfter();
		if (retryAfter.isNegative() || retryAfter.isZero() || retryAfter.compareTo(Duration.ofDays(1)) > 0) {
			throw new ResilienceConfigurationException(PREFIX + ".retry-after",
					"invalid value '" + retryAfter + "': must be positive and at most one day",
					"Update " + PREFIX + ".retry-after to a positive duration, such as 1s.");
		}
		// Whole seconds, rounded up, at least 1 (Retry-After has no fractions).
		long seconds = Math.max(1, (retryAfter.toNanos() + 999_999_999L) / 1_000_000_000L);
		Duration maxWait = shedding.maxWaitDuration();
		if (maxWait.isNegative() || maxWait.compareTo(Duration.ofDays(1)) > 0) {
			throw new ResilienceConfigurationException(PREFIX + ".max-wait-duration",
					"invalid value '" + maxWait + "': must be zero or more and at most one day",
					"Update " + PREFIX + ".max-wait-duration to a duration such as 100ms (0 never waits).");
		}
		return new SheddingSettings(limit, partitions, Long.toString(seconds), maxWait);
	}

	private static LimitConfig limitConfig(ResilienceProperties.Shedding s) {
		LimitConfig.Builder builder = LimitConfig.builder();
		try {
			if (s.limitAlgorithm() != null) {
				builder.limitAlgorithm(s.limitAlgorithm());
			}
			boolean adaptive = s.limitAlgorithm() != null
					&& s.limitAlgorithm() != dev.resilience.limit.LimitAlgorithm.FIXED;
			builder.initialLimit((s.initialLimit() != null) ? s.initialLimit() : DEFAULT_INITIAL_LIMIT);
			// The range only exists for an adaptive limit; given for a fixed one, the
			// builder refuses it (it would be ignored).
			if (s.minLimit() != null) {
				builder.minLimit(s.minLimit());
			}
			else if (adaptive) {
				builder.minLimit(DEFAULT_MIN_LIMIT);
			}
			if (s.maxLimit() != null) {
				builder.maxLimit(s.maxLimit());
			}
			else if (adaptive) {
				builder.maxLimit(DEFAULT_MAX_LIMIT);
			}
			if (s.backoffRatio() != null) {
				builder.backoffRatio(s.backoffRatio());
			}
			if (s.timeout() != null) {
				builder.timeout(s.timeout());
			}
			if (s.smoothing() != null) {
				builder.smoothing(s.smoothing());
			}
			if (s.rttTolerance() != null) {
				builder.rttTolerance(s.rttTolerance());
			}
			if (s.longWindow() != null) {
				builder.longWindow(s.longWindow());
			}
			if (s.alpha() != null) {
				builder.alpha(s.alpha());
			}
			if (s.beta() != null) {
				builder.beta(s.beta());
			}
			return builder.build();
		}
		catch (InvalidSettingException ex) {
			throw ResilienceConfigurationException.ofSetting(PREFIX, ex);
		}
	}

	private static List<Partition> partitions(Map<String, ResilienceProperties.SheddingPartition> configured) {
		List<Partition> partitions = new ArrayList<>();
		double sum = 0;
		PathPatternParser parser = PathPatternParser.defaultInstance;
		for (Map.Entry<String, ResilienceProperties.SheddingPartition> entry : configured.entrySet()) {
			String name = entry.getKey();
			String property = PREFIX + ".partitions." + name;
			if (name.equals(PartitionedLimiter.DEFAULT_PARTITION)) {
				throw new ResilienceConfigurationException(property,
						"'default' is reserved: it is the partition of the requests no other partition matches",
						"Rename the partition; the default partition gets the share the named ones leave.");
			}
			ResilienceProperties.SheddingPartition partition = entry.getValue();
			Double share = partition.share();
			if (share == null) {
				throw new ResilienceConfigurationException(property + ".share", "missing",
						"Set " + property + ".share to the fraction of the limit the partition keeps, such as 0.3.");
			}
			if (!(share > 0 && share <= 1)) {
				throw new ResilienceConfigurationException(property + ".share",
						"invalid value '" + share + "': must be above 0 and at most 1",
						"Update " + property + ".share to a fraction of the limit, such as 0.3.");
			}
			sum += share;
			List<String> match = partition.match();
			if (match == null || match.isEmpty()) {
				throw new ResilienceConfigurationException(property + ".match", "missing",
						"Set " + property + ".match to path:<pattern>, header:<name>=<value> or "
								+ "attribute:<name>=<value> (several, separated by commas).");
			}
			List<Match> matches = new ArrayList<>();
			for (int i = 0; i < match.size(); i++) {
				matches.add(match(property + ".match[" + i + "]", match.get(i), parser));
			}
			partitions.add(new Partition(name, share, List.copyOf(matches)));
		}
		// A tolerance for decimal fractions such as 0.1 + 0.2 + 0.7.
		if (sum > 1 + 1e-9) {
			List<String> names = partitions.stream().map((p) -> p.name() + "=" + p.share()).toList();
			throw new ResilienceConfigurationException(PREFIX + ".partitions",
					"the shares sum to " + sum + ", above 1: " + String.join(", ", names),
					"Lower the shares of " + String.join(", ", names) + " so that they sum to at most 1.");
		}
		return List.copyOf(partitions);
	}

	private static Match match(String property, @Nullable String value, PathPatternParser parser) {
		String action = "Update " + property + " to path:<pattern>, header:<name>=<value> or attribute:<name>=<value>.";
		if (value == null || value.isBlank()) {
			throw new ResilienceConfigurationException(property, "missing", action);
		}
		int colon = value.indexOf(':');
		String kind = (colon > 0) ? value.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
		String rest = (colon > 0) ? value.substring(colon + 1).trim() : "";
		switch (kind) {
			case "path" -> {
				if (rest.isEmpty()) {
					throw new ResilienceConfigurationException(property,
							"invalid value '" + value + "': the path pattern is missing", action);
				}
				try {
					return new Match(Match.Kind.PATH, rest, null, parser.parse(rest));
				}
				catch (PatternParseException ex) {
					throw new ResilienceConfigurationException(property,
							"invalid value '" + value + "': not a path pattern: " + ex.getMessage(),
							"Update " + property + " to a valid path pattern, such as path:/orders/**.");
				}
			}
			case "header", "attribute" -> {
				int equals = rest.indexOf('=');
				if (equals <= 0) {
					throw new ResilienceConfigurationException(property,
							"invalid value '" + value + "': expected " + kind + ":<name>=<value>", action);
				}
				String name = rest.substring(0, equals).trim();
				String expected = rest.substring(equals + 1).trim();
				return new Match(kind.equals("header") ? Match.Kind.HEADER : Match.Kind.ATTRIBUTE, name, expected,
						null);
			}
			default -> throw new ResilienceConfigurationException(property,
					"invalid value '" + value + "': unknown kind of match (expected path:, header: or attribute:)",
					action);
		}
	}

	LimitConfig limit() {
		return this.limit;
	}

	List<Partition> partitions() {
		return this.partitions;
	}

	/** The {@code Retry-After} header value: whole seconds, at least 1. */
	String retryAfter() {
		return this.retryAfter;
	}

	Duration maxWait() {
		return this.maxWait;
	}

	/**
	 * A named partition: its share and what selects its requests, any one match.
	 */
	record Partition(String name, double share, List<Match> matches) {
	}

	/**
	 * One compiled match.
	 *
	 * @param kind what is compared
	 * @param name the path pattern's text, the header's or the attribute's name
	 * @param value the expected header or attribute value
	 * @param pattern the parsed path pattern
	 */
	record Match(Kind kind, String name, @Nullable String value, @Nullable PathPattern pattern) {

		enum Kind {

			PATH, HEADER, ATTRIBUTE

		}

	}

}
