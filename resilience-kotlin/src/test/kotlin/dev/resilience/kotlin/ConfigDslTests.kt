package dev.resilience.kotlin

import dev.resilience.bulkhead.BulkheadConfig
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig
import dev.resilience.chaos.ChaosFault
import dev.resilience.chaos.ChaosRuleConfig
import dev.resilience.circuitbreaker.CircuitBreaker
import dev.resilience.circuitbreaker.CircuitBreakerConfig
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType
import dev.resilience.core.InvalidSettingException
import dev.resilience.deadline.DeadlineConfig
import dev.resilience.deadline.DeadlineListener
import dev.resilience.deadline.DeadlineMode
import dev.resilience.limit.LimitAlgorithm
import dev.resilience.limit.LimitConfig
import dev.resilience.pipeline.Pipeline
import dev.resilience.ratelimiter.RateLimiterConfig
import dev.resilience.retry.Retry
import dev.resilience.retry.RetryConfig
import dev.resilience.testing.FakeTicker
import dev.resilience.testing.ManualScheduler
import dev.resilience.timeout.Timeout
import dev.resilience.timeout.TimeoutConfig
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.Nested
import org.junit.jupiter.api.Test
import java.io.IOException
import java.time.Duration as JavaDuration
import java.util.concurrent.TimeoutException
import java.util.function.Predicate
import kotlin.time.Duration
import kotlin.time.Duration.Companion.microseconds
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

class ConfigDslTests {

    /**
     * Asserts that [dsl] is refused with the InvalidSettingException [java] is refused with:
     * the same setting, value and message.
     */
    private fun assertRefusedAsInJava(setting: String, dsl: () -> Any, java: () -> Any) {
        val expected = runCatching { java() }.exceptionOrNull()
        assertThat(expected).isInstanceOf(InvalidSettingException::class.java)
        expected as InvalidSettingException
        assertThat(expected.setting()).isEqualTo(setting)
        assertThatThrownBy { dsl() }.isInstanceOfSatisfying(InvalidSettingException::class.java) {
            assertThat(it.setting()).isEqualTo(setting)
            assertThat(it.value()).isEqualTo(expected.value())
            assertThat(it.message).isEqualTo(expected.message).contains(setting)
        }
    }

