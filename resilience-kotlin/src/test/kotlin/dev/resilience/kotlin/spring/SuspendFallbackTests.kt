package dev.resilience.kotlin.spring

import dev.resilience.annotation.CircuitBreaker
import dev.resilience.annotation.Fallback
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import org.springframework.stereotype.Service
import reactor.core.publisher.Mono
import java.io.IOException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * Fallbacks where a `suspend fun` is involved: a suspend fallback (with or without the
 * failure, the compiler's `Continuation` not counted as a parameter) for a suspend
 * function, a plain one for a suspend function, a suspend one for plain, `Mono` and
 * `CompletableFuture` methods; and the mismatches, which fail startup naming both.
 */
class SuspendFallbackTests {

    private val contextRunner = ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration::class.java))

    @Test
    fun aSuspendFallbackAnswersASuspendFunctionInTheCallersCoroutineContext() {
        contextRunner.withUserConfiguration(Quotes::class.java).run { context ->
            val quotes = context.getBean(Quotes::class.java)
            runTest {
                val answer = withContext(CoroutineName("caller")) { quotes.quote("ACME") }
                assertThat(answer).isEqualTo("cached ACME after IOException: feed down, in caller")
                assertThat(quotes.flaky()).isEqualTo(-1)
                assertThat(quotes.plainForSuspend("ACME")).isEqualTo("plain ACME")
                assertThat(quotes.nothing()).isNull()
                assertThat(quotes.stream().toList()).containsExactly("fallback", "stream")
            }
        }
    }

    @Test
    fun aSuspendFallbackAnswersPlainMonoAndFutureMethods() {
        contextRunner.withUserConfiguration(Quotes::class.java).run { context ->
            val quotes = context.getBean(Quotes::class.java)
            assertThat(quotes.plain("ACME")).isEqualTo("suspended ACME (IllegalStateException)")
            assertThat(quotes.mono("ACME").block()).isEqualTo("suspended ACME (IllegalStateException)")
            assertThat(quotes.future("ACME").get(5, TimeUnit.SECONDS)).isEqualTo("suspended ACME (IllegalStateException)")
            quotes.unit()
            assertThat(quotes.unitFallbacks).hasValue(1)
        }
    }

    @Test
    fun aSuspendFallbackWhoseTypeDoesNotFitFailsStartupNamingBoth() {
        assertThat(startupFailure(WrongType::class.java))
            .hasMessageContaining("suspend dev.resilience.kotlin.spring.SuspendFallbackTests\$WrongType.price(String)")
            .hasMessageContaining("suspend dev.resilience.kotlin.spring.SuspendFallbackTests\$WrongType.fallback(String): returns java.lang.Integer, expected java.lang.String")
    }

    @Test
    fun aPlainFallbackWhoseTypeDoesNotFitASuspendFunctionFailsStartupNamingBoth() {
        assertThat(startupFailure(WrongPlainType::class.java))
            .hasMessageContaining("suspend dev.resilience.kotlin.spring.SuspendFallbackTests\$WrongPlainType.price(String)")
            .hasMessageContaining("dev.resilience.kotlin.spring.SuspendFallbackTests\$WrongPlainType.fallback(String): returns reactor.core.publisher.Mono<java.lang.String>, expected java.lang.String")
    }

    @Test
    fun aSuspendFallbackWithOtherParametersFailsStartupWithTheExpectedSignature() {
        val failure = startupFailure(WrongParameters::class.java)
        assertThat(failure).hasMessageContaining("parameter 1 is int, expected java.lang.String")
        assertThat(failure.action())
            .contains("(suspend) fun fallback(String): String or (suspend) fun fallback(String, Throwable): String")
    }

    @Test
    fun aSuspendFallbackOfAStreamMustReturnTheStream() {
        assertThat(startupFailure(OneValueForAStream::class.java))
            .hasMessageContaining("is a suspend function, which gives one value")
    }

    /** Starts a context with the bean, which must fail, and returns why. */
    private fun startupFailure(bean: Class<*>): ResilienceConfigurationException {
        var failure: Throwable? = null
        contextRunner.withUserConfiguration(bean).run { context ->
            assertThat(context).hasFailed()
            failure = generateSequence(context.startupFailure) { it.cause }.last()
        }
        assertThat(failure).isInstanceOf(ResilienceConfigurationException::class.java)
        return failure as ResilienceConfigurationException
    }

    @Service
    class Quotes {
        @CircuitBreaker(name = "quotes")
        @Fallback(method = "cached")
        suspend fun quote(symbol: String): String {
            delay(1)
            throw IOException("feed down")
        }

        suspend fun cached(symbol: String, failure: IOException): String {
            delay(1)
            val caller = currentCoroutineContext()[CoroutineName]?.name
            return "cached $symbol after ${failure.javaClass.simpleName}: ${failure.message}, in $caller"
        }

        @Fallback(method = "minusOne")
        suspend fun flaky(): Int = throw IllegalStateException("no")

        suspend fun minusOne(): Int = -1

        @Fallback(method = "plainAnswer")
        suspend fun plainForSuspend(symbol: String): String = throw IllegalStateException("no")

        fun plainAnswer(symbol: String): String = "plain $symbol"

        @Fallback(method = "none")
        suspend fun nothing(): String? = throw IllegalStateException("no")

        suspend fun none(): String? = null

        @Fallback(method = "streamFallback")
        fun stream(): Flow<String> = flow { throw IOException("no stream") }

        suspend fun streamFallback(failure: Throwable): Flow<String> = flowOf("fallback", "stream")

        @Fallback(method = "suspended")
        fun plain(symbol: String): String = throw IllegalStateException("no")

        @Fallback(method = "suspended")
        fun mono(symbol: String): Mono<String> = Mono.error(IllegalStateException("no"))

        @Fallback(method = "suspended")
        fun future(symbol: String): CompletableFuture<String> = CompletableFuture.failedFuture(IllegalStateException("no"))

        suspend fun suspended(symbol: String, failure: Throwable): String {
            delay(1)
            return "suspended $symbol (${failure.javaClass.simpleName})"
        }

        @Fallback(method = "unitFallback")
        fun unit(): Unit = throw IllegalStateException("no")

        val unitFallbacks = java.util.concurrent.atomic.AtomicInteger()

        suspend fun unitFallback() {
            delay(1)
            unitFallbacks.incrementAndGet()
        }
    }

    @Service
    class WrongType {
        @Fallback(method = "fallback")
        suspend fun price(symbol: String): String = symbol

        suspend fun fallback(symbol: String): Int = 0
    }

    @Service
    class WrongPlainType {
        @Fallback(method = "fallback")
        suspend fun price(symbol: String): String = symbol

        fun fallback(symbol: String): Mono<String> = Mono.just(symbol)
    }

    @Service
    class WrongParameters {
        @Fallback(method = "fallback")
        suspend fun price(symbol: String): String = symbol

        suspend fun fallback(symbol: Int): String = "x"
    }

    @Service
    class OneValueForAStream {
        @Fallback(method = "fallback")
        fun prices(): Flow<String> = flowOf("1")

        suspend fun fallback(): String = "x"
    }
}
