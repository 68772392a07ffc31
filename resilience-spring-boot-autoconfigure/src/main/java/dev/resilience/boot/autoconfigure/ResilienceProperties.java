package dev.resilience.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.RetryConfig;
import dev.resilience.timeout.TimeoutConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code resilience.*} properties: per primitive, named {@code configs} that
 * instances inherit from through {@code base-config}, and named {@code instances}. An
 * instance that is not configured gets {@code configs.default}, else the library
 * defaults; a configured instance without {@code base-config} inherits
 * {@code configs.default} too.
 *
 * @param enabled whether the starter applies anything at all; read by
 * {@link ConditionalOnResilienceEnabled} before binding, so a value that is not a boolean
 * fails startup
 * @param order the order of the stages around an annotated method, outermost first (the
 * fallback is always outermost); every stage exactly once
 * @param circuitbreaker circuit breakers
 * @param retry retries
 * @param ratelimiter rate limiters
 * @param bulkhead semaphore bulkheads
 * @param threadPoolBulkhead thread-pool bulkheads ({@code @Bulkhead(type = THREAD_POOL)})
 * @param timeout timeouts
 * @param events the recent-events buffer behind the {@code resilienceevents} Actuator
 * endpoint
 * @param metrics Micrometer meters
 * @param observations Micrometer Observations of annotated calls
 * @param logging the log lines of circuit-breaker state changes
 * @param dashboard the live dashboard page
 * @param deadline deadlines that travel with a request
 * @param http policy sets for HTTP clients
 * @param chaos chaos experiments on named instances
 * @param shedding load shedding of inbound requests
 * @param clock the clock the primitives measure time with: {@code precise} (the default,
 * {@link System#nanoTime()} on each read) or {@code coarse} (a value a background thread
 * publishes every millisecond: no clock read on the call path, never ahead of the real
 * clock, at most about a millisecond behind it); see
 * {@link dev.resilience.core.CoarseTicker}
 */
@ConfigurationProperties(prefix = "resilience", ignoreUnknownFields = false)
public record ResilienceProperties(@DefaultValue("true") boolean enabled, @DefaultValue( {
		"retry", "circuit-breaker", "rate-limiter", "timeout", "bulkhead" }) List<Pipeline.Stage> order,
		@DefaultValue CircuitBreakers circuitbreaker, @DefaultValue Retries retry,
		@DefaultValue RateLimiters ratelimiter, @DefaultValue Bulkheads bulkhead,
		@DefaultValue ThreadPoolBulkheads threadPoolBulkhead, @DefaultValue Timeouts timeout,
		@DefaultValue Events events, @DefaultValue Metrics metrics, @DefaultValue Observations observations,
		@DefaultValue Logging logging, @DefaultValue Dashboard dashboard, @DefaultValue Deadlines deadline,
		@DefaultValue Http http, @DefaultValue Chaos chaos, @DefaultValue Shedding shedding,
		@DefaultValue("precise") Clock clock){

	/**
	 * Checks the order when the properties are bound, so that a wrong one fails startup
	 * even before any method is annotated.
	 * @throws ResilienceConfigurationException if the order names a stage twice or leaves
	 * one out
	 */
	public ResilienceProperties {
		order = StageOrder.check(order);
	}

	/**
	 * The clock of the primitives ({@code resilience.clock}).
	 */
	public enum Clock {

		/** {@link System#nanoTime()} on every read: exact, ~29 ns per read. */
		PRECISE,

		/**
		 * A time published every millisecond by one background thread: a field read,
		 * never ahead of the real clock and about a millisecond behind it at most while
		 * the thread keeps up; the thread parks while nothing reads.
		 */
		COARSE

	}

	/**
	 * The named configurations and instances of one primitive.
	 *
	 * @param <S> the settings type
	 */
	public interface Primitive<S> {

		/**
		 * Returns the named configurations.
		 * @return the configurations by name, never {@code null}
		 */
		Map<String, S> configs();

		/**
		 * Returns the named instances.
		 * @return the instances by name, never {@code null}
		 */
		Map<String, S> instances();

	}

	/**
	 * Named configurations and instances of circuit breakers.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record CircuitBreakers(@Nullable Map<String, CircuitBreakerSettings> configs,
			@Nullable Map<String, CircuitBreakerSettings> instances) implements Primitive<CircuitBreakerSettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public CircuitBreakers {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * Named configurations and instances of retries.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record Retries(@Nullable Map<String, RetrySettings> configs,
			@Nullable Map<String, RetrySettings> instances) implements Primitive<RetrySettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public Retries {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * Named configurations and instances of rate limiters.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record RateLimiters(@Nullable Map<String, RateLimiterSettings> configs,
			@Nullable Map<String, RateLimiterSettings> instances) implements Primitive<RateLimiterSettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public RateLimiters {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * Named configurations and instances of semaphore bulkheads.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record Bulkheads(@Nullable Map<String, BulkheadSettings> configs,
			@Nullable Map<String, BulkheadSettings> instances) implements Primitive<BulkheadSettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public Bulkheads {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * Named configurations and instances of thread-pool bulkheads.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record ThreadPoolBulkheads(@Nullable Map<String, ThreadPoolBulkheadSettings> configs,
			@Nullable Map<String, ThreadPoolBulkheadSettings> instances)
			implements
				Primitive<ThreadPoolBulkheadSettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public ThreadPoolBulkheads {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * Named configurations and instances of timeouts.
	 *
	 * @param configs named configurations; {@code default} applies to every instance
	 * @param instances named instances
	 */
	public record Timeouts(@Nullable Map<String, TimeoutSettings> configs,
			@Nullable Map<String, TimeoutSettings> instances) implements Primitive<TimeoutSettings> {

		/**
		 * Normalizes absent maps to empty ones.
		 */
		public Timeouts {
			configs = (configs != null) ? Map.copyOf(configs) : Map.of();
			instances = (instances != null) ? Map.copyOf(instances) : Map.of();
		}

	}

	/**
	 * The buffer of recent events shown by the {@code resilienceevents} Actuator
	 * endpoint; it exists only while that endpoint is available (exposed and not switched
	 * off), so that nobody listens to events otherwise.
	 *
	 * @param bufferSize the most recent events kept per instance (at least 1); default
	 * 100
	 */
	public record Events(@DefaultValue("100") int bufferSize) {

		/**
		 * Validates the buffer size.
		 * @throws ResilienceConfigurationException if it is below 1
		 */
		public Events {
			if (bufferSize < 1) {
				throw new ResilienceConfigurationException("resilience.events.buffer-size",
						"invalid value '" + bufferSize + "': it must be at least 1",
						"Set resilience.events.buffer-size to the number of recent events to keep per instance "
								+ "(default 100).");
			}
		}

	}

	/**
	 * A circuit breaker's settings; each maps onto the {@code CircuitBreakerConfig}
	 * setting of the same name. Unset values are inherited.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param slidingWindowType {@code count-based} (default) or {@code time-based}
	 * @param slidingWindowSize calls (count-based) or seconds (time-based) in the window;
	 * default 100
	 * @param minimumNumberOfCalls calls needed before a rate is computed; default 100
	 * @param failureRateThreshold failure rate in percent that opens the breaker; default
	 * 50
	 * @param slowCallRateThreshold slow-call rate in percent that opens the breaker;
	 * default 100
	 * @param slowCallDurationThreshold calls longer than this are slow; unset (default)
	 * turns slow-call tracking off; at most 1 day
	 * @param waitDurationInOpenState how long the breaker stays open; default 60s, at
	 * most 1 day
	 * @param waitDurationInOpenStateMultiplier growth of the open wait on consecutive
	 * opens; default 1 (constant)
	 * @param maxWaitDurationInOpenState cap on the growing open wait; default none (the
	 * wait stops at 1 day), at most 1 day
	 * @param automaticTransitionFromOpenToHalfOpenEnabled whether the breaker goes
	 * half-open by itself when the wait is over, rather than on the next call; default
	 * false
	 * @param permittedNumberOfCallsInHalfOpenState trial calls in half-open state;
	 * default 10
	 * @param maxWaitDurationInHalfOpenState how long the breaker may stay half-open
	 * before it opens again; default 0 (until the trial calls complete), at most 1 day
	 * @param recordExceptions exceptions counted as failures; default all
	 * @param ignoreExceptions exceptions never counted (they win over record-exceptions)
	 * @param matchCauseChain whether exception types are matched against causes too;
	 * default false
	 * @param allowHealthIndicatorToFail whether the health indicator reports {@code DOWN}
	 * when the breaker is open or forced open; default false
	 * @param registerHealthIndicator whether the instance has a health indicator; default
	 * true
	 */
	public record CircuitBreakerSettings(@Nullable String baseConfig,
			CircuitBreakerConfig.@Nullable SlidingWindowType slidingWindowType, @Nullable Integer slidingWindowSize,
			@Nullable Integer minimumNumberOfCalls, @Nullable Float failureRateThreshold,
			@Nullable Float slowCallRateThreshold, @Nullable Duration slowCallDurationThreshold,
			@Nullable Duration waitDurationInOpenState, @Nullable Double waitDurationInOpenStateMultiplier,
			@Nullable Duration maxWaitDurationInOpenState,
			@Nullable Boolean automaticTransitionFromOpenToHalfOpenEnabled,
			@Nullable Integer permittedNumberOfCallsInHalfOpenState, @Nullable Duration maxWaitDurationInHalfOpenState,
			@Nullable List<Class<? extends Throwable>> recordExceptions,
			@Nullable List<Class<? extends Throwable>> ignoreExceptions, @Nullable Boolean matchCauseChain,
			@Nullable Boolean allowHealthIndicatorToFail,
			@Nullable Boolean registerHealthIndicator) implements SettingsRecord<CircuitBreakerConfig.Builder> {

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(CircuitBreakerConfig.Builder builder, String property) {
			if (this.slidingWindowType != null) {
				builder.slidingWindowType(this.slidingWindowType);
			}
			if (this.slidingWindowSize != null) {
				builder.slidingWindowSize(this.slidingWindowSize);
			}
			if (this.minimumNumberOfCalls != null) {
				builder.minimumNumberOfCalls(this.minimumNumberOfCalls);
			}
			if (this.failureRateThreshold != null) {
				builder.failureRateThreshold(this.failureRateThreshold);
			}
			if (this.slowCallRateThreshold != null) {
				builder.slowCallRateThreshold(this.slowCallRateThreshold);
			}
			if (this.slowCallDurationThreshold != null) {
				builder.slowCallDurationThreshold(this.slowCallDurationThreshold);
			}
			if (this.waitDurationInOpenState != null) {
				builder.waitDurationInOpenState(this.waitDurationInOpenState);
			}
			if (this.waitDurationInOpenStateMultiplier != null) {
				builder.waitDurationInOpenStateMultiplier(this.waitDurationInOpenStateMultiplier);
			}
			if (this.maxWaitDurationInOpenState != null) {
				builder.maxWaitDurationInOpenState(this.maxWaitDurationInOpenState);
			}
			if (this.automaticTransitionFromOpenToHalfOpenEnabled != null) {
				builder.automaticTransitionFromOpenToHalfOpenEnabled(this.automaticTransitionFromOpenToHalfOpenEnabled);
			}
			if (this.permittedNumberOfCallsInHalfOpenState != null) {
				builder.permittedNumberOfCallsInHalfOpenState(this.permittedNumberOfCallsInHalfOpenState);
			}
			if (this.maxWaitDurationInHalfOpenState != null) {
				builder.maxWaitDurationInHalfOpenState(this.maxWaitDurationInHalfOpenState);
			}
			if (this.recordExceptions != null) {
				builder.recordExceptions(ExceptionTypes.check(this.recordExceptions, property + ".record-exceptions"));
			}
			if (this.ignoreExceptions != null) {
				builder.ignoreExceptions(ExceptionTypes.check(this.ignoreExceptions, property + ".ignore-exceptions"));
			}
			if (this.matchCauseChain != null) {
				builder.matchCauseChain(this.matchCauseChain);
			}
		}

		StarterSettings starterSettings() {
			return new StarterSettings(this.registerHealthIndicator, this.allowHealthIndicatorToFail, null, null, null);
		}

	}

	/**
	 * A retry's settings; each maps onto the {@code RetryConfig} setting of the same
	 * name.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param maxAttempts attempts in total, the first call included; default 3
	 * @param waitDuration wait before the first retry; default 500ms, at most 1 day
	 * @param exponentialBackoffMultiplier growth of the wait per retry; default 1 (fixed)
	 * @param exponentialMaxWaitDuration cap on the growing wait; default none (the wait
	 * stops at 1 day), at most 1 day
	 * @param randomizedWaitFactor jitter: the wait is drawn from [w(1-f), w(1+f)];
	 * default 0
	 * @param retryExceptions exceptions that are retried; default all
	 * @param ignoreExceptions exceptions never retried (they win over retry-exceptions)
	 * @param matchCauseChain whether exception types are matched against causes too;
	 * default false
	 * @param retryOnRejection whether rejections (open breaker, rate limited, bulkhead
	 * full) are retried; default false
	 * @param budgetMaxTokens retry budget size; 0 (default) turns the budget off
	 * @param budgetTokenRatio tokens a successful call gives back to the budget; default
	 * 0.1
	 */
	public record RetrySettings(@Nullable String baseConfig, @Nullable Integer maxAttempts,
			@Nullable Duration waitDuration, @Nullable Double exponentialBackoffMultiplier,
			@Nullable Duration exponentialMaxWaitDuration, @Nullable Double randomizedWaitFactor,
			@Nullable List<Class<? extends Throwable>> retryExceptions,
			@Nullable List<Class<? extends Throwable>> ignoreExceptions, @Nullable Boolean matchCauseChain,
			@Nullable Boolean retryOnRejection, @Nullable Integer budgetMaxTokens,
			@Nullable Double budgetTokenRatio) implements SettingsRecord<RetryConfig.Builder> {

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(RetryConfig.Builder builder, String property) {
			if (this.maxAttempts != null) {
				builder.maxAttempts(this.maxAttempts);
			}
			if (this.waitDuration != null) {
				builder.waitDuration(this.waitDuration);
			}
			if (this.exponentialBackoffMultiplier != null) {
				builder.exponentialBackoffMultiplier(this.exponentialBackoffMultiplier);
			}
			if (this.exponentialMaxWaitDuration != null) {
				builder.exponentialMaxWaitDuration(this.exponentialMaxWaitDuration);
			}
			if (this.randomizedWaitFactor != null) {
				builder.randomizedWaitFactor(this.randomizedWaitFactor);
			}
			if (this.retryExceptions != null) {
				builder.retryExceptions(ExceptionTypes.check(this.retryExceptions, property + ".retry-exceptions"));
			}
			if (this.ignoreExceptions != null) {
				builder.ignoreExceptions(ExceptionTypes.check(this.ignoreExceptions, property + ".ignore-exceptions"));
			}
			if (this.matchCauseChain != null) {
				builder.matchCauseChain(this.matchCauseChain);
			}
			if (this.retryOnRejection != null) {
				builder.retryOnRejection(this.retryOnRejection);
			}
			if (this.budgetMaxTokens != null) {
				builder.budgetMaxTokens(this.budgetMaxTokens);
			}
			if (this.budgetTokenRatio != null) {
				builder.budgetTokenRatio(this.budgetTokenRatio);
			}
		}

		StarterSettings starterSettings() {
			return StarterSettings.NONE;
		}

	}

	/**
	 * A rate limiter's settings; each maps onto the {@code RateLimiterConfig} setting of
	 * the same name.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param limitForPeriod permits per refresh period; default 50
	 * @param limitRefreshPeriod the period over which limit-for-period permits refill
	 * (continuously); default 1s, at most 2^60 ns (about 36 years)
	 * @param timeoutDuration how long a caller may wait for a permit; default 5s, at most
	 * 1 day
	 * @param burstCapacity permits the bucket holds; default limit-for-period
	 * @param maxKeys the most keys (@RateLimited key) holding a bucket that has not
	 * refilled; default 10000
	 * @param backend where the buckets live: {@code local} (default) or {@code redis}
	 * (shared by every instance of the application)
	 * @param onBackendFailure with {@code backend: redis}, what a decision does while
	 * Redis is down or slow: {@code allow} (default, fail open) or {@code deny} (fail
	 * closed)
	 * @param backendTimeout with {@code backend: redis}, how long a decision waits for
	 * Redis; default 100ms, greater than zero and at most {@link #MAX_BACKEND_TIMEOUT}
	 * @param allowHealthIndicatorToFail whether the health indicator reports {@code DOWN}
	 * when no permit is left; default false
	 * @param registerHealthIndicator whether the instance has a health indicator; default
	 * true
	 */
	public record RateLimiterSettings(@Nullable String baseConfig, @Nullable Integer limitForPeriod,
			@Nullable Duration limitRefreshPeriod, @Nullable Duration timeoutDuration, @Nullable Integer burstCapacity,
			@Nullable Integer maxKeys, @Nullable Backend backend, @Nullable OnBackendFailure onBackendFailure,
			@Nullable Duration backendTimeout, @Nullable Boolean allowHealthIndicatorToFail,
			@Nullable Boolean registerHealthIndicator) implements SettingsRecord<RateLimiterConfig.Builder> {

		/** Default {@code backend-timeout}: 100 milliseconds. */
		public static final Duration DEFAULT_BACKEND_TIMEOUT = Duration.ofMillis(100);

		/**
		 * The longest {@code backend-timeout}: one day, the longest wait any setting
		 * allows.
		 */
		// A decision blocks its caller while it waits for Redis; beyond a day (and far
		// before) that is an outage to fail over, not a wait. It also keeps the
		// nanosecond conversion of the Redis client's timeout from overflowing.
		public static final Duration MAX_BACKEND_TIMEOUT = Duration.ofDays(1);

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(RateLimiterConfig.Builder builder, String property) {
			if (this.limitForPeriod != null) {
				builder.limitForPeriod(this.limitForPeriod);
			}
			if (this.limitRefreshPeriod != null) {
				builder.limitRefreshPeriod(this.limitRefreshPeriod);
			}
			if (this.timeoutDuration != null) {
				builder.timeoutDuration(this.timeoutDuration);
			}
			if (this.burstCapacity != null) {
				builder.burstCapacity(this.burstCapacity);
			}
			if (this.maxKeys != null) {
				builder.maxKeys(this.maxKeys);
			}
		}

		StarterSettings starterSettings() {
			return new StarterSettings(this.registerHealthIndicator, this.allowHealthIndicatorToFail, this.backend,
					this.onBackendFailure, this.backendTimeout);
		}

	}

	/**
	 * A semaphore bulkhead's settings; each maps onto the {@code BulkheadConfig} setting
	 * of the same name.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param maxConcurrentCalls calls in flight at most; default 25
	 * @param maxWaitDuration how long a caller may wait for a place; default 0, at most 1
	 * day
	 * @param maxKeys the most keys (@Bulkhead key) with calls in flight; default 10000
	 * @param allowHealthIndicatorToFail whether the health indicator reports {@code DOWN}
	 * when no place is free; default false
	 * @param registerHealthIndicator whether the instance has a health indicator; default
	 * true
	 * @param limitAlgorithm how the limit is found: {@code fixed} (max-concurrent-calls,
	 * the default), {@code aimd}, {@code gradient2}, {@code vegas}
	 * @param initialLimit an adaptive limit's start; default 20
	 * @param minLimit the lowest an adaptive limit goes; default 1
	 * @param maxLimit the highest an adaptive limit goes; default 200
	 * @param backoffRatio AIMD: the factor applied to the limit on a drop; default 0.9
	 * @param timeout AIMD: the latency beyond which a call counts as a drop; default 5s
	 * @param smoothing Gradient2: the weight of a new estimate; default 0.2
	 * @param rttTolerance Gradient2: how many times its long-term average the latency may
	 * be before the limit shrinks; default 1.5
	 * @param longWindow Gradient2: the samples of the long-term latency average; default
	 * 600
	 * @param alpha Vegas: the queued calls below which the limit grows; default 3
	 * @param beta Vegas: the queued calls above which the limit shrinks; default 6
	 */
	public record BulkheadSettings(@Nullable String baseConfig, @Nullable Integer maxConcurrentCalls,
			@Nullable Duration maxWaitDuration, @Nullable Integer maxKeys, @Nullable Boolean allowHealthIndicatorToFail,
			@Nullable Boolean registerHealthIndicator, @Nullable LimitAlgorithm limitAlgorithm,
			@Nullable Integer initialLimit, @Nullable Integer minLimit, @Nullable Integer maxLimit,
			@Nullable Double backoffRatio, @Nullable Duration timeout, @Nullable Double smoothing,
			@Nullable Double rttTolerance, @Nullable Integer longWindow, @Nullable Integer alpha,
			@Nullable Integer beta) implements SettingsRecord<BulkheadConfig.Builder> {

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(BulkheadConfig.Builder builder, String property) {
			if (this.maxConcurrentCalls != null) {
				builder.maxConcurrentCalls(this.maxConcurrentCalls);
			}
			if (this.maxWaitDuration != null) {
				builder.maxWaitDuration(this.maxWaitDuration);
			}
			if (this.maxKeys != null) {
				builder.maxKeys(this.maxKeys);
			}
			if (this.limitAlgorithm != null) {
				builder.limitAlgorithm(this.limitAlgorithm);
			}
			if (this.initialLimit != null) {
				builder.initialLimit(this.initialLimit);
			}
			if (this.minLimit != null) {
				builder.minLimit(this.minLimit);
			}
			if (this.maxLimit != null) {
				builder.maxLimit(this.maxLimit);
			}
			if (this.backoffRatio != null) {
				builder.backoffRatio(this.backoffRatio);
			}
			if (this.timeout != null) {
				builder.timeout(this.timeout);
			}
			if (this.smoothing != null) {
				builder.smoothing(this.smoothing);
			}
			if (this.rttTolerance != null) {
				builder.rttTolerance(this.rttTolerance);
			}
			if (this.longWindow != null) {
				builder.longWindow(this.longWindow);
			}
			if (this.alpha != null) {
				builder.alpha(this.alpha);
			}
			if (this.beta != null) {
				builder.beta(this.beta);
			}
		}

		StarterSettings starterSettings() {
			return new StarterSettings(this.registerHealthIndicator, this.allowHealthIndicatorToFail, null, null, null);
		}

	}

	/**
	 * A thread-pool bulkhead's settings; each maps onto the
	 * {@code ThreadPoolBulkheadConfig} setting of the same name.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param coreThreadPoolSize threads kept alive; default processors - 1 (at least 1)
	 * @param maxThreadPoolSize threads at most; default processors
	 * @param queueCapacity calls that may wait for a thread; default 100
	 * @param keepAliveDuration how long an idle thread above the core size lives; default
	 * 20ms, at most 1 day
	 * @param allowHealthIndicatorToFail whether the health indicator reports {@code DOWN}
	 * when every thread is busy and the queue is full; default false
	 * @param registerHealthIndicator whether the instance has a health indicator; default
	 * true
	 */
	public record ThreadPoolBulkheadSettings(@Nullable String baseConfig, @Nullable Integer coreThreadPoolSize,
			@Nullable Integer maxThreadPoolSize, @Nullable Integer queueCapacity, @Nullable Duration keepAliveDuration,
			@Nullable Boolean allowHealthIndicatorToFail,
			@Nullable Boolean registerHealthIndicator) implements SettingsRecord<ThreadPoolBulkheadConfig.Builder> {

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(ThreadPoolBulkheadConfig.Builder builder, String property) {
			if (this.coreThreadPoolSize != null) {
				builder.coreThreadPoolSize(this.coreThreadPoolSize);
			}
			if (this.maxThreadPoolSize != null) {
				builder.maxThreadPoolSize(this.maxThreadPoolSize);
			}
			if (this.queueCapacity != null) {
				builder.queueCapacity(this.queueCapacity);
			}
			if (this.keepAliveDuration != null) {
				builder.keepAliveDuration(this.keepAliveDuration);
			}
		}

		StarterSettings starterSettings() {
			return new StarterSettings(this.registerHealthIndicator, this.allowHealthIndicatorToFail, null, null, null);
		}

	}

	/**
	 * A timeout's settings; each maps onto the {@code TimeoutConfig} setting of the same
	 * name.
	 *
	 * @param baseConfig the configuration this one inherits from
	 * @param timeoutDuration how long a call may take; default 1s, at most 1 day
	 * @param cancelRunningFuture whether an asynchronous call's own future is cancelled
	 * at the deadline; default true
	 */
	public record TimeoutSettings(@Nullable String baseConfig, @Nullable Duration timeoutDuration,
			@Nullable Boolean cancelRunningFuture) implements SettingsRecord<TimeoutConfig.Builder> {

		/**
		 * Applies the core settings that are set.
		 * @param builder the builder
		 * @param property these settings' property prefix, for errors
		 */
		@Override
		public void applyTo(TimeoutConfig.Builder builder, String property) {
			if (this.timeoutDuration != null) {
				builder.timeoutDuration(this.timeoutDuration);
			}
			if (this.cancelRunningFuture != null) {
				builder.cancelRunningFuture(this.cancelRunningFuture);
			}
		}

		StarterSettings starterSettings() {
			return StarterSettings.NONE;
		}

	}

	/**
	 * The Micrometer meters of every instance, bound when a {@code MeterRegistry} exists.
	 *
	 * @param enabled whether meters are registered; default true
	 * @param tags extra tags added to every meter, such as {@code region: eu-west}
	 * @param naming whose meter names the meters have; default
	 * {@link MetricsNaming#RESILIENCE}
	 */
	public record Metrics(@DefaultValue("true") boolean enabled, @Nullable Map<String, String> tags,
			@DefaultValue("resilience") MetricsNaming naming) {

		/**
		 * Normalizes absent tags to none.
		 */
		public Metrics {
			tags = (tags != null) ? Map.copyOf(tags) : Map.of();
		}

	}

	/**
	 * The Micrometer Observations of annotated calls ({@code resilience.call} per call,
	 * {@code resilience.attempt} per retry attempt), made when an
	 * {@code ObservationRegistry} bean exists.
	 *
	 * @param enabled whether calls are observed; default true (without an
	 * {@code ObservationRegistry} they are not, whatever this says)
	 */
	public record Observations(@DefaultValue("true") boolean enabled) {

	}

	/**
	 * The log lines of the resilience instances, under the logger
	 * {@code dev.resilience.circuitbreaker.transitions}.
	 *
	 * @param transitions whether every circuit-breaker state change is logged (one line,
	 * with the figures that caused it: {@code WARN} into {@code OPEN}, {@code INFO}
	 * otherwise), and the first call rejected after each opening; read like
	 * {@code resilience.enabled}; default true
	 */
	public record Logging(@DefaultValue("true") boolean transitions) {

	}

	/**
	 * The live dashboard: a page served from the starter's jar that shows every instance
	 * and acts on them through the Actuator endpoints. Needs Spring Boot Actuator, a web
	 * server (Spring MVC or WebFlux) and the {@code resilience} endpoint exposed. With a
	 * separate management port it is served there, beside the Actuator endpoints.
	 *
	 * @param enabled whether the page is served; default false (an operator's UI is opted
	 * into); read like {@code resilience.enabled} before binding, so a value that is not
	 * a boolean fails startup
	 * @param path where the page is served, relative to the web server's root (the
	 * servlet context path, or the management server's base path with a separate
	 * management port); default {@code /resilience}
	 */
	public record Dashboard(@DefaultValue("false") boolean enabled, @DefaultValue("/resilience") String path) {

	}

	/**
	 * Deadlines that travel with a request ({@code resilience.deadline.*}): read from an
	 * inbound header when a request arrives, carried with the request across thread hops,
	 * respected by every stage and sent on with outbound HTTP calls.
	 *
	 * @param enabled whether inbound requests get a deadline from their headers (or the
	 * default budget) and outbound HTTP calls send theirs on; default true. Deadlines set
	 * in code ({@code Deadline.within}) are respected either way
	 * @param mode whether a call that does not fit is cut ({@code enforce}) or only
	 * counted and logged at DEBUG ({@code observe}); default {@code observe}
	 * @param inboundHeaders the request headers that carry a budget, in milliseconds
	 * ({@code X-Request-Timeout-Ms}, {@code x-envoy-expected-rq-timeout-ms}) or in gRPC's
	 * {@code grpc-timeout} form; the smallest present wins, measured from when the
	 * request arrived (entered the first filter). A malformed value is left out, counted
	 * in {@code resilience.deadline.inbound.malformed{header}} and logged at DEBUG. Each
	 * must be an HTTP header name
	 * @param defaultBudget the budget of a request that carries none of those headers
	 * (zero or more, at most one day); default none
	 * @param outboundHeader the header that outbound HTTP calls carry the remaining
	 * budget in, in milliseconds; default {@code X-Request-Timeout-Ms}
	 * @param outboundMargin what is taken off the remaining budget before it is sent on,
	 * for the time the request and its answer spend on the wire (zero or more, at most
	 * one day); default 10 ms
	 */
	public record Deadlines(@DefaultValue("true") boolean enabled,
			@DefaultValue("observe") dev.resilience.deadline.DeadlineMode mode, @DefaultValue( {
					"X-Request-Timeout-Ms", "grpc-timeout",
					"x-envoy-expected-rq-timeout-ms" }) List<String> inboundHeaders,
			@Nullable Duration defaultBudget, @DefaultValue("X-Request-Timeout-Ms") String outboundHeader,
			@DefaultValue("10ms") Duration outboundMargin){

		/**
		 * Copies the header list.
		 */
		public Deadlines {
			inboundHeaders = List.copyOf(inboundHeaders);
		}

	}

	/**
	 * Policy sets for HTTP clients ({@code resilience.http.*}).
	 *
	 * @param clients the policy sets by name
	 */
	public record Http(@Nullable Map<String, HttpClientSettings> clients) {

		/**
		 * Normalizes an absent map to an empty one.
		 */
		public Http {
			clients = (clients != null) ? Map.copyOf(clients) : Map.of();
		}

	}

	/**
	 * One HTTP client's policy set ({@code resilience.http.clients.<name>.*}), compiled
	 * and checked at startup by {@code dev.resilience.boot.http.ResilienceHttp}. Every
	 * value left out comes from the preset, if any, or is off; every instance name must
	 * exist in its registry ({@code resilience.<primitive>.instances.<name>}).
	 *
	 * @param preset {@code standard}: rate limiter (off unless named) -> total timeout 30
	 * s -> retry (3 attempts, 500 ms doubling, +-50 % jitter, waits capped at 10 s) ->
	 * circuit breaker ({@code http.<name>}) -> attempt timeout 10 s; default none; any
	 * other value fails startup
	 * @param circuitBreaker the circuit breaker instance's name
	 * @param retry the name of the retry instance whose settings the set's own retry
	 * ({@code http.<name>}) takes
	 * @param rateLimiter the rate limiter instance's name (one permit per call)
	 * @param bulkhead the (semaphore) bulkhead instance's name
	 * @param attemptTimeout how long one attempt may take (positive)
	 * @param totalTimeout how long the call may take, every attempt and wait included
	 * (positive)
	 * @param breakerPerHost whether each downstream host (and port) gets its own circuit
	 * breaker, created on demand from the set's breaker's configuration, for at most 256
	 * hosts; needs a breaker
	 * @param failureStatuses the response statuses that are failures, as codes
	 * ({@code 503}) or series ({@code 5xx}); default 5xx, 408, 429
	 * @param retryStatuses the failure statuses that are retried; default those of
	 * {@code failureStatuses}
	 * @param retryNonIdempotent whether POST and PATCH are retried without an
	 * {@code Idempotency-Key} header; default false
	 * @param baseUrls absolute URLs: the requests of auto-configured builders whose URL
	 * starts with one go through this set
	 * @param qualifiers the client beans ({@code RestClient}, {@code WebClient} and their
	 * builders) this set applies to, by bean name or {@code @Qualifier}
	 */
	public record HttpClientSettings(@Nullable String preset, @Nullable String circuitBreaker, @Nullable String retry,
			@Nullable String rateLimiter, @Nullable String bulkhead, @Nullable Duration attemptTimeout,
			@Nullable Duration totalTimeout, @Nullable Boolean breakerPerHost, @Nullable List<String> failureStatuses,
			@Nullable List<String> retryStatuses, @Nullable Boolean retryNonIdempotent, @Nullable List<String> baseUrls,
			@Nullable List<String> qualifiers) {

	}

	/**
	 * Chaos experiments ({@code resilience.chaos.*}): faults injected innermost in the
	 * pipelines of the protected methods a rule targets, so that the real breakers,
	 * retries, timeouts and fallbacks react.
	 *
	 * @param enabled the master switch; default false: no chaos stage exists in any
	 * pipeline and the {@code chaos} endpoint refuses to enable rules; read like
	 * {@code resilience.enabled} before binding
	 * @param profiles the Spring profiles of which one must be active for chaos to be on;
	 * default none (the master switch alone decides)
	 * @param rules the rules by name
	 */
	public record Chaos(@DefaultValue("false") boolean enabled, @Nullable List<String> profiles,
			@Nullable Map<String, ChaosRuleSettings> rules) {

		/**
		 * Normalizes absent lists and maps to empty ones.
		 */
		public Chaos {
			profiles = (profiles != null) ? List.copyOf(profiles) : List.of();
			rules = (rules != null) ? Map.copyOf(rules) : Map.of();
		}

	}

	/**
	 * One chaos rule ({@code resilience.chaos.rules.<rule>.*}, or the body of {@code POST
	 * /actuator/chaos/{rule}}), checked when the application starts (or the endpoint is
	 * called).
	 *
	 * @param target the instance name (of any primitive) or {@code beanName.method} the
	 * rule applies to; required
	 * @param fault {@code exception}, {@code latency} or {@code result}; required
	 * @param rate the fraction of calls affected, 0.0 to 1.0; required
	 * @param enabled whether the rule injects; default true
	 * @param exception for {@code exception}: the class name of the exception thrown
	 * (instantiated at startup)
	 * @param message for {@code exception}: its message, after
	 * {@code chaos: rule '<rule>': }
	 * @param latency for {@code latency}: the delay before the real call
	 * @param latencyMin for {@code latency}: the shortest delay of a uniform range
	 * @param latencyMax for {@code latency}: the longest delay of a uniform range
	 * @param result for {@code result}: the name of the {@code ChaosResult} bean that
	 * makes the value returned instead of calling the method
	 */
	public record ChaosRuleSettings(@Nullable String target, @Nullable String fault, @Nullable Double rate,
			@Nullable Boolean enabled, @Nullable String exception, @Nullable String message, @Nullable Duration latency,
			@Nullable Duration latencyMin, @Nullable Duration latencyMax, @Nullable String result) {

	}

	/**
	 * Load shedding at the door ({@code resilience.shedding.*}): a servlet filter and a
	 * WebFlux filter bound the inbound requests in flight, and reject the excess with
	 * {@code 503} and {@code Retry-After} before any controller work. The limit is
	 * configured by the same keys as a bulkhead's adaptive limit, with the shedding's own
	 * defaults for {@code initial-limit} (100), {@code min-limit} (10) and
	 * {@code max-limit} (1000; the range applies to adaptive algorithms only), the others
	 * {@code LimitConfig}'s. Checked at startup: a wrong value fails it naming the
	 * property.
	 *
	 * @param enabled whether the filters exist; default false
	 * @param limitAlgorithm {@code fixed} (the default: {@code initial-limit} is the
	 * limit), {@code aimd}, {@code gradient2}, {@code vegas}
	 * @param initialLimit the limit at start (the limit, for {@code fixed}); default 100
	 * @param minLimit the lowest an adaptive limit goes; default 10
	 * @param maxLimit the highest an adaptive limit goes; default 1000
	 * @param backoffRatio AIMD: the factor applied to the limit on a drop; default 0.9
	 * @param timeout AIMD: the latency beyond which a request counts as a drop; default
	 * 5s
	 * @param smoothing Gradient2: the weight of a new estimate; default 0.2
	 * @param rttTolerance Gradient2: latency tolerance; default 1.5
	 * @param longWindow Gradient2: the samples of the long-term average; default 600
	 * @param alpha Vegas: the queued requests below which the limit grows; default 3
	 * @param beta Vegas: the queued requests above which the limit shrinks; default 6
	 * @param retryAfter the {@code Retry-After} of a rejection, in whole seconds (rounded
	 * up); default 1s
	 * @param maxWaitDuration how long a request of a partition below its share waits for
	 * a place when the limit is reached; default 100ms; zero never waits
	 * @param partitions the named partitions, in their matching order
	 */
	public record Shedding(@DefaultValue("false") boolean enabled, @Nullable LimitAlgorithm limitAlgorithm,
			@Nullable Integer initialLimit, @Nullable Integer minLimit, @Nullable Integer maxLimit,
			@Nullable Double backoffRatio, @Nullable Duration timeout, @Nullable Double smoothing,
			@Nullable Double rttTolerance, @Nullable Integer longWindow, @Nullable Integer alpha,
			@Nullable Integer beta, @DefaultValue("1s") Duration retryAfter,
			@DefaultValue("100ms") Duration maxWaitDuration, @Nullable Map<String, SheddingPartition> partitions) {

		/**
		 * Normalizes an absent map to an empty one, keeping the configured order.
		 */
		public Shedding {
			partitions = (partitions != null)
					? java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(partitions)) : Map.of();
		}

	}

	/**
	 * A load-shedding partition ({@code resilience.shedding.partitions.<name>.*}).
	 *
	 * @param share the fraction of the limit reserved for the partition's requests, above
	 * 0 and at most 1; the shares of all partitions sum to at most 1; required
	 * @param match what selects the partition's requests, any one of which matches:
	 * {@code path:<pattern>} (a path pattern such as {@code /orders/**}),
	 * {@code header:<name>=<value>} or {@code attribute:<name>=<value>} (a request
	 * attribute the application sets before the filter); required
	 */
	public record SheddingPartition(@Nullable Double share, @Nullable List<String> match) {

	}

	/**
	 * Whose names, types and tags the meters have ({@code resilience.metrics.naming}).
	 */
	public enum MetricsNaming {

		/** Our own: {@code resilience.*} (the default). */
		RESILIENCE,

		/**
		 * Resilience4j's Micrometer module's: {@code resilience4j.*}, instead of ours, so
		 * that dashboards and alerts written for Resilience4j keep working.
		 */
		RESILIENCE4J

	}

	/**
	 * Where a rate limiter's buckets live.
	 */
	public enum Backend {

		/** In this JVM. */
		LOCAL,

		/** In Redis, shared by every instance of the application. */
		REDIS

	}

	/**
	 * What a Redis-backed rate limiter does while Redis is down or slow.
	 */
	public enum OnBackendFailure {

		/** Permit the call (fail open). */
		ALLOW,

		/** Reject the call (fail closed). */
		DENY

	}

}
