package dev.resilience.kotlin.spring

import dev.resilience.annotation.CircuitBreaker
import dev.resilience.annotation.Fallback
import dev.resilience.annotation.Retry
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration
import dev.resilience.boot.metrics.ResilienceMeterBinder
import dev.resilience.boot.metrics.ResilienceMetricsAutoConfiguration
import dev.resilience.boot.observation.ResilienceObservationAutoConfiguration
import dev.resilience.circuitbreaker.CircuitBreakerRegistry
import dev.resilience.retry.RetryRegistry
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import io.micrometer.observation.Observation
import io.micrometer.observation.ObservationHandler
import io.micrometer.observation.ObservationRegistry
import java.util.concurrent.ConcurrentLinkedQueue
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import org.springframework.stereotype.Service
import java.io.IOException
import java.util.concurrent.atomic.AtomicInteger

/**
 * A `suspend fun` behaves exactly as the same synchronous method: given the same script of
 * failures through the same retry, breaker and fallback, the two return the same answers
 * and leave the same events, meters and observations behind.
 */
class SyncSuspendParityTests {

    private val contextRunner = ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ResilienceAutoConfiguration::class.java,
                ResilienceMetricsAutoConfiguration::class.java,
                ResilienceObservationAutoConfiguration::class.java,
            ),
        )
        .withUserConfiguration(Registries::class.java, Twins::class.java)
        .withPropertyValues(
            "resilience.circuitbreaker.configs.default.sliding-window-size=4",
            "resilience.circuitbreaker.configs.default.minimum-number-of-calls=4",
            "resilience.circuitbreaker.configs.default.failure-rate-threshold=50",
            "resilience.circuitbreaker.configs.default.wait-duration-in-open-state=1h",
            "resilience.retry.configs.default.max-attempts=2",
            "resilience.retry.configs.default.wait-duration=0",
        )

    @Test
    fun theSameScriptGivesTheSameAnswersEventsMetersAndObservations() {
        contextRunner.run { context ->
            assertThat(context).hasNotFailed()
            val twins = context.getBean(Twins::class.java)
            val events = mutableMapOf<String, MutableList<String>>()
            for (name in listOf("sync", "suspend")) {
                context.getBean(CircuitBreakerRegistry::class.java).instance(name).events()
                    .onEvent { events.getOrPut("breaker $name") { mutableListOf() } += it.type().name }
                context.getBean(RetryRegistry::class.java).instance(name).events()
                    .onEvent { events.getOrPut("retry $name") { mutableListOf() } += it.type().name }
            }
            val syncAnswers = (0 until 8).map { twins.sync(it) }
            val suspendAnswers = runBlocking { (0 until 8).map { twins.suspending(it) } }

            // The script opens the breaker: the answers show every outcome kind.
            assertThat(syncAnswers).contains("ok 0", "fallback IOException", "fallback CallNotPermittedException")
            assertThat(suspendAnswers).isEqualTo(syncAnswers)
            assertThat(events["breaker suspend"]).isNotEmpty().isEqualTo(events["breaker sync"])
            assertThat(events["retry suspend"]).isNotEmpty().isEqualTo(events["retry sync"])

            // Bound here as Spring Boot's metrics module (not in this test) binds it.
            val meters = context.getBean(MeterRegistry::class.java)
            context.getBean(ResilienceMeterBinder::class.java).bindTo(meters)
            val syncMeters = meterValues(meters, "sync")
            assertThat(syncMeters).containsKey("resilience.circuitbreaker.calls[outcome=failure]")
            assertThat(meterValues(meters, "suspend")).isEqualTo(syncMeters)

            val observations = context.getBean(Registries::class.java).stopped
            assertThat(outcomes(observations, "resilience.call", "Twins.suspending"))
                .hasSize(8).isEqualTo(outcomes(observations, "resilience.call", "Twins.sync"))
            assertThat(outcomes(observations, "resilience.attempt", "Twins.suspending"))
                .isNotEmpty().isEqualTo(outcomes(observations, "resilience.attempt", "Twins.sync"))
        }
    }

    /** The values of the meters of one instance, by name and by the tags other than its name. */
    private fun meterValues(meters: MeterRegistry, name: String): Map<String, Double> =
        meters.meters.filter { it.id.getTag("name") == name }.associate { meter ->
            val tags = meter.id.tags.filter { it.key != "name" }.joinToString(",") { "${it.key}=${it.value}" }
            "${meter.id.name}[$tags]" to meter.measure().sumOf { it.value }
        }

    private fun outcomes(stopped: Collection<Observation.Context>, observation: String, method: String): List<String?> =
        stopped
            .filter { it.name == observation && low(it, "resilience.method") == method }
            .map { low(it, "resilience.outcome") }

    private fun low(context: Observation.Context, key: String): String? = context.getLowCardinalityKeyValue(key)?.value

    @Configuration(proxyBeanMethods = false)
    class Registries {
        @Bean
        fun meterRegistry(): SimpleMeterRegistry = SimpleMeterRegistry()

        /** The observations stopped, in order. */
        val stopped = ConcurrentLinkedQueue<Observation.Context>()

        @Bean
        fun observationRegistry(): ObservationRegistry = ObservationRegistry.create().also { registry ->
            registry.observationConfig().observationHandler(object : ObservationHandler<Observation.Context> {
                override fun supportsContext(context: Observation.Context): Boolean = true

                override fun onStop(context: Observation.Context) {
                    stopped += context
                }
            })
        }
    }

    @Service
    class Twins {
        // Attempts 1..6 fail: call 0 succeeds, calls 1 and 2 fail both attempts, call 3
        // fails once and then succeeds; the window then holds 4 calls, 2 failed, and opens.
        private val failing = setOf(1, 2, 3, 4, 5)
        private val syncAttempts = AtomicInteger()
        private val suspendAttempts = AtomicInteger()

        @Retry(name = "sync")
        @CircuitBreaker(name = "sync")
        @Fallback(method = "syncFallback")
        fun sync(call: Int): String {
            val attempt = syncAttempts.getAndIncrement()
            if (attempt in failing) throw IOException("attempt $attempt")
            return "ok $attempt"
        }

        fun syncFallback(call: Int, failure: Throwable): String = "fallback ${failure.javaClass.simpleName}"

        @Retry(name = "suspend")
        @CircuitBreaker(name = "suspend")
        @Fallback(method = "suspendingFallback")
        suspend fun suspending(call: Int): String {
            val attempt = suspendAttempts.getAndIncrement()
            yield()
            if (attempt in failing) throw IOException("attempt $attempt")
            return "ok $attempt"
        }

        suspend fun suspendingFallback(call: Int, failure: Throwable): String {
            yield()
            return "fallback ${failure.javaClass.simpleName}"
        }
    }
}