    @Nested
    inner class CircuitBreakerConfigDsl {

        @Test
        fun `settings set reach the config as the Java builder's same settings do`() {
            val dsl = circuitBreakerConfig {
                slidingWindowType = SlidingWindowType.TIME_BASED
                slidingWindowSize = 20
                minimumNumberOfCalls = 5
                failureRateThreshold = 25f
                slowCallRateThreshold = 80f
                slowCallDurationThreshold = 2.seconds
                waitDurationInOpenState = 30.seconds
                waitDurationInOpenStateMultiplier = 2.0
                maxWaitDurationInOpenState = 5.seconds * 60
                automaticTransitionFromOpenToHalfOpenEnabled = true
                permittedNumberOfCallsInHalfOpenState = 3
                maxWaitDurationInHalfOpenState = 10.seconds
                recordExceptions(IOException::class, TimeoutException::class)
                ignoreExceptions(IllegalArgumentException::class)
                matchCauseChain = true
            }
            val java = CircuitBreakerConfig.builder()
                .slidingWindowType(SlidingWindowType.TIME_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(25f)
                .slowCallRateThreshold(80f)
                .slowCallDurationThreshold(JavaDuration.ofSeconds(2))
                .waitDurationInOpenState(JavaDuration.ofSeconds(30))
                .waitDurationInOpenStateMultiplier(2.0)
                .maxWaitDurationInOpenState(JavaDuration.ofMinutes(5))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(3)
                .maxWaitDurationInHalfOpenState(JavaDuration.ofSeconds(10))
                .recordExceptions(IOException::class.java, TimeoutException::class.java)
                .ignoreExceptions(IllegalArgumentException::class.java)
                .matchCauseChain(true)
                .build()
            assertThat(dsl.describe()).isEqualTo(java.describe()).isNotEqualTo(CircuitBreakerConfig.ofDefaults().describe())
        }

        @Test
        fun `an unset setting keeps its default and reads as it`() {
            var read: Float? = null
            var readWait: Duration? = null
            var readSlow: Duration? = Duration.ZERO
            val config = circuitBreakerConfig {
                read = failureRateThreshold
                readWait = waitDurationInOpenState
                readSlow = slowCallDurationThreshold
                slidingWindowSize = 10
            }
            val defaults = CircuitBreakerConfig.ofDefaults()
            assertThat(read).isEqualTo(defaults.failureRateThreshold())
            assertThat(readWait).isEqualTo(defaults.waitDurationInOpenState().toKotlinDuration())
            assertThat(readSlow).isNull()
            assertThat(config.slidingWindowSize()).isEqualTo(10)
            assertThat(config.describe() - "slidingWindowSize").isEqualTo(defaults.describe() - "slidingWindowSize")
        }

        @Test
        fun `a property reads the value last set`() {
            var read: Float? = null
            var readTypes: List<Any>? = null
            circuitBreakerConfig {
                failureRateThreshold = 10f
                failureRateThreshold = 20f
                read = failureRateThreshold
                recordExceptions(IOException::class)
                readTypes = recordExceptions
            }
            assertThat(read).isEqualTo(20f)
            assertThat(readTypes).containsExactly(IOException::class)
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "failureRateThreshold",
                { circuitBreakerConfig { failureRateThreshold = 101f } },
                { CircuitBreakerConfig.builder().failureRateThreshold(101f).build() },
            )
            assertRefusedAsInJava(
                "maxWaitDurationInOpenState",
                { circuitBreakerConfig { waitDurationInOpenState = 10.seconds; maxWaitDurationInOpenState = 5.seconds } },
                {
                    CircuitBreakerConfig.builder()
                        .waitDurationInOpenState(JavaDuration.ofSeconds(10))
                        .maxWaitDurationInOpenState(JavaDuration.ofSeconds(5))
                        .build()
                },
            )
        }

        @Test
        fun `a config from a base keeps the base's other values and reads them`() {
            val base = CircuitBreakerConfig.builder()
                .failureRateThreshold(30f)
                .slowCallDurationThreshold(JavaDuration.ofSeconds(3))
                .recordExceptions(IOException::class.java)
                .build()
            var readThreshold: Float? = null
            var readSlow: Duration? = null
            var readTypes: List<Any>? = null
            val config = circuitBreakerConfig(base) {
                readThreshold = failureRateThreshold
                readSlow = slowCallDurationThreshold
                readTypes = recordExceptions
                minimumNumberOfCalls = 7
            }
            assertThat(readThreshold).isEqualTo(30f)
            assertThat(readSlow).isEqualTo(3.seconds)
            assertThat(readTypes).containsExactly(IOException::class)
            assertThat(config.minimumNumberOfCalls()).isEqualTo(7)
            assertThat(config.describe()).isEqualTo(CircuitBreakerConfig.from(base).minimumNumberOfCalls(7).build().describe())
        }

        @Test
        fun `the predicates reach the config, the result one is given null results too`() {
            val config = circuitBreakerConfig {
                recordFailurePredicate = { it is IOException }
                recordResult = { it == null || it == "bad" }
            }
            assertThat(config.recordFailurePredicate()!!.test(IOException())).isTrue()
            assertThat(config.recordFailurePredicate()!!.test(IllegalStateException())).isFalse()
            @Suppress("UNCHECKED_CAST")
            val recordResult = config.recordResult() as Predicate<Any?>
            assertThat(recordResult.test(null)).isTrue()
            assertThat(recordResult.test("bad")).isTrue()
            assertThat(recordResult.test("good")).isFalse()
        }

        @Test
        fun `a predicate set to null is passed on as none, dropping the base's`() {
            val base = CircuitBreakerConfig.builder().recordFailurePredicate { true }.build()
            var read: ((Throwable) -> Boolean)? = null
            val config = circuitBreakerConfig(base) {
                read = recordFailurePredicate
                recordFailurePredicate = null
            }
            assertThat(read!!(IOException())).isTrue()
            assertThat(config.recordFailurePredicate()).isNull()
        }
    }

