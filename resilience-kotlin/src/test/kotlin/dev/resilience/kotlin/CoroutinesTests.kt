package dev.resilience.kotlin

import dev.resilience.bulkhead.Bulkhead
import dev.resilience.bulkhead.BulkheadConfig
import dev.resilience.bulkhead.BulkheadFullException
import dev.resilience.circuitbreaker.CallNotPermittedException
import dev.resilience.circuitbreaker.CircuitBreaker
import dev.resilience.circuitbreaker.CircuitBreakerConfig
import dev.resilience.core.KeySelector
import dev.resilience.pipeline.Pipeline
import dev.resilience.ratelimiter.RateLimiter
import dev.resilience.ratelimiter.RateLimiterConfig
import dev.resilience.ratelimiter.RequestNotPermittedException
import dev.resilience.retry.Retry
import dev.resilience.retry.RetryConfig
import dev.resilience.testing.FakeTicker
import dev.resilience.testing.ManualScheduler
import dev.resilience.timeout.Timeout
import dev.resilience.timeout.TimeoutConfig
import dev.resilience.timeout.TimeoutExceededException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.onCompletion
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import java.io.IOException
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * `executeSuspend` and `Flow.resilient`: the stages judge the coroutine's outcome, waits
 * are scheduled on the primitives' (fake) scheduler and suspend, the block runs in the
 * caller's context (on virtual time under `runTest`), and a cancel gives back what the
 * stages hold.
 */
@OptIn(ExperimentalCoroutinesApi::class)
class CoroutinesTests {

    private val ticker = FakeTicker()
    private val scheduler = ManualScheduler(ticker)

    private fun breaker(): CircuitBreaker = CircuitBreaker.of(
        "breaker",
        CircuitBreakerConfig.builder().slidingWindowSize(2).minimumNumberOfCalls(2).failureRateThreshold(50f).build(),
        ticker,
        scheduler,
    )

    private fun bulkhead(): Bulkhead = Bulkhead.of(
        "bulkhead",
        BulkheadConfig.builder().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build(),
        ticker,
        scheduler,
    )

    private fun test(body: suspend TestScope.() -> Unit) = runTest(timeout = 10.seconds) { body() }

    @Test
    fun aBreakerCountsTheBlocksOutcomeAndRejectsOnceOpen() = test {
        val breaker = breaker()
        val pipeline = pipeline { circuitBreaker(breaker) }
        val calls = AtomicInteger()
        repeat(2) {
            val failure = runCatching {
                pipeline.executeSuspend<String> {
                    calls.incrementAndGet()
                    yield()
                    throw IOException("down")
                }
            }.exceptionOrNull()
            assertThat(failure).isInstanceOf(IOException::class.java)
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN)
        val rejected = runCatching { pipeline.executeSuspend { calls.incrementAndGet() } }.exceptionOrNull()
        assertThat(rejected).isInstanceOf(CallNotPermittedException::class.java)
        assertThat(calls).hasValue(2)
    }

