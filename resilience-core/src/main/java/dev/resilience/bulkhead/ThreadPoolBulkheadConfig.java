package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.internal.SettingValidation;

/**
 * The configuration of a {@link ThreadPoolBulkhead}: a pool of {@code coreThreadPoolSize}
 * to {@code maxThreadPoolSize} threads in front of a queue of {@code queueCapacity}
 * calls; threads above the core size stop after {@code keepAliveDuration} without work.
 * <p>
 * As with {@link java.util.concurrent.ThreadPoolExecutor}, threads beyond the core size
 * are started only when the queue is full; a call is rejected when every thread is busy
 * and the queue is full.
 * <p>
 * Immutable and thread-safe.
 */
public final class ThreadPoolBulkheadConfig {

	/** Default {@code maxThreadPoolSize}: the number of available processors. */
	public static final int DEFAULT_MAX_THREAD_POOL_SIZE = Runtime.getRuntime().availableProcessors();

	/**
	 * Default {@code coreThreadPoolSize}: one less than the available processors, at
	 * least 1.
	 */
	public static final int DEFAULT_CORE_THREAD_POOL_SIZE = Math.max(1, DEFAULT_MAX_THREAD_POOL_SIZE - 1);

	/** Default {@code queueCapacity}: 100 calls. */
	public static final int DEFAULT_QUEUE_CAPACITY = 100;

	/** Default {@code keepAliveDuration}: 20 milliseconds. */
	public static final Duration DEFAULT_KEEP_ALIVE_DURATION = Duration.ofMillis(20);

	/**
	 * The longest {@code keepAliveDuration}: one day.
	 */
	// A thread kept idle for more than a day is a core thread in all but name: raise
	// coreThreadPoolSize instead.
	public static final Duration MAX_KEEP_ALIVE_DURATION = Duration.ofDays(1);

	private static final ThreadPoolBulkheadConfig DEFAULTS = builder().build();

	private final int coreThreadPoolSize;

	private final int maxThreadPoolSize;

	private final int queueCapacity;

	private final Duration keepAliveDuration;

	private ThreadPoolBulkheadConfig(Builder builder) {
		this.coreThreadPoolSize = builder.coreThreadPoolSize;
		this.maxThreadPoolSize = builder.maxThreadPoolSize;
		this.queueCapacity = builder.queueCapacity;
		this.keepAliveDuration = builder.keepAliveDuration;
	}