    @Nested
    inner class RetryConfigDsl {

        @Test
        fun `settings set reach the config as the Java builder's same settings do`() {
            val dsl = retryConfig {
                maxAttempts = 5
                waitDuration = 200.milliseconds
                exponentialBackoffMultiplier = 2.0
                exponentialMaxWaitDuration = 2.seconds
                randomizedWaitFactor = 0.5
                retryExceptions(IOException::class)
                ignoreExceptions(IllegalArgumentException::class, IllegalStateException::class)
                matchCauseChain = true
                retryOnRejection = true
                budgetMaxTokens = 10
                budgetTokenRatio = 0.5
            }
            val java = RetryConfig.builder()
                .maxAttempts(5)
                .waitDuration(JavaDuration.ofMillis(200))
                .exponentialBackoffMultiplier(2.0)
                .exponentialMaxWaitDuration(JavaDuration.ofSeconds(2))
                .randomizedWaitFactor(0.5)
                .retryExceptions(IOException::class.java)
                .ignoreExceptions(IllegalArgumentException::class.java, IllegalStateException::class.java)
                .matchCauseChain(true)
                .retryOnRejection(true)
                .budgetMaxTokens(10)
                .budgetTokenRatio(0.5)
                .build()
            assertThat(dsl.describe()).isEqualTo(java.describe()).isNotEqualTo(RetryConfig.ofDefaults().describe())
        }

        @Test
        fun `an unset setting keeps its default`() {
            var read: Int? = null
            val config = retryConfig {
                read = maxAttempts
                waitDuration = 1.seconds
            }
            val defaults = RetryConfig.ofDefaults()
            assertThat(read).isEqualTo(defaults.maxAttempts())
            assertThat(config.waitDuration()).isEqualTo(JavaDuration.ofSeconds(1))
            assertThat(config.describe() - "waitDuration").isEqualTo(defaults.describe() - "waitDuration")
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "maxAttempts",
                { retryConfig { maxAttempts = 0 } },
                { RetryConfig.builder().maxAttempts(0).build() },
            )
            assertRefusedAsInJava(
                "budgetTokenRatio",
                { retryConfig { budgetMaxTokens = 1; budgetTokenRatio = 2.0 } },
                { RetryConfig.builder().budgetMaxTokens(1).budgetTokenRatio(2.0).build() },
            )
        }

        @Test
        fun `a config from a base keeps the base's other values`() {
            val base = RetryConfig.builder().maxAttempts(7).retryOnResult { it == "again" }.build()
            var read: Int? = null
            val config = retryConfig(base) {
                read = maxAttempts
                waitDuration = 1.seconds
            }
            assertThat(read).isEqualTo(7)
            assertThat(config.maxAttempts()).isEqualTo(7)
            assertThat(config.retryOnResult()).isSameAs(base.retryOnResult())
            assertThat(config.waitDuration()).isEqualTo(JavaDuration.ofSeconds(1))
        }

        @Test
        fun `the hooks reach the config in Java's units`() {
            val config = retryConfig {
                retryOnExceptionPredicate = { it is IOException }
                retryOnResult = { it == null }
                minimumWait = { result, failure -> if (failure is IOException) 3.seconds else (result as Int).milliseconds }
            }
            assertThat(config.retryOnExceptionPredicate()!!.test(IOException())).isTrue()
            assertThat(config.retryOnExceptionPredicate()!!.test(RuntimeException())).isFalse()
            @Suppress("UNCHECKED_CAST")
            val retryOnResult = config.retryOnResult() as Predicate<Any?>
            assertThat(retryOnResult.test(null)).isTrue()
            assertThat(retryOnResult.test(1)).isFalse()
            assertThat(config.minimumWait()!!.minimumWaitNanos(null, IOException())).isEqualTo(3_000_000_000L)
            assertThat(config.minimumWait()!!.minimumWaitNanos(25, null)).isEqualTo(25_000_000L)
        }

