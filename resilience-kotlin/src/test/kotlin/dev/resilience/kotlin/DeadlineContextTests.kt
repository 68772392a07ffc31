package dev.resilience.kotlin

import dev.resilience.deadline.Deadline
import dev.resilience.deadline.DeadlineExceededException
import dev.resilience.testing.FakeTicker
import dev.resilience.testing.ManualScheduler
import dev.resilience.timeout.Timeout
import dev.resilience.timeout.TimeoutConfig
import dev.resilience.timeout.TimeoutExceededException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import java.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * A deadline that travels with a coroutine: current on every thread it runs on, bounding
 * the timeouts of the pipelines it calls, never extended by a nested one.
 */
@OptIn(ExperimentalCoroutinesApi::class)
class DeadlineContextTests {

    private val ticker = FakeTicker()
    private val scheduler = ManualScheduler(ticker)
    private val pipeline = pipeline {
        timeout(Timeout.of("slow", TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(10)).build(), ticker, scheduler))
    }

    @Test
    fun theCoroutinesDeadlineBoundsAPipelinesTimeout() = runTest(timeout = 10.seconds) {
        val call = async {
            runCatching {
                withDeadline(Deadline.after(Duration.ofSeconds(1), ticker)) {
                    pipeline.executeSuspend { awaitCancellation() }
                }
            }
        }
        runCurrent()
        scheduler.advance(Duration.ofSeconds(1))
        runCurrent()
        assertThat(call.await().exceptionOrNull()).isInstanceOf(DeadlineExceededException::class.java)
    }

    @Test
    fun withoutADeadlineThePipelinesOwnTimeoutApplies() = runTest(timeout = 10.seconds) {
        val call = async { runCatching { pipeline.executeSuspend { awaitCancellation() } } }
        runCurrent()
        scheduler.advance(Duration.ofSeconds(1))
        runCurrent()
        assertThat(call.isActive).isTrue()
        scheduler.advance(Duration.ofSeconds(9))
        runCurrent()
        assertThat(call.await().exceptionOrNull()).isInstanceOf(TimeoutExceededException::class.java)
    }

    @Test
    fun theDeadlineIsCurrentOnEveryThreadTheCoroutineRunsOnAndOnlyThere() = runTest(timeout = 10.seconds) {
        val deadline = Deadline.after(Duration.ofSeconds(5), ticker)
        withDeadline(deadline) {
            assertThat(Deadline.current()).isSameAs(deadline)
            val onAnotherThread = withContext(Dispatchers.Default) { Deadline.current() }
            assertThat(onAnotherThread).isSameAs(deadline)
            assertThat(currentDeadline()).isSameAs(deadline)
        }
        assertThat(Deadline.current()).isNull()
        assertThat(currentDeadline()).isNull()
    }

    @Test
    fun aNestedDeadlineNeverExtendsTheOuterOne() = runTest(timeout = 10.seconds) {
        val outer = Deadline.after(Duration.ofSeconds(1), ticker)
        withDeadline(outer) {
            withDeadline(Deadline.after(Duration.ofSeconds(30), ticker)) {
                assertThat(currentDeadline()).isSameAs(outer)
            }
            val inner = Deadline.after(Duration.ofMillis(500), ticker)
            withDeadline(inner) {
                assertThat(currentDeadline()).isSameAs(inner)
            }
        }
    }
}
