package dev.resilience.testing.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the application context of a Spring test on fake time: a
 * {@link dev.resilience.testing.FakeTicker} and a
 * {@link dev.resilience.testing.ManualScheduler} on it are registered as the context's
 * {@link dev.resilience.core.Ticker} and {@link dev.resilience.core.Scheduler} (beans
 * {@code resilienceTicker} and {@code resilienceScheduler}), before any bean is created.
 * The starter's own ticker and scheduler back off, so every circuit breaker, retry, rate
 * limiter, bulkhead and timeout of the starter measures and waits on the fake time:
 * open-state waits, retry backoff, rate-limit refills and waits, bulkhead wait deadlines
 * and timeouts happen only when the test advances it.
 * <p>
 * Inject the {@link dev.resilience.testing.ManualScheduler} (or the
 * {@link dev.resilience.testing.FakeTicker}) into the test and move time with
 * {@link dev.resilience.testing.ManualScheduler#advance(java.time.Duration)}, which runs
 * every task that falls due on the way (advancing the ticker alone moves the time but
 * runs no task). A synchronous wait (retry backoff, a rate-limit wait) does not block: it
 * advances the fake time by its length. <pre class="code">
 * &#064;SpringBootTest
 * &#064;ResilienceFakeTime
 * class PaymentTests {
 *
 *     &#064;Autowired
 *     ManualScheduler time;
 *
 *     &#064;Test
 *     void theBreakerHalfOpensAfterItsWait() {
 *         // ... make the breaker open, then:
 *         this.time.advance(Duration.ofSeconds(10));
 *     }
 *
 * }
 * </pre>
 * <p>
 * Contexts with fake time are cached like any other: test classes with the same
 * configuration share one context and its fake time, which only moves forward (assert on
 * durations advanced, not on absolute readings). Thread-pool bulkheads measure no time
 * and are not affected. The Redis rate limiter's buckets refill on the Redis server's
 * clock, not on this one. A context that defines its own {@code Ticker} or
 * {@code Scheduler} bean as well fails to start (two candidates): use one or the other.
 * <p>
 * Found on the test class, a superclass or an enclosing class of a {@code @Nested} test.
 * The state of the instances is reset after each test method whether or not this
 * annotation is present (see {@link ResilienceResetTestExecutionListener}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface ResilienceFakeTime {

}
