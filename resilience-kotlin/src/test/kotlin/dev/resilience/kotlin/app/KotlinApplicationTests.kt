package dev.resilience.kotlin.app

import dev.resilience.annotation.CircuitBreaker
import dev.resilience.annotation.Fallback
import dev.resilience.annotation.Retry
import dev.resilience.circuitbreaker.CircuitBreaker.State
import dev.resilience.circuitbreaker.CircuitBreakerRegistry
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.aop.support.AopUtils
import org.springframework.beans.factory.annotation.Autowired
import org.springframework.boot.autoconfigure.SpringBootApplication
import org.springframework.boot.test.context.SpringBootTest
import org.springframework.stereotype.Service
import java.io.IOException
import java.util.concurrent.atomic.AtomicInteger

/**
 * The starter in a Kotlin Spring Boot application: a Kotlin `@Service` with suspend
 * functions and a `Flow`, configured in properties, proxied and protected as a Java bean is.
 */
@SpringBootTest(
    classes = [ShopApplication::class],
    properties = [
        "resilience.circuitbreaker.instances.prices.sliding-window-size=4",
        "resilience.circuitbreaker.instances.prices.minimum-number-of-calls=4",
        "resilience.circuitbreaker.instances.prices.failure-rate-threshold=50",
        "resilience.retry.instances.prices.max-attempts=3",
        "resilience.retry.instances.prices.wait-duration=1ms",
    ],
)
class KotlinApplicationTests {

    @Autowired
    lateinit var prices: PriceService

    @Autowired
    lateinit var breakers: CircuitBreakerRegistry

    @Test
    fun aSuspendFunctionIsRetriedAndAnsweredByItsSuspendFallbackOnceTheBreakerOpens() {
        assertThat(AopUtils.isAopProxy(prices)).isTrue()
        runBlocking {
            prices.failuresBeforeSuccess = 2
            assertThat(prices.price("apple")).isEqualTo("apple: 42 (attempt 3)")
            assertThat(breakers.instance("prices").metrics().failedCalls()).isEqualTo(2)
            prices.failuresBeforeSuccess = Int.MAX_VALUE
            // Its first attempt fails, the fourth call in the window, the third failed:
            // the breaker opens, and the retry does not retry an open circuit.
            assertThat(prices.price("pear")).isEqualTo("pear: unavailable (CallNotPermittedException)")
            assertThat(breakers.instance("prices").state()).isEqualTo(State.OPEN)
            assertThat(prices.attempts).hasValue(1)
        }
    }

    @Test
    fun aFlowStreamsThroughItsBreaker() {
        runBlocking {
            assertThat(prices.ticker("apple").take(3).toList()).containsExactly("apple 0", "apple 1", "apple 2")
        }
    }
}

/** The application: top level, as test-enclosed classes are kept out of the component scan. */
@SpringBootApplication
class ShopApplication

@Service
class PriceService {
    val attempts = AtomicInteger()

    @Volatile
    var failuresBeforeSuccess = 0

    @Retry(name = "prices")
    @CircuitBreaker(name = "prices")
    @Fallback(method = "unavailable")
    suspend fun price(item: String): String {
        val attempt = attempts.incrementAndGet()
        delay(1)
        if (attempt <= failuresBeforeSuccess) throw IOException("attempt $attempt failed")
        attempts.set(0)
        return "$item: 42 (attempt $attempt)"
    }

    suspend fun unavailable(item: String, failure: Exception): String {
        delay(1)
        return "$item: unavailable (${failure.javaClass.simpleName})"
    }

    @CircuitBreaker(name = "ticker")
    fun ticker(item: String): Flow<String> = flow {
        var tick = 0
        while (true) {
            emit("$item ${tick++}")
            delay(1)
        }
    }
}
