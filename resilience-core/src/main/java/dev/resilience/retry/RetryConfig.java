package dev.resilience.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import dev.resilience.internal.SettingValidation;
import dev.resilience.core.ExceptionMatcher;
import dev.resilience.core.ResilienceException;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@link Retry}: how many attempts, how long to wait between them,
 * which failures and results are retried, and an optional retry budget.
 * <p>
 * <b>Waits.</b> The wait before retry {@code k} (retry 1 comes before attempt 2) is
 * {@code waitDuration * exponentialBackoffMultiplier^(k-1)}, capped at
 * {@code exponentialMaxWaitDuration} if set. With a {@code randomizedWaitFactor}
 * {@code f} the actual wait is then drawn uniformly from {@code [w*(1-f), w*(1+f)]},
 * where {@code w} is the capped wait: the jitter is applied after the cap, so a capped
 * wait may exceed the cap by up to {@code f}. Without {@code exponentialMaxWaitDuration}
 * the cap is {@link #MAX_WAIT_DURATION}, one day.
 * <p>
 * <b>Which failures.</b> A failure is retried if the {@link #exceptionMatcher()} built
 * from {@code retryExceptions}, {@code ignoreExceptions},
 * {@code retryOnExceptionPredicate} and {@code matchCauseChain} accepts it. A rejection
 * (a {@link ResilienceException} whose {@link ResilienceException#isRejection()} is
 * {@code true}: circuit open, rate limited, bulkhead full) is never retried unless
 * {@code retryOnRejection} is set; then it is retried unless an {@code ignoreExceptions}
 * type matches it ({@code retryExceptions} and the predicate do not apply to rejections).
 * A returned value is retried if {@code retryOnResult} accepts it.
 * <p>
 * <b>Retry budget</b> (the retry throttling of gRPC), off unless {@code budgetMaxTokens}
 * is set: the budget starts full at {@code budgetMaxTokens} tokens; every failed attempt
 * (a throw, or a result that {@code retryOnResult} accepts) takes one token, every
 * successful execution gives back {@code budgetTokenRatio} tokens (up to the maximum),
 * and a retry is allowed only while more than half of {@code budgetMaxTokens} remain. The
 * ratio is kept to three decimal places.
 * <p>
 * Immutable and thread-safe.
 */
public final class RetryConfig {

	/** Default {@code maxAttempts}: 3 attempts in total, the first call included. */
	public static final int DEFAULT_MAX_ATTEMPTS = 3;

	/** Default {@code waitDuration}: 500 ms. */
	public static final Duration DEFAULT_WAIT_DURATION = Duration.ofMillis(500);

	/** Default {@code exponentialBackoffMultiplier}: 1.0, a fixed wait. */
	public static final double DEFAULT_EXPONENTIAL_BACKOFF_MULTIPLIER = 1.0;

	/** Default {@code randomizedWaitFactor}: 0, no jitter. */
	public static final double DEFAULT_RANDOMIZED_WAIT_FACTOR = 0.0;

	/** Default {@code retryOnRejection}: rejections are not retried. */
	public static final boolean DEFAULT_RETRY_ON_REJECTION = false;

	/**
	 * Default {@code matchCauseChain}: only the thrown exception's own type is matched.
	 */
	public static final boolean DEFAULT_MATCH_CAUSE_CHAIN = false;

	/** Default {@code budgetMaxTokens}: 0, no retry budget. */
	public static final int DEFAULT_BUDGET_MAX_TOKENS = 0;

	/**
	 * Default {@code budgetTokenRatio}: 0.1 token given back per successful execution.
	 */
	public static final double DEFAULT_BUDGET_TOKEN_RATIO = 0.1;

	/**
	 * The longest {@code waitDuration} and {@code exponentialMaxWaitDuration}, and the
	 * cap on the growing wait when {@code exponentialMaxWaitDuration} is not set: one
	 * day. The jitter applies after the cap, so an actual wait is below two days.
	 */
	// A retry that waits more than a day holds its caller (or its scheduled task) for
	// longer than any request lives; that is a job queue's work, not a retry's. Without
	// this cap an uncapped exponential wait grew to centuries within a few dozen retries.
	public static final Duration MAX_WAIT_DURATION = Duration.ofDays(1);

	private static final RetryConfig DEFAULTS = builder().build();

	private final int maxAttempts;

	private final Duration waitDuration;

	private final double exponentialBackoffMultiplier;

	private final @Nullable Duration exponentialMaxWaitDuration;

	private final double randomizedWaitFactor;

	private final List<Class<? extends Throwable>> retryExceptions;

	private final List<Class<? extends Throwable>> ignoreExceptions;

	private final @Nullable Predicate<Throwable> retryOnExceptionPredicate;

	private final boolean matchCauseChain;

	private final @Nullable Predicate<Object> retryOnResult;

	private final boolean retryOnRejection;

	private final int budgetMaxTokens;

	private final double budgetTokenRatio;

	private final @Nullable MinimumWait minimumWait;

	// Derived once here so that the runtime does no conversion per call.

	private final ExceptionMatcher exceptionMatcher;

	private final ExceptionMatcher rejectionMatcher;

	private final long waitNanos;

	private final long maxWaitNanos;

	private final long budgetMaxMilliTokens;

	private final long budgetMilliTokenRatio;

	private RetryConfig(Builder builder) {
		this.maxAttempts = builder.maxAttempts;
		this.waitDuration = builder.waitDuration;
		this.exponentialBackoffMultiplier = builder.exponentialBackoffMultiplier;
		this.exponentialMaxWaitDuration = builder.exponentialMaxWaitDuration;
		this.randomizedWaitFactor = builder.randomizedWaitFactor;
		this.retryExceptions = List.copyOf(builder.retryExceptions);
		this.ignoreExceptions = List.copyOf(builder.ignoreExceptions);
		this.retryOnExceptionPredicate = builder.retryOnExceptionPredicate;
		this.matchCauseChain = builder.matchCauseChain;
		this.retryOnResult = builder.retryOnResult;
		this.retryOnRejection = builder.retryOnRejection;
		this.budgetMaxTokens = builder.budgetMaxTokens;
		this.budgetTokenRatio = builder.budgetTokenRatio;
		this.minimumWait = builder.minimumWait;
		this.exceptionMatcher = (this.retryExceptions.isEmpty() && this.ignoreExceptions.isEmpty()
				&& this.retryOnExceptionPredicate == null) ? ExceptionMatcher.all()
						: ExceptionMatcher.of(this.retryExceptions, this.ignoreExceptions,
								this.retryOnExceptionPredicate, this.matchCauseChain);
		this.rejectionMatcher = this.ignoreExceptions.isEmpty() ? ExceptionMatcher.all()
				: ExceptionMatcher.of(List.of(), this.ignoreExceptions, null, this.matchCauseChain);
		this.waitNanos = SettingValidation.toNanos(this.waitDuration);
		// Without a cap the growing wait stops at the longest wait there may be.
		this.maxWaitNanos = (this.exponentialMaxWaitDuration != null)
				? SettingValidation.toNanos(this.exponentialMaxWaitDuration) : MAX_WAIT_DURATION.toNanos();
		this.budgetMaxMilliTokens = this.budgetMaxTokens * 1000L;
		this.budgetMilliTokenRatio = Math.round(this.budgetTokenRatio * 1000.0);
	}

	/**
	 * Returns the default configuration.
	 * @return the default configuration
	 */
	public static RetryConfig ofDefaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a builder with every setting at its default.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns a builder pre-filled with the settings of {@code base}, so that a named
	 * configuration can inherit from another and change only some settings.
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(RetryConfig base) {
		return new Builder(SettingValidation.notNull(base, "base"));
	}

	/**
	 * Returns the number of attempts in total, the first call included (at least 1).
	 * @return the maximum number of attempts
	 */
	public int maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * Returns the wait before the first retry.
	 * @return the base wait
	 */
	public Duration waitDuration() {
		return this.waitDuration;
	}

	/**
	 * Returns the factor by which the wait grows with every retry (1.0: a fixed wait).
	 * @return the backoff multiplier
	 */
	public double exponentialBackoffMultiplier() {
		return this.exponentialBackoffMultiplier;
	}

	/**
	 * Returns the cap on the computed wait, applied before the jitter.
	 * @return the cap, or {@code null} for none but {@link #MAX_WAIT_DURATION}
	 */
	public @Nullable Duration exponentialMaxWaitDuration() {
		return this.exponentialMaxWaitDuration;
	}

	/**
	 * Returns the jitter factor {@code f} in {@code [0, 1)}: the wait {@code w} becomes a
	 * uniform draw from {@code [w*(1-f), w*(1+f)]}.
	 * @return the jitter factor, 0 for none
	 */
	public double randomizedWaitFactor() {
		return this.randomizedWaitFactor;
	}

	/**
	 * Returns the exception types that are retried (empty with no predicate: all).
	 * @return the retried types
	 */
	public List<Class<? extends Throwable>> retryExceptions() {
		return this.retryExceptions;
	}

	/**
	 * Returns the exception types that are never retried, whatever else says.
	 * @return the ignored types
	 */
	public List<Class<? extends Throwable>> ignoreExceptions() {
		return this.ignoreExceptions;
	}

	/**
	 * Returns the extra test for retried exceptions.
	 * @return the predicate, or {@code null}
	 */
	public @Nullable Predicate<Throwable> retryOnExceptionPredicate() {
		return this.retryOnExceptionPredicate;
	}

	/**
	 * Tells whether exception types are matched against the causes of a failure too.
	 * @return {@code true} if the cause chain is matched
	 */
	public boolean matchCauseChain() {
		return this.matchCauseChain;
	}

	/**
	 * Returns the matcher, built from the exception settings, that decides whether a
	 * failure other than a rejection is retried.
	 * @return the exception matcher
	 */
	public ExceptionMatcher exceptionMatcher() {
		return this.exceptionMatcher;
	}

	/**
	 * Returns the test for returned values that are retried.
	 * @return the predicate, or {@code null} if no result is retried
	 */
	public @Nullable Predicate<Object> retryOnResult() {
		return this.retryOnResult;
	}

	/**
	 * Tells whether rejections (open circuit, no rate-limit permit, full bulkhead) are
	 * retried.
	 * @return {@code true} if rejections are retried
	 */
	public boolean retryOnRejection() {
		return this.retryOnRejection;
	}

	/**
	 * Returns the retry budget's capacity in tokens.
	 * @return the maximum tokens, 0 without a budget
	 */
	public int budgetMaxTokens() {
		return this.budgetMaxTokens;
	}

	/**
	 * Returns the tokens a successful execution gives back to the retry budget.
	 * @return the token ratio
	 */
	public double budgetTokenRatio() {
		return this.budgetTokenRatio;
	}

	/**
	 * Returns what derives from an attempt's outcome the least wait before the next
	 * attempt (an HTTP {@code Retry-After}).
	 * @return the hook, or {@code null} for none
	 */
	public @Nullable MinimumWait minimumWait() {
		return this.minimumWait;
	}

	boolean budgetEnabled() {
		return this.budgetMaxTokens > 0;
	}

	long waitNanos() {
		return this.waitNanos;
	}

	long maxWaitNanos() {
		return this.maxWaitNanos;
	}

	long budgetMaxMilliTokens() {
		return this.budgetMaxMilliTokens;
	}

	long budgetMilliTokenRatio() {
		return this.budgetMilliTokenRatio;
	}

	boolean isRetryable(Throwable failure) {
		if (failure instanceof ResilienceException resilienceException && resilienceException.isRejection()) {
			return this.retryOnRejection && this.rejectionMatcher.matches(failure);
		}
		return this.exceptionMatcher.matches(failure);
	}

	/**
	 * Describes this configuration: one entry per setting, named as its builder method,
	 * in the builder's order, with its value as the accessor of the same name returns it
	 * ({@link Duration}, enum, {@code List<Class>}, number, boolean). A setting that is
	 * unset (an optional one at {@code null}) is left out, and so are predicates and
	 * other settings made in code. The one place that lists the settings, for whoever
	 * shows a configuration (the Spring Boot starter's Actuator endpoints).
	 * @return the settings by name, in order; unmodifiable
	 */
	public Map<String, Object> describe() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("maxAttempts", this.maxAttempts);
		settings.put("waitDuration", this.waitDuration);
		settings.put("exponentialBackoffMultiplier", this.exponentialBackoffMultiplier);
		if (this.exponentialMaxWaitDuration != null) {
			settings.put("exponentialMaxWaitDuration", this.exponentialMaxWaitDuration);
		}
		settings.put("randomizedWaitFactor", this.randomizedWaitFactor);
		settings.put("retryExceptions", this.retryExceptions);
		settings.put("ignoreExceptions", this.ignoreExceptions);
		settings.put("matchCauseChain", this.matchCauseChain);
		settings.put("retryOnRejection", this.retryOnRejection);
		settings.put("budgetMaxTokens", this.budgetMaxTokens);
		settings.put("budgetTokenRatio", this.budgetTokenRatio);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "RetryConfig[maxAttempts=" + this.maxAttempts + ", waitDuration=" + this.waitDuration
				+ ", exponentialBackoffMultiplier=" + this.exponentialBackoffMultiplier
				+ ", exponentialMaxWaitDuration=" + this.exponentialMaxWaitDuration + ", randomizedWaitFactor="
				+ this.randomizedWaitFactor + ", retryExceptions=" + names(this.retryExceptions) + ", ignoreExceptions="
				+ names(this.ignoreExceptions) + ", retryOnExceptionPredicate="
				+ (this.retryOnExceptionPredicate != null) + ", matchCauseChain=" + this.matchCauseChain
				+ ", retryOnResult=" + (this.retryOnResult != null) + ", retryOnRejection=" + this.retryOnRejection
				+ ", budgetMaxTokens=" + this.budgetMaxTokens + ", budgetTokenRatio=" + this.budgetTokenRatio + "]";
	}

	private static List<String> names(List<Class<? extends Throwable>> types) {
		List<String> names = new ArrayList<>(types.size());
		types.forEach((type) -> names.add(type.getName()));
		return names;
	}

	/**
	 * Builds a {@link RetryConfig}; {@link #build()} validates the settings. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

		private Duration waitDuration = DEFAULT_WAIT_DURATION;

		private double exponentialBackoffMultiplier = DEFAULT_EXPONENTIAL_BACKOFF_MULTIPLIER;

		private @Nullable Duration exponentialMaxWaitDuration;

		private double randomizedWaitFactor = DEFAULT_RANDOMIZED_WAIT_FACTOR;

		private List<Class<? extends Throwable>> retryExceptions = List.of();

		private List<Class<? extends Throwable>> ignoreExceptions = List.of();

		private @Nullable Predicate<Throwable> retryOnExceptionPredicate;

		private boolean matchCauseChain = DEFAULT_MATCH_CAUSE_CHAIN;

		private @Nullable Predicate<Object> retryOnResult;

		private boolean retryOnRejection = DEFAULT_RETRY_ON_REJECTION;

		private int budgetMaxTokens = DEFAULT_BUDGET_MAX_TOKENS;

		private double budgetTokenRatio = DEFAULT_BUDGET_TOKEN_RATIO;

		private @Nullable MinimumWait minimumWait;

		private Builder() {
		}

		private Builder(RetryConfig base) {
			this.maxAttempts = base.maxAttempts;
			this.waitDuration = base.waitDuration;
			this.exponentialBackoffMultiplier = base.exponentialBackoffMultiplier;
			this.exponentialMaxWaitDuration = base.exponentialMaxWaitDuration;
			this.randomizedWaitFactor = base.randomizedWaitFactor;
			this.retryExceptions = base.retryExceptions;
			this.ignoreExceptions = base.ignoreExceptions;
			this.retryOnExceptionPredicate = base.retryOnExceptionPredicate;
			this.matchCauseChain = base.matchCauseChain;
			this.retryOnResult = base.retryOnResult;
			this.retryOnRejection = base.retryOnRejection;
			this.budgetMaxTokens = base.budgetMaxTokens;
			this.budgetTokenRatio = base.budgetTokenRatio;
			this.minimumWait = base.minimumWait;
		}

		/**
		 * Sets the number of attempts in total, the first call included. Default 3; at
		 * least 1 (1: no retry).
		 * @param maxAttempts the maximum number of attempts
		 * @return this builder
		 */
		public Builder maxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
			return this;
		}

		/**
		 * Sets the wait before the first retry. Default 500 ms; zero or more, at most
		 * {@link RetryConfig#MAX_WAIT_DURATION}.
		 * @param waitDuration the base wait
		 * @return this builder
		 */
		public Builder waitDuration(Duration waitDuration) {
			this.waitDuration = waitDuration;
			return this;
		}

		/**
		 * Sets the factor by which the wait grows with every retry: the wait before retry
		 * {@code k} is {@code waitDuration * multiplier^(k-1)}. Default 1.0 (a fixed
		 * wait); at least 1.0.
		 * @param exponentialBackoffMultiplier the backoff multiplier
		 * @return this builder
		 */
		public Builder exponentialBackoffMultiplier(double exponentialBackoffMultiplier) {
			this.exponentialBackoffMultiplier = exponentialBackoffMultiplier;
			return this;
		}

		/**
		 * Sets the cap on the computed wait, applied before the jitter. Default none (the
		 * cap is then {@link RetryConfig#MAX_WAIT_DURATION}); if set, at least
		 * {@code waitDuration} and at most {@link RetryConfig#MAX_WAIT_DURATION}.
		 * @param exponentialMaxWaitDuration the cap, or {@code null} for none
		 * @return this builder
		 */
		public Builder exponentialMaxWaitDuration(@Nullable Duration exponentialMaxWaitDuration) {
			this.exponentialMaxWaitDuration = exponentialMaxWaitDuration;
			return this;
		}

		/**
		 * Sets the jitter factor {@code f}: the (capped) wait {@code w} becomes a uniform
		 * draw from {@code [w*(1-f), w*(1+f)]}. Default 0 (no jitter); in {@code [0, 1)}.
		 * @param randomizedWaitFactor the jitter factor
		 * @return this builder
		 */
		public Builder randomizedWaitFactor(double randomizedWaitFactor) {
			this.randomizedWaitFactor = randomizedWaitFactor;
			return this;
		}

		/**
		 * Sets the exception types that are retried, replacing earlier ones. Default
		 * none, which with no predicate retries every exception.
		 * @param retryExceptions the retried types
		 * @return this builder
		 */
		@SafeVarargs
		public final Builder retryExceptions(Class<? extends Throwable>... retryExceptions) {
			SettingValidation.notNull(retryExceptions, "retryExceptions");
			// Copied one by one: the varargs array must not escape (heap pollution).
			List<Class<? extends Throwable>> types = new ArrayList<>(retryExceptions.length);
			for (Class<? extends Throwable> type : retryExceptions) {
				types.add(type);
			}
			return retryExceptions(types);
		}

		/**
		 * Sets the exception types that are retried, replacing earlier ones. Default
		 * none, which with no predicate retries every exception.
		 * @param retryExceptions the retried types
		 * @return this builder
		 */
		public Builder retryExceptions(List<Class<? extends Throwable>> retryExceptions) {
			this.retryExceptions = copyTypes(retryExceptions, "retryExceptions");
			return this;
		}

		/**
		 * Sets the exception types that are never retried, whatever else says, replacing
		 * earlier ones. Default none.
		 * @param ignoreExceptions the ignored types
		 * @return this builder
		 */
		@SafeVarargs
		public final Builder ignoreExceptions(Class<? extends Throwable>... ignoreExceptions) {
			SettingValidation.notNull(ignoreExceptions, "ignoreExceptions");
			// Copied one by one: the varargs array must not escape (heap pollution).
			List<Class<? extends Throwable>> types = new ArrayList<>(ignoreExceptions.length);
			for (Class<? extends Throwable> type : ignoreExceptions) {
				types.add(type);
			}
			return ignoreExceptions(types);
		}

		/**
		 * Sets the exception types that are never retried, whatever else says, replacing
		 * earlier ones. Default none.
		 * @param ignoreExceptions the ignored types
		 * @return this builder
		 */
		public Builder ignoreExceptions(List<Class<? extends Throwable>> ignoreExceptions) {
			this.ignoreExceptions = copyTypes(ignoreExceptions, "ignoreExceptions");
			return this;
		}

		/**
		 * Sets an extra test for retried exceptions: an exception is retried if it is an
		 * instance of a {@code retryExceptions} type or the predicate accepts it (and no
		 * {@code ignoreExceptions} type matches). Default none. The predicate runs on the
		 * failure path and must be thread-safe.
		 * @param retryOnExceptionPredicate the predicate, or {@code null}
		 * @return this builder
		 */
		public Builder retryOnExceptionPredicate(@Nullable Predicate<Throwable> retryOnExceptionPredicate) {
			this.retryOnExceptionPredicate = retryOnExceptionPredicate;
			return this;
		}

		/**
		 * Sets whether exception types are matched against the causes of a failure too,
		 * so that an {@code IOException} wrapped in a client library's exception is still
		 * retried (or still ignored). Default {@code false}.
		 * @param matchCauseChain whether to match the cause chain
		 * @return this builder
		 */
		public Builder matchCauseChain(boolean matchCauseChain) {
			this.matchCauseChain = matchCauseChain;
			return this;
		}

		/**
		 * Sets the test for returned values that are retried (a result it accepts counts
		 * as a failed attempt). When it still accepts the result of the last attempt, the
		 * caller gets that result. Default none. Runs on every return, so it must be
		 * cheap and thread-safe.
		 * @param retryOnResult the predicate, or {@code null}
		 * @return this builder
		 */
		public Builder retryOnResult(@Nullable Predicate<Object> retryOnResult) {
			this.retryOnResult = retryOnResult;
			return this;
		}

		/**
		 * Sets whether rejections (open circuit, no rate-limit permit, full bulkhead) are
		 * retried; they are then retried unless an {@code ignoreExceptions} type matches.
		 * Default {@code false}: never retried, whatever {@code retryExceptions} says.
		 * @param retryOnRejection whether to retry rejections
		 * @return this builder
		 */
		public Builder retryOnRejection(boolean retryOnRejection) {
			this.retryOnRejection = retryOnRejection;
			return this;
		}

		/**
		 * Sets the retry budget's capacity in tokens. Default 0 (no budget); otherwise at
		 * least 1.
		 * @param budgetMaxTokens the maximum tokens
		 * @return this builder
		 */
		public Builder budgetMaxTokens(int budgetMaxTokens) {
			this.budgetMaxTokens = budgetMaxTokens;
			return this;
		}

		/**
		 * Sets the tokens a successful execution gives back to the retry budget, kept to
		 * three decimal places. Default 0.1; greater than 0 and, with a budget, at most
		 * {@code budgetMaxTokens}.
		 * @param budgetTokenRatio the token ratio
		 * @return this builder
		 */
		public Builder budgetTokenRatio(double budgetTokenRatio) {
			this.budgetTokenRatio = budgetTokenRatio;
			return this;
		}

		/**
		 * Sets what derives from the outcome of an attempt that is to be retried the
		 * least wait before the next one, such as an HTTP {@code Retry-After}: the wait
		 * is then the larger of the computed one and that. A least wait longer than the
		 * cap on the wait ({@code exponentialMaxWaitDuration}, or
		 * {@link RetryConfig#MAX_WAIT_DURATION} without it) cannot be honoured: the
		 * execution ends at once with that attempt's outcome, counted as a failure after
		 * retries (or without, at the first attempt). Default none. Runs on the failure
		 * path only, so it must be cheap and thread-safe.
		 * @param minimumWait the hook, or {@code null} for none
		 * @return this builder
		 */
		public Builder minimumWait(@Nullable MinimumWait minimumWait) {
			this.minimumWait = minimumWait;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range
		 */
		public RetryConfig build() {
			SettingValidation.atLeast(this.maxAttempts, 1, "maxAttempts");
			SettingValidation.notNegative(this.waitDuration, MAX_WAIT_DURATION, "waitDuration");
			if (!(this.exponentialBackoffMultiplier >= 1.0
					&& this.exponentialBackoffMultiplier < Double.POSITIVE_INFINITY)) {
				throw SettingValidation.invalid("exponentialBackoffMultiplier", this.exponentialBackoffMultiplier,
						"exponentialBackoffMultiplier must be at least 1.0 but was "
								+ this.exponentialBackoffMultiplier);
			}
			if (this.exponentialMaxWaitDuration != null) {
				SettingValidation.atMost(this.exponentialMaxWaitDuration, MAX_WAIT_DURATION,
						"exponentialMaxWaitDuration");
			}
			if (this.exponentialMaxWaitDuration != null
					&& this.exponentialMaxWaitDuration.compareTo(this.waitDuration) < 0) {
				throw SettingValidation.invalid("exponentialMaxWaitDuration", this.exponentialMaxWaitDuration,
						"exponentialMaxWaitDuration must be at least waitDuration (" + this.waitDuration + ") but was "
								+ this.exponentialMaxWaitDuration);
			}
			if (!(this.randomizedWaitFactor >= 0.0 && this.randomizedWaitFactor < 1.0)) {
				throw SettingValidation.invalid("randomizedWaitFactor", this.randomizedWaitFactor,
						"randomizedWaitFactor must be at least 0.0 and less than 1.0 but was "
								+ this.randomizedWaitFactor);
			}
			SettingValidation.atLeast(this.budgetMaxTokens, 0, "budgetMaxTokens");
			if (!(this.budgetTokenRatio > 0.0 && this.budgetTokenRatio < Double.POSITIVE_INFINITY)) {
				throw SettingValidation.invalid("budgetTokenRatio", this.budgetTokenRatio,
						"budgetTokenRatio must be greater than 0.0 but was " + this.budgetTokenRatio);
			}
			if (this.budgetMaxTokens > 0 && this.budgetTokenRatio > this.budgetMaxTokens) {
				throw SettingValidation.invalid("budgetTokenRatio", this.budgetTokenRatio,
						"budgetTokenRatio must be at most budgetMaxTokens (" + this.budgetMaxTokens + ") but was "
								+ this.budgetTokenRatio);
			}
			if (this.budgetMaxTokens > 0 && Math.round(this.budgetTokenRatio * 1000.0) == 0) {
				throw SettingValidation.invalid("budgetTokenRatio", this.budgetTokenRatio,
						"budgetTokenRatio must be at least 0.001 with a budget but was " + this.budgetTokenRatio);
			}
			return new RetryConfig(this);
		}

		private static List<Class<? extends Throwable>> copyTypes(List<Class<? extends Throwable>> types,
				String setting) {
			SettingValidation.notNull(types, setting);
			for (Class<? extends Throwable> type : types) {
				Objects.requireNonNull(type, () -> setting + " must not contain null");
			}
			return List.copyOf(types);
		}

	}

	/**
	 * Derives from an attempt's outcome the least wait before the next attempt; see
	 * {@link Builder#minimumWait(MinimumWait)}.
	 */
	@FunctionalInterface
	public interface MinimumWait {

		/**
		 * Returns the least wait before the next attempt.
		 * @param result what the attempt returned, if it returned
		 * @param failure what it threw, or {@code null} if it returned
		 * @return the least wait in nanoseconds; 0 or less for none
		 */
		long minimumWaitNanos(@Nullable Object result, @Nullable Throwable failure);

	}

}
