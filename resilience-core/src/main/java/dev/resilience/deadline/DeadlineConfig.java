package dev.resilience.deadline;

import java.util.Objects;

/**
 * How a {@link dev.resilience.pipeline.Pipeline} treats the current {@link Deadline}:
 * whether it cuts what does not fit and whom it tells. A pipeline built without one uses
 * {@link #ofDefaults()}: it enforces every deadline and tells nobody.
 * <p>
 * Immutable and thread-safe.
 */
public final class DeadlineConfig {

	private static final DeadlineConfig DEFAULTS = builder().build();

	private final DeadlineMode mode;

	private final DeadlineListener listener;

	private DeadlineConfig(Builder builder) {
		this.mode = builder.mode;
		this.listener = builder.listener;
	}

	/**
	 * Returns the defaults: {@link DeadlineMode#ENFORCE}, {@link DeadlineListener#NONE}.
	 * @return the defaults
	 */
	public static DeadlineConfig ofDefaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a builder with the defaults.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns whether calls that do not fit are cut or only reported.
	 * @return the mode; default {@link DeadlineMode#ENFORCE}
	 */
	public DeadlineMode mode() {
		return this.mode;
	}

	/**
	 * Returns whom the pipeline tells of each call that does not fit.
	 * @return the listener; default {@link DeadlineListener#NONE}
	 */
	public DeadlineListener listener() {
		return this.listener;
	}

	@Override
	public String toString() {
		return "DeadlineConfig[mode=" + this.mode + "]";
	}

	/**
	 * Builds a {@link DeadlineConfig}.
	 */
	public static final class Builder {

		private DeadlineMode mode = DeadlineMode.ENFORCE;

		private DeadlineListener listener = DeadlineListener.NONE;

		private Builder() {
		}

		/**
		 * Sets whether calls that do not fit are cut or only reported.
		 * @param mode the mode
		 * @return this builder
		 */
		public Builder mode(DeadlineMode mode) {
			this.mode = Objects.requireNonNull(mode, "mode must not be null");
			return this;
		}

		/**
		 * Sets whom to tell of each call that does not fit.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(DeadlineListener listener) {
			this.listener = Objects.requireNonNull(listener, "listener must not be null");
			return this;
		}

		/**
		 * Builds the configuration.
		 * @return the configuration
		 */
		public DeadlineConfig build() {
			return new DeadlineConfig(this);
		}

	}

}
