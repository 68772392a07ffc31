package dev.resilience.kotlin.spring

import dev.resilience.annotation.Bulkhead
import dev.resilience.annotation.CircuitBreaker
import dev.resilience.annotation.Fallback
import dev.resilience.annotation.RateLimited
import dev.resilience.annotation.Retry
import dev.resilience.annotation.Timeout
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration
import dev.resilience.bulkhead.BulkheadFullException
import dev.resilience.bulkhead.BulkheadRegistry
import dev.resilience.circuitbreaker.CallNotPermittedException
import dev.resilience.circuitbreaker.CircuitBreaker.State
import dev.resilience.circuitbreaker.CircuitBreakerRegistry
import dev.resilience.deadline.Deadline
import dev.resilience.deadline.DeadlineExceededException
import dev.resilience.ratelimiter.RequestNotPermittedException
import dev.resilience.testing.FakeTicker
import dev.resilience.testing.ManualScheduler
import dev.resilience.timeout.TimeoutExceededException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.reactor.ReactorContext
import kotlinx.coroutines.reactor.asCoroutineContext
import kotlinx.coroutines.withContext
import reactor.util.context.Context
import java.time.Duration
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.assertj.AssertableApplicationContext
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import org.springframework.stereotype.Service
import java.io.IOException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * Every annotation on a `suspend fun`: the outcome the stages see is the coroutine's
 * result, not the `Mono` Spring's AOP wraps it in; waits suspend on the fake scheduler and
 * never block the test's one thread; a cancelled caller gives its places back.
 */
@OptIn(ExperimentalCoroutinesApi::class)
class SuspendAnnotationTests {