        @Test
        fun `the base's minimum wait reads as a Kotlin function`() {
            val base = RetryConfig.builder().minimumWait { _, _ -> 1_500_000L }.build()
            var read: Duration? = null
            retryConfig(base) { read = minimumWait!!(null, null) }
            assertThat(read).isEqualTo(1_500.microseconds)
        }
    }

    @Nested
    inner class RateLimiterConfigDsl {

        @Test
        fun `settings set reach the config as the Java builder's same settings do`() {
            val dsl = rateLimiterConfig {
                limitForPeriod = 10
                limitRefreshPeriod = 2.seconds
                timeoutDuration = 100.milliseconds
                burstCapacity = 20
                maxKeys = 50
            }
            val java = RateLimiterConfig.builder()
                .limitForPeriod(10)
                .limitRefreshPeriod(JavaDuration.ofSeconds(2))
                .timeoutDuration(JavaDuration.ofMillis(100))
                .burstCapacity(20)
                .maxKeys(50)
                .build()
            assertThat(dsl.describe()).isEqualTo(java.describe()).isNotEqualTo(RateLimiterConfig.ofDefaults().describe())
        }

        @Test
        fun `an unset setting keeps its default, a base's its value`() {
            assertThat(rateLimiterConfig { }.describe()).isEqualTo(RateLimiterConfig.ofDefaults().describe())
            val base = RateLimiterConfig.builder().limitForPeriod(3).maxKeys(9).build()
            var read: Int? = null
            val config = rateLimiterConfig(base) {
                read = limitForPeriod
                maxKeys = 4
            }
            assertThat(read).isEqualTo(3)
            assertThat(config.limitForPeriod()).isEqualTo(3)
            assertThat(config.maxKeys()).isEqualTo(4)
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "limitRefreshPeriod",
                { rateLimiterConfig { limitRefreshPeriod = Duration.ZERO } },
                { RateLimiterConfig.builder().limitRefreshPeriod(JavaDuration.ZERO).build() },
            )
        }
    }

    @Nested
    inner class BulkheadConfigDsl {

        @Test
        fun `settings set reach the config as the Java builder's same settings do`() {
            val fixed = bulkheadConfig {
                maxConcurrentCalls = 5
                maxWaitDuration = 50.milliseconds
                maxKeys = 7
            }
            assertThat(fixed.describe()).isEqualTo(
                BulkheadConfig.builder().maxConcurrentCalls(5).maxWaitDuration(JavaDuration.ofMillis(50)).maxKeys(7).build().describe(),
            )
            val aimd = bulkheadConfig {
                limitAlgorithm = LimitAlgorithm.AIMD
                initialLimit = 10
                minLimit = 2
                maxLimit = 40
                backoffRatio = 0.7
                timeout = 2.seconds
            }
            val java = BulkheadConfig.builder()
                .limitAlgorithm(LimitAlgorithm.AIMD)
                .initialLimit(10)
                .minLimit(2)
                .maxLimit(40)
                .backoffRatio(0.7)
                .timeout(JavaDuration.ofSeconds(2))
                .build()
            assertThat(aimd.limit()).isEqualTo(java.limit())
            assertThat(aimd.describe()).isEqualTo(java.describe())
        }

        @Test
        fun `settings of another limit algorithm are refused through the DSL`() {
            assertRefusedAsInJava(
                "maxConcurrentCalls",
                { bulkheadConfig { limitAlgorithm = LimitAlgorithm.VEGAS; maxConcurrentCalls = 10 } },
                { BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.VEGAS).maxConcurrentCalls(10).build() },
            )
            assertRefusedAsInJava(
                "initialLimit",
                { bulkheadConfig { initialLimit = 10 } },
                { BulkheadConfig.builder().initialLimit(10).build() },
            )
            assertRefusedAsInJava(
                "alpha",
                { bulkheadConfig { limitAlgorithm = LimitAlgorithm.AIMD; alpha = 2 } },
                { BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).alpha(2).build() },
            )
        }

        @Test
        fun `settings read but not set are not given, so an adaptive limit is accepted`() {
            var readMaxConcurrentCalls: Int? = null
            val config = bulkheadConfig {
                readMaxConcurrentCalls = maxConcurrentCalls
                limitAlgorithm = LimitAlgorithm.GRADIENT2
                initialLimit = 30
            }
            assertThat(readMaxConcurrentCalls).isEqualTo(BulkheadConfig.ofDefaults().maxConcurrentCalls())
            assertThat(config.isAdaptive()).isTrue()
            assertThat(config.limit().initialLimit()).isEqualTo(30)
        }

        @Test
        fun `a config from an adaptive base keeps its limit and other values`() {
            val base = BulkheadConfig.builder()
                .limitAlgorithm(LimitAlgorithm.VEGAS)
                .initialLimit(8)
                .alpha(2)
                .maxKeys(3)
                .build()
            var readAlpha: Int? = null
            var readAlgorithm: LimitAlgorithm? = null
            val config = bulkheadConfig(base) {
                readAlpha = alpha
                readAlgorithm = limitAlgorithm
                maxWaitDuration = 1.seconds
            }
            assertThat(readAlpha).isEqualTo(2)
            assertThat(readAlgorithm).isEqualTo(LimitAlgorithm.VEGAS)
            assertThat(config.limit()).isEqualTo(base.limit())
            assertThat(config.maxKeys()).isEqualTo(3)
            assertThat(config.maxWaitDuration()).isEqualTo(JavaDuration.ofSeconds(1))
        }

        @Test
        fun `limit replaces the limit settings set so far, and they read as the new limit's`() {
            val limit = limitConfig {
                limitAlgorithm = LimitAlgorithm.AIMD
                initialLimit = 12
            }
            var readInitial: Int? = null
            var readAlgorithm: LimitAlgorithm? = null
            val config = bulkheadConfig {
                limitAlgorithm = LimitAlgorithm.VEGAS
                initialLimit = 5
                limit(limit)
                readInitial = initialLimit
                readAlgorithm = limitAlgorithm
            }
            assertThat(readInitial).isEqualTo(12)
            assertThat(readAlgorithm).isEqualTo(LimitAlgorithm.AIMD)
            assertThat(config.limit()).isEqualTo(limit)
        }
    }

    @Nested
    inner class LimitConfigDsl {

        @Test
        fun `settings set reach the config as the Java builder's same settings do`() {
            val dsl = limitConfig {
                limitAlgorithm = LimitAlgorithm.GRADIENT2
                initialLimit = 15
                minLimit = 5
                maxLimit = 100
                smoothing = 0.5
                rttTolerance = 2.0
                longWindow = 100
            }
            val java = LimitConfig.builder()
                .limitAlgorithm(LimitAlgorithm.GRADIENT2)
                .initialLimit(15)
                .minLimit(5)
                .maxLimit(100)
                .smoothing(0.5)
                .rttTolerance(2.0)
                .longWindow(100)
                .build()
            assertThat(dsl).isEqualTo(java).isNotEqualTo(LimitConfig.ofDefaults())
        }

        @Test
        fun `a setting of another algorithm is refused, one merely read or inherited is not`() {
            assertRefusedAsInJava(
                "backoffRatio",
                { limitConfig { limitAlgorithm = LimitAlgorithm.VEGAS; backoffRatio = 0.8 } },
                { LimitConfig.builder().limitAlgorithm(LimitAlgorithm.VEGAS).backoffRatio(0.8).build() },
            )
            var readBackoff: Double? = null
            val vegas = limitConfig {
                readBackoff = backoffRatio
                limitAlgorithm = LimitAlgorithm.VEGAS
                alpha = 4
                beta = 8
            }
            assertThat(readBackoff).isEqualTo(LimitConfig.DEFAULT_BACKOFF_RATIO)
            assertThat(vegas.alpha()).isEqualTo(4)
            val aimdBase = LimitConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).backoffRatio(0.6).build()
            val fromBase = limitConfig(aimdBase) { limitAlgorithm = LimitAlgorithm.VEGAS }
            assertThat(fromBase.algorithm()).isEqualTo(LimitAlgorithm.VEGAS)
            assertThat(fromBase.backoffRatio()).isEqualTo(0.6)
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "maxLimit",
                { limitConfig { limitAlgorithm = LimitAlgorithm.AIMD; minLimit = 10; maxLimit = 5; initialLimit = 7 } },
                {
                    LimitConfig.builder()
                        .limitAlgorithm(LimitAlgorithm.AIMD)
                        .minLimit(10)
                        .maxLimit(5)
                        .initialLimit(7)
                        .build()
                },
            )
        }
    }

    @Nested
    inner class ThreadPoolBulkheadConfigDsl {

        @Test
        fun `settings set reach the config, unset ones keep the base's`() {
            val dsl = threadPoolBulkheadConfig {
                coreThreadPoolSize = 2
                maxThreadPoolSize = 4
                queueCapacity = 10
                keepAliveDuration = 5.seconds
            }
            val java = ThreadPoolBulkheadConfig.builder()
                .coreThreadPoolSize(2)
                .maxThreadPoolSize(4)
                .queueCapacity(10)
                .keepAliveDuration(JavaDuration.ofSeconds(5))
                .build()
            assertThat(dsl.describe()).isEqualTo(java.describe()).isNotEqualTo(ThreadPoolBulkheadConfig.ofDefaults().describe())
            var read: Int? = null
            val fromBase = threadPoolBulkheadConfig(java) {
                read = maxThreadPoolSize
                queueCapacity = 3
            }
            assertThat(read).isEqualTo(4)
            assertThat(fromBase.describe()).isEqualTo(ThreadPoolBulkheadConfig.from(java).queueCapacity(3).build().describe())
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "coreThreadPoolSize",
                { threadPoolBulkheadConfig { maxThreadPoolSize = 2; coreThreadPoolSize = 3 } },
                { ThreadPoolBulkheadConfig.builder().maxThreadPoolSize(2).coreThreadPoolSize(3).build() },
            )
        }
    }

    @Nested
    inner class TimeoutConfigDsl {

        @Test
        fun `settings set reach the config, unset ones keep the default or the base's`() {
            val dsl = timeoutConfig {
                timeoutDuration = 3.seconds
                cancelRunningFuture = !TimeoutConfig.ofDefaults().cancelRunningFuture()
            }
            assertThat(dsl.describe()).isEqualTo(
                TimeoutConfig.builder()
                    .timeoutDuration(JavaDuration.ofSeconds(3))
                    .cancelRunningFuture(!TimeoutConfig.ofDefaults().cancelRunningFuture())
                    .build()
                    .describe(),
            )
            assertThat(timeoutConfig { }.describe()).isEqualTo(TimeoutConfig.ofDefaults().describe())
            var read: Duration? = null
            val fromBase = timeoutConfig(dsl) { read = timeoutDuration }
            assertThat(read).isEqualTo(3.seconds)
            assertThat(fromBase.describe()).isEqualTo(dsl.describe())
        }

        @Test
        fun `a bad value fails build as in Java, naming the setting`() {
            assertRefusedAsInJava(
                "timeoutDuration",
                { timeoutConfig { timeoutDuration = (-1).seconds } },
                { TimeoutConfig.builder().timeoutDuration(JavaDuration.ofSeconds(-1)).build() },
            )
        }
    }

    @Nested
    inner class DeadlineConfigDsl {

        @Test
        fun `settings set reach the config, unset ones keep the default or the base's`() {
            val listener = DeadlineListener { _, _, _, _ -> }
            val observe = deadlineConfig {
                mode = DeadlineMode.OBSERVE
                this.listener = listener
            }
            assertThat(observe.mode()).isEqualTo(DeadlineMode.OBSERVE)
            assertThat(observe.listener()).isSameAs(listener)
            val defaults = deadlineConfig { }
            assertThat(defaults.mode()).isEqualTo(DeadlineConfig.ofDefaults().mode())
            assertThat(defaults.listener()).isSameAs(DeadlineConfig.ofDefaults().listener())
            var read: DeadlineMode? = null
            val fromBase = deadlineConfig(observe) { read = mode }
            assertThat(read).isEqualTo(DeadlineMode.OBSERVE)
            assertThat(fromBase.mode()).isEqualTo(DeadlineMode.OBSERVE)
            assertThat(fromBase.listener()).isSameAs(listener)
        }
    }

    @Nested
    inner class ChaosRuleConfigDsl {

        @Test
        fun `the fault's needs and the settings set reach the config`() {
            val failure = IllegalStateException("chaos: test")
            val exception = chaosRuleConfig(ChaosFault.EXCEPTION) {
                rate = 0.25
                exception { failure }
            }
            assertThat(exception.fault()).isEqualTo(ChaosFault.EXCEPTION)
            assertThat(exception.rate()).isEqualTo(0.25)
            assertThat(exception.exception()!!.get()).isSameAs(failure)
            val latency = chaosRuleConfig(ChaosFault.LATENCY) { latency(100.milliseconds, 2.seconds) }
            assertThat(latency.latencyMin()).isEqualTo(JavaDuration.ofMillis(100))
            assertThat(latency.latencyMax()).isEqualTo(JavaDuration.ofSeconds(2))
            val fixed = chaosRuleConfig(ChaosFault.LATENCY) { latency(300.milliseconds) }
            assertThat(fixed.latencyMin()).isEqualTo(JavaDuration.ofMillis(300)).isEqualTo(fixed.latencyMax())
            val result = chaosRuleConfig(ChaosFault.RESULT) { result { null } }
            assertThat(result.result()!!.get()).isNull()
            assertThat(result.rate()).isEqualTo(ChaosRuleConfig.DEFAULT_RATE)
            assertThat(result.enabled()).isEqualTo(ChaosRuleConfig.DEFAULT_ENABLED)
        }

        @Test
        fun `a config from a base keeps its fault and needs`() {
            val base = ChaosRuleConfig.builder(ChaosFault.LATENCY).rate(0.5).latency(JavaDuration.ofSeconds(1)).build()
            var readRate: Double? = null
            var readFault: ChaosFault? = null
            val off = chaosRuleConfig(base) {
                readRate = rate
                readFault = fault
                enabled = false
            }
            assertThat(readRate).isEqualTo(0.5)
            assertThat(readFault).isEqualTo(ChaosFault.LATENCY)
            assertThat(off.enabled()).isFalse()
            assertThat(off.describe() - "enabled").isEqualTo(base.describe() - "enabled")
        }

        @Test
        fun `a missing need, a need of another fault and a bad rate fail build as in Java`() {
            assertRefusedAsInJava(
                "exception",
                { chaosRuleConfig(ChaosFault.EXCEPTION) { } },
                { ChaosRuleConfig.builder(ChaosFault.EXCEPTION).build() },
            )
            assertRefusedAsInJava(
                "latency",
                { chaosRuleConfig(ChaosFault.RESULT) { result { 1 }; latency(1.seconds) } },
                { ChaosRuleConfig.builder(ChaosFault.RESULT).result { 1 }.latency(JavaDuration.ofSeconds(1)).build() },
            )
            assertRefusedAsInJava(
                "rate",
                { chaosRuleConfig(ChaosFault.LATENCY) { latency(1.seconds); rate = 1.5 } },
                { ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(JavaDuration.ofSeconds(1)).rate(1.5).build() },
            )
        }
    }

    @Nested
    inner class PipelineDsl {

        @Test
        fun `pipeline builds a pipeline of the stages set`() {
            val scheduler = ManualScheduler(FakeTicker())
            val retry = Retry.of("r", retryConfig { maxAttempts = 2 }, scheduler.ticker(), scheduler)
            val breaker = CircuitBreaker.of("cb", circuitBreakerConfig { }, scheduler.ticker(), scheduler)
            val timeout = Timeout.of("t", timeoutConfig { timeoutDuration = 1.seconds }, scheduler.ticker(), scheduler)
            val built = pipeline {
                timeout(timeout)
                retry(retry)
                circuitBreaker(breaker)
            }
            assertThat(built.stages()).containsExactly(Pipeline.Stage.RETRY, Pipeline.Stage.CIRCUIT_BREAKER, Pipeline.Stage.TIMEOUT)
            assertThat(built.retry()).isSameAs(retry)
            assertThat(built.circuitBreaker()).isSameAs(breaker)
            assertThat(built.timeout()).isSameAs(timeout)
        }
    }
}
