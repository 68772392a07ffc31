/*
 * Design. Every scope wraps the Java builder of its configuration, which stays the one
 * place that holds the defaults and validates: a property's setter calls the builder's
 * setter of the same name at once (so build() reports a bad value exactly as in Java),
 * and a setting never set in the block is never passed on (the limit builders refuse a
 * setting "given" for another algorithm, so passing the defaults on would break them).
 * A property's getter returns the value last set, or else the base's (or the defaults')
 * value read from the configuration's own getters. The scopes run once, when a
 * configuration is built: nothing here is on the path of a call, except the thin
 * wrappers that turn a Kotlin function into the Java predicate or supplier.
 */
@file:JvmName("ResilienceDsl")

package dev.resilience.kotlin

import dev.resilience.bulkhead.BulkheadConfig
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig
import dev.resilience.chaos.ChaosFault
import dev.resilience.chaos.ChaosRuleConfig
import dev.resilience.circuitbreaker.CircuitBreakerConfig
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType
import dev.resilience.deadline.DeadlineConfig
import dev.resilience.deadline.DeadlineListener
import dev.resilience.deadline.DeadlineMode
import dev.resilience.limit.LimitAlgorithm
import dev.resilience.limit.LimitConfig
import dev.resilience.pipeline.Pipeline
import dev.resilience.ratelimiter.RateLimiterConfig
import dev.resilience.retry.RetryConfig
import dev.resilience.timeout.TimeoutConfig
import java.util.function.Predicate
import java.util.function.Supplier
import kotlin.properties.ReadWriteProperty
import kotlin.reflect.KClass
import kotlin.reflect.KProperty
import kotlin.time.Duration
import kotlin.time.Duration.Companion.nanoseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import java.time.Duration as JavaDuration

/** Marks the configuration DSL's scopes, so an inner block cannot set an outer one's settings by mistake. */
@DslMarker
public annotation class ResilienceDslMarker

/**
 * Builds a [Pipeline] with its Java builder as the receiver:
 * `pipeline { retry(retry); circuitBreaker(breaker) }`.
 *
 * @param block sets the pipeline's stages and options
 * @return the pipeline
 */
public inline fun pipeline(block: Pipeline.Builder.() -> Unit): Pipeline = Pipeline.builder().apply(block).build()

/**
 * One setting of a scope: [setValue] hands the value to the Java builder at once (were
 * it to throw, nothing is kept), then keeps it for [getValue]; until then [getValue]
 * reads [current], the base's or the defaults' value. [forget] drops a kept value, for
 * a setter that replaces others (BulkheadConfig.Builder.limit).
 */
private class Setting<T>(private val current: () -> T, private val forward: (T) -> Unit) :
    ReadWriteProperty<Any?, T> {

    private var given = false

    private var value: T? = null

    @Suppress("UNCHECKED_CAST")
    override fun getValue(thisRef: Any?, property: KProperty<*>): T = if (given) value as T else current()

    override fun setValue(thisRef: Any?, property: KProperty<*>, value: T) {
        forward(value)
        this.value = value
        this.given = true
    }

    fun forget() {
        this.given = false
        this.value = null
    }
}

private fun <T> setting(current: () -> T, forward: (T) -> Unit): Setting<T> = Setting(current, forward)

private fun durationSetting(current: () -> JavaDuration, forward: (JavaDuration) -> Unit): Setting<Duration> =
    Setting({ current().toKotlinDuration() }) { forward(it.toJavaDuration()) }

private fun optionalDurationSetting(
    current: () -> JavaDuration?,
    forward: (JavaDuration?) -> Unit,
): Setting<Duration?> = Setting({ current()?.toKotlinDuration() }) { forward(it?.toJavaDuration()) }

private fun exceptionsSetting(
    current: () -> List<Class<out Throwable>>,
    forward: (List<Class<out Throwable>>) -> Unit,
): Setting<List<KClass<out Throwable>>> =
    Setting({ current().map { it.kotlin } }) { types -> forward(types.map { it.java }) }

private fun failurePredicateSetting(
    current: () -> Predicate<Throwable>?,
    forward: (Predicate<Throwable>?) -> Unit,
): Setting<((Throwable) -> Boolean)?> =
    Setting({ current()?.let { it::test } }) { test ->
        forward(test?.let { Predicate<Throwable> { failure -> it(failure) } })
    }

