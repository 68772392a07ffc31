package dev.resilience.boot.actuate.endpoint;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The one application context every HTTP endpoint test class shares (the same
 * configuration, so Spring's test context cache starts it once): the endpoints exposed
 * over HTTP on a random port (and Spring Boot's {@code loggers}, to compare with), a
 * small events buffer, a user for the writes, and a few configured instances for the
 * tests that only read.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"management.endpoints.web.exposure.include=health,loggers,circuitbreakers,retries,ratelimiters,bulkheads,"
				+ "timeouts,resilienceevents,resilience",
		"resilience.events.buffer-size=8", "spring.security.user.name=" + ActuatorClient.USER,
		"spring.security.user.password=" + ActuatorClient.PASSWORD,
		"resilience.circuitbreaker.instances.payments.sliding-window-size=4",
		"resilience.circuitbreaker.instances.payments.minimum-number-of-calls=4",
		"resilience.circuitbreaker.instances.payments.wait-duration-in-open-state=30s",
		"resilience.circuitbreaker.instances.payments.ignore-exceptions=java.lang.IllegalArgumentException",
		"resilience.retry.instances.orders.max-attempts=4", "resilience.retry.instances.orders.wait-duration=100ms",
		"resilience.ratelimiter.instances.search.limit-for-period=10",
		"resilience.ratelimiter.instances.search.timeout-duration=0",
		"resilience.bulkhead.instances.inventory.max-concurrent-calls=2",
		"resilience.thread-pool-bulkhead.instances.reports.core-thread-pool-size=1",
		"resilience.thread-pool-bulkhead.instances.reports.max-thread-pool-size=2",
		"resilience.thread-pool-bulkhead.instances.reports.queue-capacity=4",
		"resilience.timeout.instances.quotes.timeout-duration=2s" })
@interface EndpointTest {

}
