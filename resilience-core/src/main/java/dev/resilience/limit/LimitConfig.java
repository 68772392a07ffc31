package dev.resilience.limit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.resilience.internal.SettingValidation;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a concurrency limit: its {@link LimitAlgorithm}, where it starts
 * ({@code initialLimit}), the range it moves in ({@code minLimit} to {@code maxLimit};
 * equal values pin it) and the algorithm's own settings. A {@link LimitAlgorithm#FIXED}
 * limit is {@code initialLimit} and never moves.
 * <p>
 * A setting of another algorithm than the one configured is an error when given on the
 * same builder ({@code backoffRatio} with {@code vegas}): it would be ignored. Settings
 * inherited through {@link #from(LimitConfig)} are not checked so, as a base
 * configuration may serve instances of several algorithms.
 * <p>
 * Immutable and thread-safe.
 */
public final class LimitConfig {

	/** Default {@code initialLimit}: 20. */
	public static final int DEFAULT_INITIAL_LIMIT = 20;

	/** Default {@code minLimit}: 1. */
	public static final int DEFAULT_MIN_LIMIT = 1;

	/** Default {@code maxLimit}: 200. */
	public static final int DEFAULT_MAX_LIMIT = 200;

	/** The largest {@code maxLimit}: 1,000,000. */
	public static final int MAX_LIMIT = 1_000_000;

	/** Default AIMD {@code backoffRatio}: 0.9. */
	public static final double DEFAULT_BACKOFF_RATIO = 0.9;

	/** Default AIMD {@code timeout}: 5 seconds. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	/** Default Gradient2 {@code smoothing}: 0.2. */
	public static final double DEFAULT_SMOOTHING = 0.2;

	/** Default Gradient2 {@code rttTolerance}: 1.5. */
	public static final double DEFAULT_RTT_TOLERANCE = 1.5;

	/** Default Gradient2 {@code longWindow}: 600 samples. */
	public static final int DEFAULT_LONG_WINDOW = 600;

	/** Default Vegas {@code alpha}: 3 queued calls. */
	public static final int DEFAULT_ALPHA = 3;

	/** Default Vegas {@code beta}: 6 queued calls. */
	public static final int DEFAULT_BETA = 6;

	private static final LimitConfig DEFAULTS = builder().build();

	private final LimitAlgorithm algorithm;

	private final int initialLimit;

	private final int minLimit;

	private final int maxLimit;

	private final double backoffRatio;

	private final Duration timeout;

	private final double smoothing;

	private final double rttTolerance;

	private final int longWindow;

	private final int alpha;

	private final int beta;

	private LimitConfig(Builder builder) {
		this.algorithm = builder.algorithm;
		this.initialLimit = builder.initialLimit;
		this.minLimit = builder.minLimit;
		this.maxLimit = builder.maxLimit;
		this.backoffRatio = builder.backoffRatio;
		this.timeout = builder.timeout;
		this.smoothing = builder.smoothing;
		this.rttTolerance = builder.rttTolerance;
		this.longWindow = builder.longWindow;
		this.alpha = builder.alpha;
		this.beta = builder.beta;
	}

	/**
	 * Returns the default configuration: a fixed limit of
	 * {@value #DEFAULT_INITIAL_LIMIT}.
	 * @return the defaults
	 */
	public static LimitConfig ofDefaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a builder filled with the defaults.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns a builder filled with the settings of {@code base}; none counts as given on
	 * the new builder (see the class description).
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(LimitConfig base) {
		SettingValidation.notNull(base, "base");
		Builder builder = new Builder();
		builder.algorithm = base.algorithm;
		builder.initialLimit = base.initialLimit;
		builder.minLimit = base.minLimit;
		builder.maxLimit = base.maxLimit;
		builder.backoffRatio = base.backoffRatio;
		builder.timeout = base.timeout;
		builder.smoothing = base.smoothing;
		builder.rttTolerance = base.rttTolerance;
		builder.longWindow = base.longWindow;
		builder.alpha = base.alpha;
		builder.beta = base.beta;
		return builder;
	}

	/**
	 * Returns the algorithm.
	 * @return the algorithm; default {@link LimitAlgorithm#FIXED}
	 */
	public LimitAlgorithm algorithm() {
		return this.algorithm;
	}

	/**
	 * Returns whether the limit moves: an algorithm other than {@code fixed}.
	 * @return {@code true} for an adaptive algorithm
	 */
	public boolean isAdaptive() {
		return this.algorithm != LimitAlgorithm.FIXED;
	}

	/**
	 * Returns the limit at start (the limit itself, for {@code fixed}).
	 * @return the initial limit, within {@code minLimit} and {@code maxLimit}
	 */
	public int initialLimit() {
		return this.initialLimit;
	}

	/**
	 * Returns the lowest the limit goes.
	 * @return the lower bound, at least 1
	 */
	public int minLimit() {
		return this.minLimit;
	}

	/**
	 * Returns the highest the limit goes.
	 * @return the upper bound, at most {@link #MAX_LIMIT}
	 */
	public int maxLimit() {
		return this.maxLimit;
	}

	/**
	 * Returns AIMD's factor applied to the limit on a drop.
	 * @return the ratio, at least 0.5 and below 1
	 */
	public double backoffRatio() {
		return this.backoffRatio;
	}

	/**
	 * Returns AIMD's latency beyond which a call counts as a drop.
	 * @return the timeout, positive
	 */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * Returns Gradient2's smoothing: the weight of a new estimate against the current
	 * limit.
	 * @return the smoothing, above 0 and at most 1
	 */
	public double smoothing() {
		return this.smoothing;
	}

	/**
	 * Returns Gradient2's tolerance: how many times its long-term average the latency may
	 * be before the limit shrinks.
	 * @return the tolerance, at least 1
	 */
	public double rttTolerance() {
		return this.rttTolerance;
	}

	/**
	 * Returns Gradient2's long window: the number of samples its long-term latency
	 * average spans.
	 * @return the window, in samples
	 */
	public int longWindow() {
		return this.longWindow;
	}

	/**
	 * Returns Vegas's queue size below which the limit grows.
	 * @return alpha, in queued calls, at least 1
	 */
	public int alpha() {
		return this.alpha;
	}

	/**
	 * Returns Vegas's queue size above which the limit shrinks.
	 * @return beta, in queued calls, above alpha
	 */
	public int beta() {
		return this.beta;
	}

	/**
	 * Describes this configuration: the algorithm (its configuration word), the limits,
	 * and the settings of that algorithm only, named as the builder methods.
	 * @return the settings by name, in order; unmodifiable
	 */
	public Map<String, Object> describe() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("limitAlgorithm", this.algorithm.name().toLowerCase(Locale.ROOT));
		settings.put("initialLimit", this.initialLimit);
		if (isAdaptive()) {
			settings.put("minLimit", this.minLimit);
			settings.put("maxLimit", this.maxLimit);
		}
		switch (this.algorithm) {
			case AIMD -> {
				settings.put("backoffRatio", this.backoffRatio);
				settings.put("timeout", this.timeout);
			}
			case GRADIENT2 -> {
				settings.put("smoothing", this.smoothing);
				settings.put("rttTolerance", this.rttTolerance);
				settings.put("longWindow", this.longWindow);
			}
			case VEGAS -> {
				settings.put("alpha", this.alpha);
				settings.put("beta", this.beta);
			}
			default -> {
			}
		}
		return Collections.unmodifiableMap(settings);
	}

	/**
	 * Returns whether {@code other} is a limit configuration with the same settings (all
	 * of them, those of other algorithms included).
	 * @param other the object to compare with
	 * @return {@code true} if equal
	 */
	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof LimitConfig that)) {
			return false;
		}
		return this.algorithm == that.algorithm && this.initialLimit == that.initialLimit
				&& this.minLimit == that.minLimit && this.maxLimit == that.maxLimit
				&& Double.compare(this.backoffRatio, that.backoffRatio) == 0 && this.timeout.equals(that.timeout)
				&& Double.compare(this.smoothing, that.smoothing) == 0
				&& Double.compare(this.rttTolerance, that.rttTolerance) == 0 && this.longWindow == that.longWindow
				&& this.alpha == that.alpha && this.beta == that.beta;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.algorithm, this.initialLimit, this.minLimit, this.maxLimit, this.backoffRatio,
				this.timeout, this.smoothing, this.rttTolerance, this.longWindow, this.alpha, this.beta);
	}

	@Override
	public String toString() {
		return "LimitConfig" + describe();
	}

	/**
	 * Builds a {@link LimitConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private LimitAlgorithm algorithm = LimitAlgorithm.FIXED;

		private int initialLimit = DEFAULT_INITIAL_LIMIT;

		private int minLimit = DEFAULT_MIN_LIMIT;

		private int maxLimit = DEFAULT_MAX_LIMIT;

		private double backoffRatio = DEFAULT_BACKOFF_RATIO;

		private Duration timeout = DEFAULT_TIMEOUT;

		private double smoothing = DEFAULT_SMOOTHING;

		private double rttTolerance = DEFAULT_RTT_TOLERANCE;

		private int longWindow = DEFAULT_LONG_WINDOW;

		private int alpha = DEFAULT_ALPHA;

		private int beta = DEFAULT_BETA;

		// The settings given on this builder (not inherited), to refuse one that the
		// configured algorithm would ignore.
		private final Set<String> given = new LinkedHashSet<>();

		private Builder() {
		}

		private void given(String setting) {
			this.given.add(setting);
		}

		/**
		 * Sets the algorithm. Default {@link LimitAlgorithm#FIXED}.
		 * @param algorithm the algorithm
		 * @return this builder
		 */
		public Builder limitAlgorithm(LimitAlgorithm algorithm) {
			this.algorithm = SettingValidation.notNull(algorithm, "limitAlgorithm");
			return this;
		}

		/**
		 * Sets the limit at start (the limit itself, for {@code fixed}). Default
		 * {@value LimitConfig#DEFAULT_INITIAL_LIMIT}; within {@code minLimit} and
		 * {@code maxLimit}.
		 * @param initialLimit the initial limit
		 * @return this builder
		 */
		public Builder initialLimit(int initialLimit) {
			this.initialLimit = initialLimit;
			return this;
		}

		/**
		 * Sets the lowest the limit goes. Default {@value LimitConfig#DEFAULT_MIN_LIMIT};
		 * at least 1; adaptive algorithms only.
		 * @param minLimit the lower bound
		 * @return this builder
		 */
		public Builder minLimit(int minLimit) {
			this.minLimit = minLimit;
			given("minLimit");
			return this;
		}

		/**
		 * Sets the highest the limit goes. Default
		 * {@value LimitConfig#DEFAULT_MAX_LIMIT}; at most {@link LimitConfig#MAX_LIMIT};
		 * adaptive algorithms only.
		 * @param maxLimit the upper bound
		 * @return this builder
		 */
		public Builder maxLimit(int maxLimit) {
			this.maxLimit = maxLimit;
			given("maxLimit");
			return this;
		}

		/**
		 * Sets AIMD's factor applied to the limit on a drop. Default
		 * {@value LimitConfig#DEFAULT_BACKOFF_RATIO}; at least 0.5, below 1.
		 * @param backoffRatio the ratio
		 * @return this builder
		 */
		public Builder backoffRatio(double backoffRatio) {
			this.backoffRatio = backoffRatio;
			given("backoffRatio");
			return this;
		}

		/**
		 * Sets AIMD's latency beyond which a call counts as a drop. Default 5 seconds;
		 * positive, at most one day.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			this.timeout = timeout;
			given("timeout");
			return this;
		}

		/**
		 * Sets Gradient2's smoothing. Default {@value LimitConfig#DEFAULT_SMOOTHING};
		 * above 0, at most 1.
		 * @param smoothing the weight of a new estimate
		 * @return this builder
		 */
		public Builder smoothing(double smoothing) {
			this.smoothing = smoothing;
			given("smoothing");
			return this;
		}

		/**
		 * Sets Gradient2's latency tolerance. Default
		 * {@value LimitConfig#DEFAULT_RTT_TOLERANCE}; at least 1, at most 10.
		 * @param rttTolerance the tolerance
		 * @return this builder
		 */
		public Builder rttTolerance(double rttTolerance) {
			this.rttTolerance = rttTolerance;
			given("rttTolerance");
			return this;
		}

		/**
		 * Sets Gradient2's long window. Default {@value LimitConfig#DEFAULT_LONG_WINDOW}
		 * samples; at least 10, at most 100,000.
		 * @param longWindow the window, in samples
		 * @return this builder
		 */
		public Builder longWindow(int longWindow) {
			this.longWindow = longWindow;
			given("longWindow");
			return this;
		}

		/**
		 * Sets Vegas's queue size below which the limit grows. Default
		 * {@value LimitConfig#DEFAULT_ALPHA}; at least 1, below {@code beta}.
		 * @param alpha queued calls
		 * @return this builder
		 */
		public Builder alpha(int alpha) {
			this.alpha = alpha;
			given("alpha");
			return this;
		}

		/**
		 * Sets Vegas's queue size above which the limit shrinks. Default
		 * {@value LimitConfig#DEFAULT_BETA}; above {@code alpha}.
		 * @param beta queued calls
		 * @return this builder
		 */
		public Builder beta(int beta) {
			this.beta = beta;
			given("beta");
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range, the limits disagree, or a setting of another algorithm
		 * was given
		 * @throws NullPointerException if the timeout is {@code null}
		 */
		public LimitConfig build() {
			SettingValidation.notNull(this.timeout, "timeout");
			SettingValidation.atLeast(this.minLimit, 1, "minLimit");
			if (this.maxLimit > MAX_LIMIT) {
				throw SettingValidation.invalid("maxLimit", this.maxLimit,
						"maxLimit must be at most " + MAX_LIMIT + " but was " + this.maxLimit);
			}
			if (this.maxLimit < this.minLimit) {
				throw SettingValidation.invalid("maxLimit", this.maxLimit,
						"maxLimit must be at least minLimit (" + this.minLimit + ") but was " + this.maxLimit);
			}
			SettingValidation.atLeast(this.initialLimit, 1, "initialLimit");
			if (this.algorithm == LimitAlgorithm.FIXED) {
				if (this.initialLimit > MAX_LIMIT) {
					throw SettingValidation.invalid("initialLimit", this.initialLimit,
							"initialLimit must be at most " + MAX_LIMIT + " but was " + this.initialLimit);
				}
			}
			else if (this.initialLimit < this.minLimit || this.initialLimit > this.maxLimit) {
				throw SettingValidation.invalid("initialLimit", this.initialLimit,
						"initialLimit must be between minLimit (" + this.minLimit + ") and maxLimit (" + this.maxLimit
								+ ") but was " + this.initialLimit);
			}
			if (!(this.backoffRatio >= 0.5 && this.backoffRatio < 1)) {
				throw SettingValidation.invalid("backoffRatio", this.backoffRatio,
						"backoffRatio must be at least 0.5 and below 1 but was " + this.backoffRatio);
			}
			SettingValidation.positive(this.timeout, Duration.ofDays(1), "timeout");
			if (!(this.smoothing > 0 && this.smoothing <= 1)) {
				throw SettingValidation.invalid("smoothing", this.smoothing,
						"smoothing must be above 0 and at most 1 but was " + this.smoothing);
			}
			SettingValidation.between(this.rttTolerance, 1, 10, "rttTolerance");
			if (this.longWindow < 10 || this.longWindow > 100_000) {
				throw SettingValidation.invalid("longWindow", this.longWindow,
						"longWindow must be between 10 and 100000 samples but was " + this.longWindow);
			}
			SettingValidation.atLeast(this.alpha, 1, "alpha");
			if (this.beta <= this.alpha) {
				throw SettingValidation.invalid("beta", this.beta,
						"beta must be above alpha (" + this.alpha + ") but was " + this.beta);
			}
			checkGiven();
			return new LimitConfig(this);
		}

		private void checkGiven() {
			for (String setting : this.given) {
				LimitAlgorithm owner = owner(setting);
				boolean applies = (owner == null) ? this.algorithm != LimitAlgorithm.FIXED : owner == this.algorithm;
				if (!applies) {
					String to = (owner == null) ? "an adaptive limitAlgorithm (aimd, gradient2, vegas)"
							: "limitAlgorithm " + owner.name().toLowerCase(Locale.ROOT);
					throw SettingValidation.invalid(setting, valueOf(setting), setting + " applies to " + to
							+ ", not to " + this.algorithm.name().toLowerCase(Locale.ROOT) + " (it would be ignored)");
				}
			}
		}

		// The algorithm a setting belongs to; null for the range of every adaptive one.
		private static @Nullable LimitAlgorithm owner(String setting) {
			return switch (setting) {
				case "backoffRatio", "timeout" -> LimitAlgorithm.AIMD;
				case "smoothing", "rttTolerance", "longWindow" -> LimitAlgorithm.GRADIENT2;
				case "alpha", "beta" -> LimitAlgorithm.VEGAS;
				default -> null;
			};
		}

		private Object valueOf(String setting) {
			return switch (setting) {
				case "minLimit" -> this.minLimit;
				case "maxLimit" -> this.maxLimit;
				case "backoffRatio" -> this.backoffRatio;
				case "timeout" -> this.timeout;
				case "smoothing" -> this.smoothing;
				case "rttTolerance" -> this.rttTolerance;
				case "longWindow" -> this.longWindow;
				case "alpha" -> this.alpha;
				default -> this.beta;
			};
		}

	}

}