// The Java result predicates are declared Predicate<Object> but are given null results
// too: the Kotlin side takes Any?, and the wrapper is a Predicate<Any?> so that Kotlin
// puts no null check on its parameter.
@Suppress("UNCHECKED_CAST")
private fun resultPredicateSetting(
    current: () -> Predicate<Any>?,
    forward: (Predicate<Any>?) -> Unit,
): Setting<((Any?) -> Boolean)?> =
    Setting({ (current() as Predicate<Any?>?)?.let { it::test } }) { test ->
        forward(test?.let { Predicate<Any?> { result -> it(result) } as Predicate<Any> })
    }

/**
 * Builds a [CircuitBreakerConfig] from the defaults:
 * `circuitBreakerConfig { failureRateThreshold = 50f; waitDurationInOpenState = 30.seconds }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range, as
 * [CircuitBreakerConfig.Builder.build] does
 */
public fun circuitBreakerConfig(block: CircuitBreakerConfigScope.() -> Unit): CircuitBreakerConfig =
    CircuitBreakerConfigScope(CircuitBreakerConfig.builder(), CircuitBreakerConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [CircuitBreakerConfig] that keeps every setting of [base] but those set in [block]
 * (Java's [CircuitBreakerConfig.from]).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun circuitBreakerConfig(
    base: CircuitBreakerConfig,
    block: CircuitBreakerConfigScope.() -> Unit,
): CircuitBreakerConfig = CircuitBreakerConfigScope(CircuitBreakerConfig.from(base), base).apply(block).build()

/**
 * The settings of a [CircuitBreakerConfig], each handed to [CircuitBreakerConfig.Builder]'s
 * setter of the same name, which documents its range and default. Not thread-safe.
 */
@ResilienceDslMarker
public class CircuitBreakerConfigScope internal constructor(
    private val builder: CircuitBreakerConfig.Builder,
    base: CircuitBreakerConfig,
) {

    /** How the sliding window is measured. See [CircuitBreakerConfig.Builder.slidingWindowType]. */
    public var slidingWindowType: SlidingWindowType by setting(base::slidingWindowType, builder::slidingWindowType)

    /** The window's size, in calls or seconds. See [CircuitBreakerConfig.Builder.slidingWindowSize]. */
    public var slidingWindowSize: Int by setting(base::slidingWindowSize, builder::slidingWindowSize)

    /**
     * Calls the window must hold before the breaker may open. See
     * [CircuitBreakerConfig.Builder.minimumNumberOfCalls].
     */
    public var minimumNumberOfCalls: Int by setting(base::minimumNumberOfCalls, builder::minimumNumberOfCalls)

    /** Failure rate in percent that opens the breaker. See [CircuitBreakerConfig.Builder.failureRateThreshold]. */
    public var failureRateThreshold: Float by setting(base::failureRateThreshold, builder::failureRateThreshold)

    /** Slow-call rate in percent that opens the breaker. See [CircuitBreakerConfig.Builder.slowCallRateThreshold]. */
    public var slowCallRateThreshold: Float by setting(base::slowCallRateThreshold, builder::slowCallRateThreshold)

    /**
     * Duration above which a call is slow, or null for no slow-call tracking. See
     * [CircuitBreakerConfig.Builder.slowCallDurationThreshold].
     */
    public var slowCallDurationThreshold: Duration?
        by optionalDurationSetting(base::slowCallDurationThreshold, builder::slowCallDurationThreshold)

    /**
     * How long the breaker stays open before trial calls. See
     * [CircuitBreakerConfig.Builder.waitDurationInOpenState].
     */
    public var waitDurationInOpenState: Duration
        by durationSetting(base::waitDurationInOpenState, builder::waitDurationInOpenState)

    /**
     * Factor by which the open-state wait grows on consecutive openings. See
     * [CircuitBreakerConfig.Builder.waitDurationInOpenStateMultiplier].
     */
    public var waitDurationInOpenStateMultiplier: Double
        by setting(base::waitDurationInOpenStateMultiplier, builder::waitDurationInOpenStateMultiplier)

    /**
     * Cap on the growing open-state wait, or null for none. See
     * [CircuitBreakerConfig.Builder.maxWaitDurationInOpenState].
     */
    public var maxWaitDurationInOpenState: Duration?
        by optionalDurationSetting(base::maxWaitDurationInOpenState, builder::maxWaitDurationInOpenState)

    /**
     * Whether the move from open to half-open is scheduled. See
     * [CircuitBreakerConfig.Builder.automaticTransitionFromOpenToHalfOpenEnabled].
     */
    public var automaticTransitionFromOpenToHalfOpenEnabled: Boolean by setting(
        base::automaticTransitionFromOpenToHalfOpenEnabled,
        builder::automaticTransitionFromOpenToHalfOpenEnabled,
    )

    /**
     * Trial calls the half-open state permits. See
     * [CircuitBreakerConfig.Builder.permittedNumberOfCallsInHalfOpenState].
     */
    public var permittedNumberOfCallsInHalfOpenState: Int
        by setting(base::permittedNumberOfCallsInHalfOpenState, builder::permittedNumberOfCallsInHalfOpenState)

    /**
     * How long the breaker may stay half-open, zero for no limit. See
     * [CircuitBreakerConfig.Builder.maxWaitDurationInHalfOpenState].
     */
    public var maxWaitDurationInHalfOpenState: Duration
        by durationSetting(base::maxWaitDurationInHalfOpenState, builder::maxWaitDurationInHalfOpenState)

    /** Exception types recorded as failures. See [CircuitBreakerConfig.Builder.recordExceptions]. */
    public var recordExceptions: List<KClass<out Throwable>>
        by exceptionsSetting(base::recordExceptions, builder::recordExceptions)

    /** Sets [recordExceptions]: `recordExceptions(IOException::class, TimeoutException::class)`. */
    public fun recordExceptions(vararg types: KClass<out Throwable>) {
        recordExceptions = types.asList()
    }

    /** Exception types that are ignored. See [CircuitBreakerConfig.Builder.ignoreExceptions]. */
    public var ignoreExceptions: List<KClass<out Throwable>>
        by exceptionsSetting(base::ignoreExceptions, builder::ignoreExceptions)

    /** Sets [ignoreExceptions]: `ignoreExceptions(BusinessException::class)`. */
    public fun ignoreExceptions(vararg types: KClass<out Throwable>) {
        ignoreExceptions = types.asList()
    }

    /**
     * Extra test of an exception recorded as a failure, or null. See
     * [CircuitBreakerConfig.Builder.recordFailurePredicate].
     */
    public var recordFailurePredicate: ((Throwable) -> Boolean)?
        by failurePredicateSetting(base::recordFailurePredicate, builder::recordFailurePredicate)

    /**
     * Whether exception types are matched against the cause chain too. See
     * [CircuitBreakerConfig.Builder.matchCauseChain].
     */
    public var matchCauseChain: Boolean by setting(base::matchCauseChain, builder::matchCauseChain)

    /**
     * Test that makes a returned value (maybe null) count as a failure, or null. See
     * [CircuitBreakerConfig.Builder.recordResult].
     */
    public var recordResult: ((Any?) -> Boolean)? by resultPredicateSetting(base::recordResult, builder::recordResult)

    internal fun build(): CircuitBreakerConfig = builder.build()
}

/**
 * Builds a [RetryConfig] from the defaults: `retryConfig { maxAttempts = 5; waitDuration = 200.milliseconds }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun retryConfig(block: RetryConfigScope.() -> Unit): RetryConfig =
    RetryConfigScope(RetryConfig.builder(), RetryConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [RetryConfig] that keeps every setting of [base] but those set in [block] (Java's [RetryConfig.from]).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun retryConfig(base: RetryConfig, block: RetryConfigScope.() -> Unit): RetryConfig =
    RetryConfigScope(RetryConfig.from(base), base).apply(block).build()

/**
 * The settings of a [RetryConfig], each handed to [RetryConfig.Builder]'s setter of the
 * same name, which documents its range and default. Not thread-safe.
 */
@ResilienceDslMarker
public class RetryConfigScope internal constructor(
    private val builder: RetryConfig.Builder,
    base: RetryConfig,
) {

    /** Attempts in all, the first included. See [RetryConfig.Builder.maxAttempts]. */
    public var maxAttempts: Int by setting(base::maxAttempts, builder::maxAttempts)

    /** Wait before the first retry. See [RetryConfig.Builder.waitDuration]. */
    public var waitDuration: Duration by durationSetting(base::waitDuration, builder::waitDuration)

    /** Factor by which the wait grows per retry. See [RetryConfig.Builder.exponentialBackoffMultiplier]. */
    public var exponentialBackoffMultiplier: Double
        by setting(base::exponentialBackoffMultiplier, builder::exponentialBackoffMultiplier)

    /** Cap on the growing wait, or null for none. See [RetryConfig.Builder.exponentialMaxWaitDuration]. */
    public var exponentialMaxWaitDuration: Duration?
        by optionalDurationSetting(base::exponentialMaxWaitDuration, builder::exponentialMaxWaitDuration)

    /** Fraction by which a wait is randomised. See [RetryConfig.Builder.randomizedWaitFactor]. */
    public var randomizedWaitFactor: Double by setting(base::randomizedWaitFactor, builder::randomizedWaitFactor)

    /** Exception types that are retried. See [RetryConfig.Builder.retryExceptions]. */
    public var retryExceptions: List<KClass<out Throwable>>
        by exceptionsSetting(base::retryExceptions, builder::retryExceptions)

    /** Sets [retryExceptions]: `retryExceptions(IOException::class, TimeoutException::class)`. */
    public fun retryExceptions(vararg types: KClass<out Throwable>) {
        retryExceptions = types.asList()
    }

    /** Exception types that are never retried. See [RetryConfig.Builder.ignoreExceptions]. */
    public var ignoreExceptions: List<KClass<out Throwable>>
        by exceptionsSetting(base::ignoreExceptions, builder::ignoreExceptions)

    /** Sets [ignoreExceptions]: `ignoreExceptions(BusinessException::class)`. */
    public fun ignoreExceptions(vararg types: KClass<out Throwable>) {
        ignoreExceptions = types.asList()
    }

    /** Extra test of an exception to retry, or null. See [RetryConfig.Builder.retryOnExceptionPredicate]. */
    public var retryOnExceptionPredicate: ((Throwable) -> Boolean)?
        by failurePredicateSetting(base::retryOnExceptionPredicate, builder::retryOnExceptionPredicate)

    /** Whether exception types are matched against the cause chain too. See [RetryConfig.Builder.matchCauseChain]. */
    public var matchCauseChain: Boolean by setting(base::matchCauseChain, builder::matchCauseChain)

    /** Test that makes a returned value (maybe null) be retried, or null. See [RetryConfig.Builder.retryOnResult]. */
    public var retryOnResult: ((Any?) -> Boolean)?
        by resultPredicateSetting(base::retryOnResult, builder::retryOnResult)

    /** Whether a rejection by an inner stage is retried. See [RetryConfig.Builder.retryOnRejection]. */
    public var retryOnRejection: Boolean by setting(base::retryOnRejection, builder::retryOnRejection)

    /** Tokens of the retry budget, 0 for no budget. See [RetryConfig.Builder.budgetMaxTokens]. */
    public var budgetMaxTokens: Int by setting(base::budgetMaxTokens, builder::budgetMaxTokens)

    /** Tokens a success gives back to the budget. See [RetryConfig.Builder.budgetTokenRatio]. */
    public var budgetTokenRatio: Double by setting(base::budgetTokenRatio, builder::budgetTokenRatio)

    /**
     * The least wait before the next attempt, from the attempt's result (or null) and
     * failure (or null), such as an HTTP `Retry-After`; zero or less for none; or null for
     * no such hook. See [RetryConfig.Builder.minimumWait].
     */
    public var minimumWait: ((result: Any?, failure: Throwable?) -> Duration)? by setting({
        base.minimumWait()?.let { wait ->
            { result: Any?, failure: Throwable? -> wait.minimumWaitNanos(result, failure).nanoseconds }
        }
    }) { wait ->
        builder.minimumWait(
            wait?.let { RetryConfig.MinimumWait { result, failure -> it(result, failure).inWholeNanoseconds } },
        )
    }

    internal fun build(): RetryConfig = builder.build()
}

/**
 * Builds a [RateLimiterConfig] from the defaults:
 * `rateLimiterConfig { limitForPeriod = 100; limitRefreshPeriod = 1.seconds }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun rateLimiterConfig(block: RateLimiterConfigScope.() -> Unit): RateLimiterConfig =
    RateLimiterConfigScope(RateLimiterConfig.builder(), RateLimiterConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [RateLimiterConfig] that keeps every setting of [base] but those set in [block]
 * (Java's [RateLimiterConfig.from]).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun rateLimiterConfig(base: RateLimiterConfig, block: RateLimiterConfigScope.() -> Unit): RateLimiterConfig =
    RateLimiterConfigScope(RateLimiterConfig.from(base), base).apply(block).build()

/**
 * The settings of a [RateLimiterConfig], each handed to [RateLimiterConfig.Builder]'s
 * setter of the same name, which documents its range and default. Not thread-safe.
 */
@ResilienceDslMarker
public class RateLimiterConfigScope internal constructor(
    private val builder: RateLimiterConfig.Builder,
    base: RateLimiterConfig,
) {

    /** Permits per refresh period. See [RateLimiterConfig.Builder.limitForPeriod]. */
    public var limitForPeriod: Int by setting(base::limitForPeriod, builder::limitForPeriod)

    /** The period in which [limitForPeriod] permits are given. See [RateLimiterConfig.Builder.limitRefreshPeriod]. */
    public var limitRefreshPeriod: Duration by durationSetting(base::limitRefreshPeriod, builder::limitRefreshPeriod)

    /** How long a caller waits for a permit. See [RateLimiterConfig.Builder.timeoutDuration]. */
    public var timeoutDuration: Duration by durationSetting(base::timeoutDuration, builder::timeoutDuration)

    /** Permits the bucket holds, 0 for [limitForPeriod]. See [RateLimiterConfig.Builder.burstCapacity]. */
    public var burstCapacity: Int by setting(base::burstCapacity, builder::burstCapacity)

    /** Most keys with a limiter of their own. See [RateLimiterConfig.Builder.maxKeys]. */
    public var maxKeys: Int by setting(base::maxKeys, builder::maxKeys)

    internal fun build(): RateLimiterConfig = builder.build()
}

/**
 * Builds a [BulkheadConfig] from the defaults: `bulkheadConfig { maxConcurrentCalls = 10 }`, or adaptive:
 * `bulkheadConfig { limitAlgorithm = LimitAlgorithm.AIMD; initialLimit = 10 }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range or
 * belongs to another limit algorithm
 */
public fun bulkheadConfig(block: BulkheadConfigScope.() -> Unit): BulkheadConfig =
    BulkheadConfigScope(BulkheadConfig.builder(), BulkheadConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [BulkheadConfig] that keeps every setting of [base] but those set in [block]
 * (Java's [BulkheadConfig.from]; the base's settings count as not given).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range or
 * belongs to another limit algorithm
 */
public fun bulkheadConfig(base: BulkheadConfig, block: BulkheadConfigScope.() -> Unit): BulkheadConfig =
    BulkheadConfigScope(BulkheadConfig.from(base), base).apply(block).build()

/**
 * The settings of a [BulkheadConfig], each handed to [BulkheadConfig.Builder]'s setter of
 * the same name, which documents its range and default and refuses a setting given for
 * another limit algorithm. Not thread-safe.
 */
@ResilienceDslMarker
public class BulkheadConfigScope internal constructor(
    private val builder: BulkheadConfig.Builder,
    base: BulkheadConfig,
) {

    // What the limit settings read until set: the base's limit, or the one given to limit().
    private var limitBase: LimitConfig = base.limit()

    private val limitSettings = ArrayList<Setting<*>>()

    private fun <T> limitSetting(current: LimitConfig.() -> T, forward: (T) -> Unit): Setting<T> =
        Setting({ limitBase.current() }, forward).also { limitSettings += it }

    /** Most calls in flight at once, for the fixed limit algorithm. See [BulkheadConfig.Builder.maxConcurrentCalls]. */
    public var maxConcurrentCalls: Int by setting(base::maxConcurrentCalls, builder::maxConcurrentCalls)

    /** How long a caller waits for a place. See [BulkheadConfig.Builder.maxWaitDuration]. */
    public var maxWaitDuration: Duration by durationSetting(base::maxWaitDuration, builder::maxWaitDuration)

    /** Most keys with a bulkhead of their own. See [BulkheadConfig.Builder.maxKeys]. */
    public var maxKeys: Int by setting(base::maxKeys, builder::maxKeys)

    /**
     * Sets the limit's algorithm and all its settings at once, replacing the limit
     * settings set so far (the settings of [limit] count as given). See [BulkheadConfig.Builder.limit].
     *
     * @param limit the limit's configuration, such as one built by [limitConfig]
     */
    public fun limit(limit: LimitConfig) {
        builder.limit(limit)
        limitBase = limit
        limitSettings.forEach { it.forget() }
    }

    /** How the limit is found. See [BulkheadConfig.Builder.limitAlgorithm]. */
    public var limitAlgorithm: LimitAlgorithm by limitSetting(LimitConfig::algorithm, builder::limitAlgorithm)

    /** An adaptive limit's start. See [BulkheadConfig.Builder.initialLimit]. */
    public var initialLimit: Int by limitSetting(LimitConfig::initialLimit, builder::initialLimit)

    /** The lowest an adaptive limit goes. See [BulkheadConfig.Builder.minLimit]. */
    public var minLimit: Int by limitSetting(LimitConfig::minLimit, builder::minLimit)

    /** The highest an adaptive limit goes. See [BulkheadConfig.Builder.maxLimit]. */
    public var maxLimit: Int by limitSetting(LimitConfig::maxLimit, builder::maxLimit)

    /** AIMD's factor on a drop. See [BulkheadConfig.Builder.backoffRatio]. */
    public var backoffRatio: Double by limitSetting(LimitConfig::backoffRatio, builder::backoffRatio)

    /** AIMD's latency beyond which a call counts as a drop. See [BulkheadConfig.Builder.timeout]. */
    public var timeout: Duration
        by limitSetting({ timeout().toKotlinDuration() }) { builder.timeout(it.toJavaDuration()) }

    /** Gradient2's smoothing. See [BulkheadConfig.Builder.smoothing]. */
    public var smoothing: Double by limitSetting(LimitConfig::smoothing, builder::smoothing)

    /** Gradient2's latency tolerance. See [BulkheadConfig.Builder.rttTolerance]. */
    public var rttTolerance: Double by limitSetting(LimitConfig::rttTolerance, builder::rttTolerance)

    /** Gradient2's long window, in samples. See [BulkheadConfig.Builder.longWindow]. */
    public var longWindow: Int by limitSetting(LimitConfig::longWindow, builder::longWindow)

    /** Vegas's queue size, in calls, below which the limit grows. See [BulkheadConfig.Builder.alpha]. */
    public var alpha: Int by limitSetting(LimitConfig::alpha, builder::alpha)

    /** Vegas's queue size, in calls, above which the limit shrinks. See [BulkheadConfig.Builder.beta]. */
    public var beta: Int by limitSetting(LimitConfig::beta, builder::beta)

    internal fun build(): BulkheadConfig = builder.build()
}

/**
 * Builds a [ThreadPoolBulkheadConfig] from the defaults: `threadPoolBulkheadConfig { maxThreadPoolSize = 8 }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun threadPoolBulkheadConfig(block: ThreadPoolBulkheadConfigScope.() -> Unit): ThreadPoolBulkheadConfig =
    ThreadPoolBulkheadConfigScope(ThreadPoolBulkheadConfig.builder(), ThreadPoolBulkheadConfig.ofDefaults())
        .apply(block)
        .build()

/**
 * Builds a [ThreadPoolBulkheadConfig] that keeps every setting of [base] but those set in
 * [block] (Java's [ThreadPoolBulkheadConfig.from]).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun threadPoolBulkheadConfig(
    base: ThreadPoolBulkheadConfig,
    block: ThreadPoolBulkheadConfigScope.() -> Unit,
): ThreadPoolBulkheadConfig =
    ThreadPoolBulkheadConfigScope(ThreadPoolBulkheadConfig.from(base), base).apply(block).build()

/**
 * The settings of a [ThreadPoolBulkheadConfig], each handed to
 * [ThreadPoolBulkheadConfig.Builder]'s setter of the same name, which documents its range
 * and default. Not thread-safe.
 */
@ResilienceDslMarker
public class ThreadPoolBulkheadConfigScope internal constructor(
    private val builder: ThreadPoolBulkheadConfig.Builder,
    base: ThreadPoolBulkheadConfig,
) {

    /** Threads kept in the pool. See [ThreadPoolBulkheadConfig.Builder.coreThreadPoolSize]. */
    public var coreThreadPoolSize: Int by setting(base::coreThreadPoolSize, builder::coreThreadPoolSize)

    /** Most threads in the pool. See [ThreadPoolBulkheadConfig.Builder.maxThreadPoolSize]. */
    public var maxThreadPoolSize: Int by setting(base::maxThreadPoolSize, builder::maxThreadPoolSize)

    /** Calls that may wait in the queue. See [ThreadPoolBulkheadConfig.Builder.queueCapacity]. */
    public var queueCapacity: Int by setting(base::queueCapacity, builder::queueCapacity)

    /**
     * How long a thread above the core size idles before it ends. See
     * [ThreadPoolBulkheadConfig.Builder.keepAliveDuration].
     */
    public var keepAliveDuration: Duration by durationSetting(base::keepAliveDuration, builder::keepAliveDuration)

    internal fun build(): ThreadPoolBulkheadConfig = builder.build()
}

/**
 * Builds a [TimeoutConfig] from the defaults: `timeoutConfig { timeoutDuration = 2.seconds }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun timeoutConfig(block: TimeoutConfigScope.() -> Unit): TimeoutConfig =
    TimeoutConfigScope(TimeoutConfig.builder(), TimeoutConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [TimeoutConfig] that keeps every setting of [base] but those set in [block]
 * (Java's [TimeoutConfig.from]).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun timeoutConfig(base: TimeoutConfig, block: TimeoutConfigScope.() -> Unit): TimeoutConfig =
    TimeoutConfigScope(TimeoutConfig.from(base), base).apply(block).build()

/**
 * The settings of a [TimeoutConfig], each handed to [TimeoutConfig.Builder]'s setter of
 * the same name, which documents its range and default. Not thread-safe.
 */
@ResilienceDslMarker
public class TimeoutConfigScope internal constructor(
    private val builder: TimeoutConfig.Builder,
    base: TimeoutConfig,
) {

    /** How long a call may take. See [TimeoutConfig.Builder.timeoutDuration]. */
    public var timeoutDuration: Duration by durationSetting(base::timeoutDuration, builder::timeoutDuration)

    /** Whether a timed-out future is cancelled. See [TimeoutConfig.Builder.cancelRunningFuture]. */
    public var cancelRunningFuture: Boolean by setting(base::cancelRunningFuture, builder::cancelRunningFuture)

    internal fun build(): TimeoutConfig = builder.build()
}

/**
 * Builds a [LimitConfig] from the defaults: `limitConfig { limitAlgorithm = LimitAlgorithm.VEGAS; alpha = 4 }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range or
 * belongs to another limit algorithm
 */
public fun limitConfig(block: LimitConfigScope.() -> Unit): LimitConfig =
    LimitConfigScope(LimitConfig.builder(), LimitConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [LimitConfig] that keeps every setting of [base] but those set in [block]
 * (Java's [LimitConfig.from]; the base's settings count as not given).
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range or
 * belongs to another limit algorithm
 */
public fun limitConfig(base: LimitConfig, block: LimitConfigScope.() -> Unit): LimitConfig =
    LimitConfigScope(LimitConfig.from(base), base).apply(block).build()

/**
 * The settings of a [LimitConfig], each handed to [LimitConfig.Builder]'s setter of the
 * same name, which documents its range and default and refuses a setting given for
 * another algorithm. Not thread-safe.
 */
@ResilienceDslMarker
public class LimitConfigScope internal constructor(
    private val builder: LimitConfig.Builder,
    base: LimitConfig,
) {

    /** The algorithm. See [LimitConfig.Builder.limitAlgorithm]. */
    public var limitAlgorithm: LimitAlgorithm by setting(base::algorithm, builder::limitAlgorithm)

    /** The limit at start (the limit itself, for fixed). See [LimitConfig.Builder.initialLimit]. */
    public var initialLimit: Int by setting(base::initialLimit, builder::initialLimit)

    /** The lowest an adaptive limit goes. See [LimitConfig.Builder.minLimit]. */
    public var minLimit: Int by setting(base::minLimit, builder::minLimit)

    /** The highest an adaptive limit goes. See [LimitConfig.Builder.maxLimit]. */
    public var maxLimit: Int by setting(base::maxLimit, builder::maxLimit)

    /** AIMD's factor on a drop. See [LimitConfig.Builder.backoffRatio]. */
    public var backoffRatio: Double by setting(base::backoffRatio, builder::backoffRatio)

    /** AIMD's latency beyond which a call counts as a drop. See [LimitConfig.Builder.timeout]. */
    public var timeout: Duration by durationSetting(base::timeout, builder::timeout)

    /** Gradient2's smoothing. See [LimitConfig.Builder.smoothing]. */
    public var smoothing: Double by setting(base::smoothing, builder::smoothing)

    /** Gradient2's latency tolerance. See [LimitConfig.Builder.rttTolerance]. */
    public var rttTolerance: Double by setting(base::rttTolerance, builder::rttTolerance)

    /** Gradient2's long window, in samples. See [LimitConfig.Builder.longWindow]. */
    public var longWindow: Int by setting(base::longWindow, builder::longWindow)

    /** Vegas's queue size, in calls, below which the limit grows. See [LimitConfig.Builder.alpha]. */
    public var alpha: Int by setting(base::alpha, builder::alpha)

    /** Vegas's queue size, in calls, above which the limit shrinks. See [LimitConfig.Builder.beta]. */
    public var beta: Int by setting(base::beta, builder::beta)

    internal fun build(): LimitConfig = builder.build()
}

/**
 * Builds a [DeadlineConfig] from the defaults: `deadlineConfig { mode = DeadlineMode.OBSERVE }`.
 *
 * @param block sets the settings that differ from the defaults
 * @return the configuration
 */
public fun deadlineConfig(block: DeadlineConfigScope.() -> Unit): DeadlineConfig =
    DeadlineConfigScope(DeadlineConfig.builder(), DeadlineConfig.ofDefaults()).apply(block).build()

/**
 * Builds a [DeadlineConfig] that keeps every setting of [base] but those set in [block].
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 */
public fun deadlineConfig(base: DeadlineConfig, block: DeadlineConfigScope.() -> Unit): DeadlineConfig =
    // DeadlineConfig has no Builder.from(base): its two settings are copied, neither
    // subject to a "given" rule.
    DeadlineConfigScope(DeadlineConfig.builder().mode(base.mode()).listener(base.listener()), base)
        .apply(block)
        .build()

/**
 * The settings of a [DeadlineConfig], each handed to [DeadlineConfig.Builder]'s setter of
 * the same name, which documents its default. Not thread-safe.
 */
@ResilienceDslMarker
public class DeadlineConfigScope internal constructor(
    private val builder: DeadlineConfig.Builder,
    base: DeadlineConfig,
) {

    /** Whether a passed deadline is enforced or only observed. See [DeadlineConfig.Builder.mode]. */
    public var mode: DeadlineMode by setting(base::mode, builder::mode)

    /** Whom to tell of a passed deadline. See [DeadlineConfig.Builder.listener]. */
    public var listener: DeadlineListener by setting(base::listener, builder::listener)

    internal fun build(): DeadlineConfig = builder.build()
}

/**
 * Builds a [ChaosRuleConfig] for [fault]:
 * `chaosRuleConfig(ChaosFault.LATENCY) { rate = 0.1; latency(100.milliseconds, 2.seconds) }`.
 *
 * @param fault what the rule does to a call it affects
 * @param block sets the fault's needs and the settings that differ from the defaults
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range,
 * missing for the fault or given for another fault
 */
public fun chaosRuleConfig(fault: ChaosFault, block: ChaosRuleConfigScope.() -> Unit): ChaosRuleConfig =
    ChaosRuleConfigScope(ChaosRuleConfig.builder(fault), fault, null).apply(block).build()

/**
 * Builds a [ChaosRuleConfig] that keeps every setting of [base], its fault included, but
 * those set in [block] (Java's [ChaosRuleConfig.from]): `chaosRuleConfig(rule) { enabled = false }`.
 *
 * @param base the configuration to start from
 * @param block sets the settings that differ from the base's
 * @return the configuration
 * @throws dev.resilience.core.InvalidSettingException if a setting is out of range
 */
public fun chaosRuleConfig(base: ChaosRuleConfig, block: ChaosRuleConfigScope.() -> Unit): ChaosRuleConfig =
    ChaosRuleConfigScope(ChaosRuleConfig.from(base), base.fault(), base).apply(block).build()

/**
 * The settings of a [ChaosRuleConfig], each handed to [ChaosRuleConfig.Builder]'s setter of
 * the same name, which documents its range and default and which fault needs it. Not thread-safe.
 */
@ResilienceDslMarker
public class ChaosRuleConfigScope internal constructor(
    private val builder: ChaosRuleConfig.Builder,
    /** What the rule does to a call it affects (given to [chaosRuleConfig], or the base's). */
    public val fault: ChaosFault,
    base: ChaosRuleConfig?,
) {

    /** Fraction of calls the rule affects, 0.0 to 1.0. See [ChaosRuleConfig.Builder.rate]. */
    public var rate: Double by setting({ base?.rate() ?: ChaosRuleConfig.DEFAULT_RATE }, builder::rate)

    /** Whether the rule is on. See [ChaosRuleConfig.Builder.enabled]. */
    public var enabled: Boolean by setting({ base?.enabled() ?: ChaosRuleConfig.DEFAULT_ENABLED }, builder::enabled)

    // The fault's needs are functions rather than properties: Java refuses a null one, which
    // their non-null parameters then rule out at compile time.

    /**
     * Sets what makes a fresh exception per injection, for the exception fault (required
     * there, refused for the others). See [ChaosRuleConfig.Builder.exception].
     *
     * @param exception makes the exception
     */
    public fun exception(exception: () -> Throwable) {
        builder.exception(Supplier { exception() })
    }

    /**
     * Sets what makes the value (maybe null) returned instead of the call's, for the result
     * fault (required there, refused for the others). See [ChaosRuleConfig.Builder.result].
     *
     * @param result makes the value
     */
    public fun result(result: () -> Any?) {
        builder.result(Supplier<Any?> { result() })
    }

    /**
     * Sets the wait of the latency fault (required there, refused for the others), drawn
     * uniformly between [min] and [max], or fixed when [max] is left out. See
     * [ChaosRuleConfig.Builder.latency].
     *
     * @param min the shortest wait
     * @param max the longest wait
     */
    public fun latency(min: Duration, max: Duration = min) {
        builder.latency(min.toJavaDuration(), max.toJavaDuration())
    }

    internal fun build(): ChaosRuleConfig = builder.build()
}
