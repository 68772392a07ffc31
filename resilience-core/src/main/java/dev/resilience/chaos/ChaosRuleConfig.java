package dev.resilience.chaos;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import dev.resilience.internal.SettingValidation;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of a {@link ChaosRule}: its fault, the fraction of calls it affects,
 * whether it is on, and what the fault needs (the exception to throw, the latency, the
 * result). Immutable and thread-safe.
 */
public final class ChaosRuleConfig {

	/** Default {@code rate}: 1.0, every call. */
	public static final double DEFAULT_RATE = 1.0;

	/** Default {@code enabled}: {@code true}. */
	public static final boolean DEFAULT_ENABLED = true;

	/** The longest {@code latencyMax}: one day. */
	// Longer is no experiment but a hang; the wait would hold a scheduled task that long.
	public static final Duration MAX_LATENCY = Duration.ofDays(1);

	private final ChaosFault fault;

	private final double rate;

	private final boolean enabled;

	private final @Nullable Supplier<? extends Throwable> exception;

	private final @Nullable Duration latencyMin;

	private final @Nullable Duration latencyMax;

	private final long latencyMinNanos;

	private final long latencySpanNanos;

	private final @Nullable Supplier<?> result;

	private ChaosRuleConfig(Builder builder) {
		this.fault = builder.fault;
		this.rate = builder.rate;
		this.enabled = builder.enabled;
		this.exception = builder.exception;
		this.latencyMin = builder.latencyMin;
		this.latencyMax = builder.latencyMax;
		this.latencyMinNanos = (this.latencyMin != null) ? SettingValidation.toNanos(this.latencyMin) : 0;
		this.latencySpanNanos = (this.latencyMax != null)
				? SettingValidation.toNanos(this.latencyMax) - this.latencyMinNanos : 0;
		this.result = builder.result;
	}

	/**
	 * Returns a builder for a rule of the given fault, every other setting at its
	 * default.
	 * @param fault the fault
	 * @return a new builder
	 */
	public static Builder builder(ChaosFault fault) {
		return new Builder(SettingValidation.notNull(fault, "fault"));
	}

	/**
	 * Returns a builder pre-filled with the settings of {@code base}, its fault included
	 * (to turn a rule off: {@code from(config).enabled(false).build()}).
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(ChaosRuleConfig base) {
		return new Builder(SettingValidation.notNull(base, "base"));
	}

	/**
	 * Returns what the rule does to a call it affects.
	 * @return the fault
	 */
	public ChaosFault fault() {
		return this.fault;
	}

	/**
	 * Returns the fraction of calls the rule affects.
	 * @return between 0.0 (none) and 1.0 (all)
	 */
	public double rate() {
		return this.rate;
	}

	/**
	 * Tells whether the rule is on; a disabled rule affects no call and costs no draw.
	 * @return {@code true} if it is on
	 */
	public boolean enabled() {
		return this.enabled;
	}

	/**
	 * Returns what makes the exception an {@link ChaosFault#EXCEPTION} fault throws: a
	 * fresh one per injection.
	 * @return the supplier, or {@code null} for the other faults
	 */
	public @Nullable Supplier<? extends Throwable> exception() {
		return this.exception;
	}

	/**
	 * Returns the shortest wait of a {@link ChaosFault#LATENCY} fault.
	 * @return the minimum, or {@code null} for the other faults
	 */
	public @Nullable Duration latencyMin() {
		return this.latencyMin;
	}

	/**
	 * Returns the longest wait of a {@link ChaosFault#LATENCY} fault; equal to
	 * {@link #latencyMin()} for a fixed latency.
	 * @return the maximum, or {@code null} for the other faults
	 */
	public @Nullable Duration latencyMax() {
		return this.latencyMax;
	}

	long latencyMinNanos() {
		return this.latencyMinNanos;
	}

	long latencySpanNanos() {
		return this.latencySpanNanos;
	}

	/**
	 * Returns what makes the value a {@link ChaosFault#RESULT} fault returns instead of
	 * the call's, asked once per injection.
	 * @return the supplier, or {@code null} for the other faults
	 */
	public @Nullable Supplier<?> result() {
		return this.result;
	}

	/**
	 * Describes this configuration: one entry per setting that is set, named as its
	 * builder method, in the builder's order ({@code fault}, {@code rate},
	 * {@code enabled}, then {@code latencyMin} and {@code latencyMax} for a latency);
	 * suppliers are left out.
	 * @return the settings by name; unmodifiable
	 */
	public Map<String, Object> describe() {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("fault", this.fault);
		settings.put("rate", this.rate);
		settings.put("enabled", this.enabled);
		if (this.latencyMin != null && this.latencyMax != null) {
			settings.put("latencyMin", this.latencyMin);
			settings.put("latencyMax", this.latencyMax);
		}
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "ChaosRuleConfig[fault=" + this.fault + ", rate=" + this.rate + ", enabled=" + this.enabled
				+ ((this.latencyMin != null) ? ", latencyMin=" + this.latencyMin + ", latencyMax=" + this.latencyMax
						: "")
				+ "]";
	}