    private val contextRunner = ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration::class.java))
        .withUserConfiguration(FakeTime::class.java, Inventory::class.java)
        .withPropertyValues(
            "resilience.circuitbreaker.instances.inventory.sliding-window-size=2",
            "resilience.circuitbreaker.instances.inventory.minimum-number-of-calls=2",
            "resilience.circuitbreaker.instances.inventory.failure-rate-threshold=50",
            "resilience.retry.instances.inventory.max-attempts=3",
            "resilience.retry.instances.inventory.wait-duration=100ms",
            "resilience.ratelimiter.instances.inventory.limit-for-period=1",
            "resilience.ratelimiter.instances.inventory.limit-refresh-period=1s",
            "resilience.ratelimiter.instances.inventory.timeout-duration=2s",
            "resilience.ratelimiter.instances.strict.limit-for-period=1",
            "resilience.ratelimiter.instances.strict.limit-refresh-period=1s",
            "resilience.ratelimiter.instances.strict.timeout-duration=0",
            "resilience.bulkhead.instances.inventory.max-concurrent-calls=1",
            "resilience.bulkhead.instances.inventory.max-wait-duration=0",
            "resilience.timeout.instances.inventory.timeout-duration=1s",
            "resilience.deadline.mode=enforce",
        )

    private fun test(body: suspend TestScope.(AssertableApplicationContext) -> Unit) {
        contextRunner.run { context ->
            assertThat(context).hasNotFailed()
            runTest(timeout = 10.seconds) { body(context) }
        }
    }

    @Test
    fun aCircuitBreakerCountsTheCoroutinesFailuresAndOpens() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val breaker = context.getBean(CircuitBreakerRegistry::class.java).instance("inventory")
        inventory.failing = true
        repeat(2) {
            assertThatThrownBy { kotlinx.coroutines.runBlocking { inventory.stock("apple") } }
                .isInstanceOf(IOException::class.java).hasMessage("down")
        }
        assertThat(breaker.state()).isEqualTo(State.OPEN)
        assertThat(breaker.metrics().failedCalls()).isEqualTo(2)
        val rejected = runCatching { inventory.stock("apple") }.exceptionOrNull()
        assertThat(rejected).isInstanceOf(CallNotPermittedException::class.java)
        assertThat(inventory.calls).hasValue(2)
    }

    @Test
    fun aCircuitBreakerCountsASuccessWhenTheCoroutineReturns() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val breaker = context.getBean(CircuitBreakerRegistry::class.java).instance("inventory")
        assertThat(inventory.stock("apple")).isEqualTo(7)
        assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1)
        assertThat(breaker.metrics().totalFailedCalls()).isZero()
    }

    @Test
    fun aRetryWaitSuspendsOnTheSchedulerAndBlocksNoThread() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val scheduler = context.getBean(ManualScheduler::class.java)
        val call = async { inventory.retried() }
        runCurrent()
        // The first attempt failed; the retry waits on the scheduler, the caller is suspended.
        assertThat(inventory.calls).hasValue(1)
        assertThat(call.isActive).isTrue()
        assertThat(scheduler.pendingTasks()).isEqualTo(1)
        scheduler.advance(Duration.ofMillis(100))
        runCurrent()
        assertThat(inventory.calls).hasValue(2)
        scheduler.advance(Duration.ofMillis(100))
        runCurrent()
        assertThat(call.await()).isEqualTo("ok 3")
        // No thread slept: the waits were scheduled, not slept.
        assertThat(scheduler.sleeps()).isEmpty()
    }

    @Test
    fun aRateLimiterWaitSuspendsAndAnExhaustedLimiterRejects() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val scheduler = context.getBean(ManualScheduler::class.java)
        assertThat(inventory.limited()).isEqualTo("granted 1")
        val waiting = async { inventory.limited() }
        runCurrent()
        assertThat(waiting.isActive).isTrue()
        assertThat(inventory.calls).hasValue(1)
        scheduler.advance(Duration.ofSeconds(1))
        runCurrent()
        assertThat(waiting.await()).isEqualTo("granted 2")
        assertThat(scheduler.sleeps()).isEmpty()
        assertThat(inventory.strict()).isEqualTo("strict")
        assertThat(runCatching { inventory.strict() }.exceptionOrNull())
            .isInstanceOf(RequestNotPermittedException::class.java)
    }

    @Test
    fun aCancelledCallerGivesItsBulkheadPlaceBack() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val bulkhead = context.getBean(BulkheadRegistry::class.java).instance("inventory")
        val first = async { inventory.held(CompletableDeferred()) }
        runCurrent()
        assertThat(inventory.entered).hasValue(1)
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero()
        assertThat(runCatching { inventory.held(CompletableDeferred(Unit)) }.exceptionOrNull())
            .isInstanceOf(BulkheadFullException::class.java)
        first.cancel()
        runCurrent()
        // The cancel reached the method's coroutine, and the place is free again.
        assertThat(inventory.exited).hasValue(1)
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1)
        assertThat(inventory.held(CompletableDeferred(Unit))).isEqualTo("done")
        assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1)
    }

    @Test
    fun aTimeoutCancelsTheCoroutineAtTheDeadline() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val scheduler = context.getBean(ManualScheduler::class.java)
        val call = async { runCatching { inventory.slow() } }
        runCurrent()
        assertThat(inventory.entered).hasValue(1)
        scheduler.advance(Duration.ofMillis(999))
        runCurrent()
        assertThat(call.isActive).isTrue()
        scheduler.advance(Duration.ofMillis(1))
        runCurrent()
        assertThat(call.await().exceptionOrNull()).isInstanceOf(TimeoutExceededException::class.java)
        assertThat(inventory.exited).describedAs("the method's coroutine was cancelled").hasValue(1)
    }

    @Test
    fun anEndlessFlowStreamsThroughABreakerAndStoppingEarlyIsNotAFailure() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val breaker = context.getBean(CircuitBreakerRegistry::class.java).instance("inventory")
        assertThat(inventory.ticks().take(1000).toList()).hasSize(1000).startsWith(0, 1, 2)
        assertThat(inventory.suspendedTicks().take(3).toList()).containsExactly(0, 1, 2)
        assertThat(breaker.metrics().totalFailedCalls()).isZero()
        assertThat(breaker.metrics().totalSuccessfulCalls()).isZero()
        // A failure after elements is the collection's outcome: the breaker counts it.
        val collected = mutableListOf<Int>()
        val failure = runCatching { inventory.failingTicks().collect { collected += it } }.exceptionOrNull()
        assertThat(failure).isInstanceOf(IOException::class.java)
        assertThat(collected).containsExactly(0, 1)
        assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(1)
        breaker.transitionTo(State.OPEN)
        assertThat(runCatching { inventory.ticks().first() }.exceptionOrNull())
            .isInstanceOf(CallNotPermittedException::class.java)
    }

    @Test
    fun aKeyExpressionNamesTheSuspendFunctionsParameters() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        assertThat(inventory.perTenant("a")).isEqualTo("a")
        assertThat(inventory.perTenant("b")).isEqualTo("b")
        assertThat(runCatching { inventory.perTenant("a") }.exceptionOrNull())
            .isInstanceOf(RequestNotPermittedException::class.java)
    }

    @Test
    fun theCallersReactorContextReachesTheStagesAndTheFunction() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val scheduler = context.getBean(ManualScheduler::class.java)
        val ticker = context.getBean(FakeTicker::class.java)
        val reactorContext = Context.of("user", "ann", Deadline.CONTEXT_KEY, Deadline.after(Duration.ofMillis(300), ticker))
        val call = async { runCatching { withContext(reactorContext.asCoroutineContext()) { inventory.whoIsAsking() } } }
        runCurrent()
        assertThat(inventory.askedBy).isEqualTo("ann")
        // The deadline in the caller's Reactor Context bounds the 1 s timeout.
        scheduler.advance(Duration.ofMillis(300))
        runCurrent()
        assertThat(call.await().exceptionOrNull()).isInstanceOf(DeadlineExceededException::class.java)
    }

    @Test
    fun aThreadPoolBulkheadStartsTheCoroutineOnItsPool() = test { context ->
        val inventory = context.getBean(Inventory::class.java)
        val thread = withContext(Dispatchers.Unconfined) { inventory.pooled() }
        assertThat(thread).startsWith("resilience-bulkhead-pool-")
    }

    @Configuration(proxyBeanMethods = false)
    class FakeTime {
        @Bean
        fun fakeTicker(): FakeTicker = FakeTicker()

        @Bean
        fun manualScheduler(ticker: FakeTicker): ManualScheduler = ManualScheduler(ticker)
    }

    @Service
    class Inventory {
        val calls = AtomicInteger()
        val entered = AtomicInteger()
        val exited = AtomicInteger()

        @Volatile
        var failing = false

        @CircuitBreaker(name = "inventory")
        suspend fun stock(item: String): Int {
            calls.incrementAndGet()
            yield()
            if (failing) throw IOException("down")
            return 7
        }

        @Retry(name = "inventory")
        suspend fun retried(): String {
            val attempt = calls.incrementAndGet()
            yield()
            if (attempt < 3) throw IOException("attempt $attempt")
            return "ok $attempt"
        }

        @RateLimited(name = "inventory")
        suspend fun limited(): String = "granted ${calls.incrementAndGet()}"

        @RateLimited(name = "strict")
        suspend fun strict(): String = "strict"

        @Bulkhead(name = "inventory")
        suspend fun held(release: CompletableDeferred<Unit>): String {
            entered.incrementAndGet()
            try {
                release.await()
            } finally {
                exited.incrementAndGet()
            }
            return "done"
        }

        @Timeout(name = "inventory")
        suspend fun slow(): String {
            entered.incrementAndGet()
            try {
                awaitCancellation()
            } finally {
                exited.incrementAndGet()
            }
        }

        @RateLimited(name = "strict", key = "#tenant")
        suspend fun perTenant(tenant: String): String = tenant

        @Volatile
        var askedBy: String? = null

        @Timeout(name = "inventory")
        suspend fun whoIsAsking(): String {
            askedBy = currentCoroutineContext()[ReactorContext]?.context?.getOrDefault("user", "nobody")
            awaitCancellation()
        }

        @Bulkhead(name = "pool", type = Bulkhead.Type.THREAD_POOL)
        suspend fun pooled(): String = Thread.currentThread().name

        @CircuitBreaker(name = "inventory")
        fun ticks(): Flow<Int> = flow {
            var next = 0
            while (true) emit(next++)
        }

        @CircuitBreaker(name = "inventory")
        suspend fun suspendedTicks(): Flow<Int> {
            yield()
            return ticks()
        }

        @CircuitBreaker(name = "inventory")
        fun failingTicks(): Flow<Int> = flow {
            emit(0)
            emit(1)
            throw IOException("broken stream")
        }
    }
}