    @Test
    fun aRetryWaitIsScheduledAndSuspends() = test {
        val retry = Retry.of(
            "retry",
            RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(100)).build(),
            ticker,
            scheduler,
        )
        val pipeline = pipeline { retry(retry) }
        val attempts = AtomicInteger()
        val call = async {
            pipeline.executeSuspend {
                val attempt = attempts.incrementAndGet()
                if (attempt < 3) throw IOException("attempt $attempt")
                "ok after $attempt"
            }
        }
        runCurrent()
        assertThat(attempts).hasValue(1)
        assertThat(call.isActive).isTrue()
        scheduler.advance(Duration.ofMillis(100))
        runCurrent()
        assertThat(attempts).hasValue(2)
        scheduler.advance(Duration.ofMillis(100))
        runCurrent()
        assertThat(call.await()).isEqualTo("ok after 3")
        assertThat(scheduler.sleeps()).isEmpty()
    }

    @Test
    fun theBlockRunsInTheCallersContextOnVirtualTime() = test {
        val pipeline = pipeline { circuitBreaker(breaker()) }
        val answer = withContext(CoroutineName("caller")) {
            pipeline.executeSuspend {
                delay(30.seconds)
                currentCoroutineContext()[CoroutineName]?.name
            }
        }
        assertThat(answer).isEqualTo("caller")
        // The block's delay ran on the test's virtual clock.
        assertThat(currentTime).isEqualTo(30_000)
        assertThat(pipeline.executeSuspend { null as String? }).isNull()
    }

    @Test
    fun cancellingTheCallerCancelsTheBlockAndFreesTheBulkheadPlace() = test {
        val bulkhead = bulkhead()
        val pipeline = pipeline { bulkhead(bulkhead) }
        val finished = AtomicInteger()
        val held = async {
            pipeline.executeSuspend {
                try {
                    awaitCancellation()
                } finally {
                    finished.incrementAndGet()
                }
            }
        }
        runCurrent()
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero()
        assertThat(runCatching { pipeline.executeSuspend { "second" } }.exceptionOrNull())
            .isInstanceOf(BulkheadFullException::class.java)
        held.cancel()
        runCurrent()
        assertThat(finished).hasValue(1)
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1)
        assertThat(pipeline.executeSuspend { "third" }).isEqualTo("third")
    }

    @Test
    fun aTimeoutCancelsTheBlockAtTheDeadline() = test {
        val timeout = Timeout.of(
            "timeout",
            TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).build(),
            ticker,
            scheduler,
        )
        val pipeline = pipeline { timeout(timeout) }
        val cancelled = CompletableDeferred<Unit>()
        val call = async {
            runCatching {
                pipeline.executeSuspend {
                    try {
                        awaitCancellation()
                    } finally {
                        cancelled.complete(Unit)
                    }
                }
            }
        }
        runCurrent()
        scheduler.advance(Duration.ofSeconds(1))
        runCurrent()
        assertThat(call.await().exceptionOrNull()).isInstanceOf(TimeoutExceededException::class.java)
        assertThat(cancelled.isCompleted).isTrue()
    }

    @Test
    fun theCallContextChoosesTheRateLimitersKey() = test {
        val limiter = RateLimiter.of(
            "tenants",
            RateLimiterConfig.builder().limitForPeriod(1).limitRefreshPeriod(Duration.ofHours(1))
                .timeoutDuration(Duration.ZERO).build(),
            ticker,
            scheduler,
        )
        val pipeline = pipeline { rateLimiter(limiter, 1, KeySelector { context -> context }) }
        assertThat(pipeline.executeSuspend("tenant-a") { "a" }).isEqualTo("a")
        assertThat(pipeline.executeSuspend("tenant-b") { "b" }).isEqualTo("b")
        assertThat(runCatching { pipeline.executeSuspend("tenant-a") { "a again" } }.exceptionOrNull())
            .isInstanceOf(RequestNotPermittedException::class.java)
    }

    @Test
    fun anEndlessFlowStreamsThroughABreakerAndStoppingEarlyIsNotCounted() = test {
        val breaker = breaker()
        val ticks = flow {
            var next = 0
            while (true) emit(next++)
        }
        assertThat(ticks.resilient(pipeline { circuitBreaker(breaker) }).take(1000).toList()).hasSize(1000)
        assertThat(breaker.metrics().totalSuccessfulCalls()).isZero()
        assertThat(breaker.metrics().totalFailedCalls()).isZero()
        val broken: Flow<Int> = flow {
            emit(1)
            throw IOException("broken")
        }
        val seen = mutableListOf<Int>()
        val failure = runCatching { broken.resilient(pipeline { circuitBreaker(breaker) }).collect { seen += it } }
        assertThat(failure.exceptionOrNull()).isInstanceOf(IOException::class.java)
        assertThat(seen).containsExactly(1)
        assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(1)
        breaker.transitionTo(CircuitBreaker.State.OPEN)
        assertThat(runCatching { ticks.resilient(pipeline { circuitBreaker(breaker) }).first() }.exceptionOrNull())
            .isInstanceOf(CallNotPermittedException::class.java)
    }

    @Test
    fun aCollectionHoldsTheBulkheadPlaceUntilItEnds() = test {
        val bulkhead = bulkhead()
        val gate = CompletableDeferred<Unit>()
        val completed = AtomicInteger()
        val slow = flow {
            emit(1)
            gate.await()
            emit(2)
        }.onCompletion { completed.incrementAndGet() }.resilient(pipeline { bulkhead(bulkhead) })
        val collecting = async { slow.toList() }
        runCurrent()
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero()
        gate.complete(Unit)
        assertThat(collecting.await()).containsExactly(1, 2)
        assertThat(completed).hasValue(1)
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1)
        // Stopping early gives the place back too.
        assertThat(slow.first()).isEqualTo(1)
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1)
    }

    @Test
    fun aRetryCollectsAgainOnlyWhileNothingWasEmitted() = test {
        val retry = Retry.of("retry", RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ZERO).build(), ticker, scheduler)
        val collections = AtomicInteger()
        val flaky = flow {
            if (collections.incrementAndGet() < 3) throw IOException("not yet")
            emit("ready")
        }
        assertThat(flaky.resilient(pipeline { retry(retry) }).toList()).containsExactly("ready")
        assertThat(collections).hasValue(3)
        val late = flow {
            collections.incrementAndGet()
            emit("first")
            throw IOException("after an element")
        }
        val seen = mutableListOf<String>()
        val failure = runCatching { late.resilient(pipeline { retry(retry) }).collect { seen += it } }
        assertThat(failure.exceptionOrNull()).hasMessage("after an element")
        assertThat(seen).containsExactly("first")
        assertThat(collections).hasValue(4)
    }
}