	/**
	 * Returns the default configuration.
	 * @return the defaults
	 */
	public static ThreadPoolBulkheadConfig ofDefaults() {
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
	 * Returns a builder filled with the settings of {@code base}, so that a named
	 * configuration can inherit from another and change only some settings.
	 * @param base the configuration to start from
	 * @return a new builder
	 */
	public static Builder from(ThreadPoolBulkheadConfig base) {
		SettingValidation.notNull(base, "base");
		return new Builder().coreThreadPoolSize(base.coreThreadPoolSize)
			.maxThreadPoolSize(base.maxThreadPoolSize)
			.queueCapacity(base.queueCapacity)
			.keepAliveDuration(base.keepAliveDuration);
	}

	/**
	 * Returns the number of threads kept even when idle.
	 * @return the core size, at least 1 and at most {@code maxThreadPoolSize}
	 */
	public int coreThreadPoolSize() {
		return this.coreThreadPoolSize;
	}

	/**
	 * Returns the most threads the pool runs.
	 * @return the maximum size, at least 1
	 */
	public int maxThreadPoolSize() {
		return this.maxThreadPoolSize;
	}

	/**
	 * Returns how many calls may wait for a thread.
	 * @return the queue capacity, zero or more (zero: hand calls straight to a thread)
	 */
	public int queueCapacity() {
		return this.queueCapacity;
	}

	/**
	 * Returns how long a thread above the core size waits for work before it stops.
	 * @return the keep-alive time, zero or more
	 */
	public Duration keepAliveDuration() {
		return this.keepAliveDuration;
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
		settings.put("coreThreadPoolSize", this.coreThreadPoolSize);
		settings.put("maxThreadPoolSize", this.maxThreadPoolSize);
		settings.put("queueCapacity", this.queueCapacity);
		settings.put("keepAliveDuration", this.keepAliveDuration);
		return Collections.unmodifiableMap(settings);
	}

	@Override
	public String toString() {
		return "ThreadPoolBulkheadConfig[coreThreadPoolSize=" + this.coreThreadPoolSize + ", maxThreadPoolSize="
				+ this.maxThreadPoolSize + ", queueCapacity=" + this.queueCapacity + ", keepAliveDuration="
				+ this.keepAliveDuration + "]";
	}

	/**
	 * Builds a {@link ThreadPoolBulkheadConfig}; {@link #build()} validates the settings.
	 * Not thread-safe.
	 */
	public static final class Builder {

		private int coreThreadPoolSize = DEFAULT_CORE_THREAD_POOL_SIZE;

		private int maxThreadPoolSize = DEFAULT_MAX_THREAD_POOL_SIZE;

		private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

		private Duration keepAliveDuration = DEFAULT_KEEP_ALIVE_DURATION;

		private Builder() {
		}

		/**
		 * Sets the number of threads kept even when idle. Default: available processors
		 * minus one, at least 1; at least 1 and at most {@code maxThreadPoolSize}.
		 * @param coreThreadPoolSize the core size
		 * @return this builder
		 */
		public Builder coreThreadPoolSize(int coreThreadPoolSize) {
			this.coreThreadPoolSize = coreThreadPoolSize;
			return this;
		}

		/**
		 * Sets the most threads the pool runs. Default: available processors; at least 1.
		 * @param maxThreadPoolSize the maximum size
		 * @return this builder
		 */
		public Builder maxThreadPoolSize(int maxThreadPoolSize) {
			this.maxThreadPoolSize = maxThreadPoolSize;
			return this;
		}

		/**
		 * Sets how many calls may wait for a thread. Default
		 * {@value ThreadPoolBulkheadConfig#DEFAULT_QUEUE_CAPACITY}; zero or more.
		 * @param queueCapacity the queue capacity
		 * @return this builder
		 */
		public Builder queueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
			return this;
		}

		/**
		 * Sets how long a thread above the core size waits for work before it stops.
		 * Default 20 milliseconds; zero or more, at most
		 * {@link ThreadPoolBulkheadConfig#MAX_KEEP_ALIVE_DURATION}.
		 * @param keepAliveDuration the keep-alive time
		 * @return this builder
		 */
		public Builder keepAliveDuration(Duration keepAliveDuration) {
			this.keepAliveDuration = keepAliveDuration;
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws dev.resilience.core.InvalidSettingException (an
		 * IllegalArgumentException that carries the setting's name and value) if a
		 * setting is out of range or {@code coreThreadPoolSize} exceeds
		 * {@code maxThreadPoolSize}
		 * @throws NullPointerException if a duration is {@code null}
		 */
		public ThreadPoolBulkheadConfig build() {
			SettingValidation.atLeast(this.coreThreadPoolSize, 1, "coreThreadPoolSize");
			SettingValidation.atLeast(this.maxThreadPoolSize, 1, "maxThreadPoolSize");
			SettingValidation.atLeast(this.queueCapacity, 0, "queueCapacity");
			SettingValidation.notNegative(this.keepAliveDuration, MAX_KEEP_ALIVE_DURATION, "keepAliveDuration");
			if (this.coreThreadPoolSize > this.maxThreadPoolSize) {
				throw SettingValidation.invalid("coreThreadPoolSize", this.coreThreadPoolSize,
						"coreThreadPoolSize must not exceed maxThreadPoolSize (" + this.maxThreadPoolSize + ") but was "
								+ this.coreThreadPoolSize);
			}
			return new ThreadPoolBulkheadConfig(this);
		}

	}

}