	/**
	 * Builds a {@link ChaosRuleConfig}; {@link #build()} validates the settings: the
	 * rate, and that the fault has what it needs and nothing another fault needs. Not
	 * thread-safe.
	 */
	public static final class Builder {

		private final ChaosFault fault;

		private double rate = DEFAULT_RATE;

		private boolean enabled = DEFAULT_ENABLED;

		private @Nullable Supplier<? extends Throwable> exception;

		private @Nullable Duration latencyMin;

		private @Nullable Duration latencyMax;

		private @Nullable Supplier<?> result;

		private Builder(ChaosFault fault) {
			this.fault = fault;
		}

		private Builder(ChaosRuleConfig base) {
			this.fault = base.fault;
			this.rate = base.rate;
			this.enabled = base.enabled;
			this.exception = base.exception;
			this.latencyMin = base.latencyMin;
			this.latencyMax = base.latencyMax;
			this.result = base.result;
		}

		/**
		 * Sets the fraction of calls the rule affects. Default 1.0 (every call); between
		 * 0.0 and 1.0.
		 * @param rate the rate
		 * @return this builder
		 */
		public Builder rate(double rate) {
			this.rate = rate;
			return this;
		}

		/**
		 * Sets whether the rule is on. Default {@code true}.
		 * @param enabled whether the rule affects calls
		 * @return this builder
		 */
		public Builder enabled(boolean enabled) {
			this.enabled = enabled;
			return this;
		}

		/**
		 * Sets what makes the exception to throw, for an {@link ChaosFault#EXCEPTION}
		 * fault (required there, refused for the others). It must return a fresh
		 * exception per call (each is marked, see {@link Chaos#isInjected(Throwable)}),
		 * whose message starts with {@code chaos:} and names the rule, so that a log says
		 * where it came from.
		 * @param exception makes the exception
		 * @return this builder
		 */
		public Builder exception(Supplier<? extends Throwable> exception) {
			this.exception = SettingValidation.notNull(exception, "exception");
			return this;
		}

		/**
		 * Sets a fixed wait, for a {@link ChaosFault#LATENCY} fault (required there, in
		 * this form or as a range; refused for the others). Zero or more, at most
		 * {@link ChaosRuleConfig#MAX_LATENCY}.
		 * @param latency the wait
		 * @return this builder
		 */
		public Builder latency(Duration latency) {
			return latency(latency, latency);
		}

		/**
		 * Sets a wait drawn uniformly between {@code min} and {@code max} (the site's
		 * random source draws it), for a {@link ChaosFault#LATENCY} fault. Both zero or
		 * more, {@code max} at least {@code min} and at most
		 * {@link ChaosRuleConfig#MAX_LATENCY}.
		 * @param min the shortest wait
		 * @param max the longest wait
		 * @return this builder
		 */
		public Builder latency(Duration min, Duration max) {
			this.latencyMin = SettingValidation.notNull(min, "latencyMin");
			this.latencyMax = SettingValidation.notNull(max, "latencyMax");
			return this;
		}

		/**
		 * Sets what makes the value to return instead of the call's, for a
		 * {@link ChaosFault#RESULT} fault (required there, refused for the others). It
		 * may return {@code null}; asynchronously a
		 * {@link java.util.concurrent.CompletionStage} it returns is the call's outcome,
		 * and on the Reactor path a {@code Publisher} is (see the pipeline's Javadoc).
		 * @param result makes the value
		 * @return this builder
		 */
		public Builder result(Supplier<?> result) {
			this.result = SettingValidation.notNull(result, "result");
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range, missing for the fault, or given for another fault
		 */
		public ChaosRuleConfig build() {
			SettingValidation.between(this.rate, 0.0, 1.0, "rate");
			requiredFor(ChaosFault.EXCEPTION, this.exception, "exception");
			requiredFor(ChaosFault.LATENCY, this.latencyMin, "latency");
			requiredFor(ChaosFault.RESULT, this.result, "result");
			if (this.latencyMin != null && this.latencyMax != null) {
				SettingValidation.notNegative(this.latencyMin, MAX_LATENCY, "latencyMin");
				SettingValidation.notNegative(this.latencyMax, MAX_LATENCY, "latencyMax");
				if (this.latencyMax.compareTo(this.latencyMin) < 0) {
					throw SettingValidation.invalid("latencyMax", this.latencyMax,
							"latencyMax must be at least latencyMin (" + this.latencyMin + ") but was "
									+ this.latencyMax);
				}
			}
			return new ChaosRuleConfig(this);
		}

		private void requiredFor(ChaosFault owner, @Nullable Object value, String setting) {
			if (this.fault == owner && value == null) {
				throw SettingValidation.invalid(setting, "null",
						setting + " must be given for fault " + owner.value() + " but was not");
			}
			if (this.fault != owner && value != null) {
				throw SettingValidation.invalid(setting, value, setting + " applies to fault " + owner.value()
						+ " only, but the fault is " + this.fault.value());
			}
		}

	}

}
