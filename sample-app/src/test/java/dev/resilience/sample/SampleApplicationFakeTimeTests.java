package dev.resilience.sample;

import java.time.Duration;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.testing.spring.ResilienceFakeTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The application's resilience tested the way an application's own tests would, with
 * {@code resilience-test} alone: the payment breaker opens, waits its 10 s open state on
 * fake time (advanced by the test, no sleeping) and closes again; and each test method
 * starts from fresh state, whatever the previous one left (the methods run in order to
 * show it). The downstream answers over HTTP on a random port, as in production.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.banner-mode=off", "logging.level.root=warn" })
@ResilienceFakeTime
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleApplicationFakeTimeTests {

	private static final Order ORDER = new Order("ann", "sku-1", 1, 25.0);

	@Autowired
	private ManualScheduler time;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private DownstreamController downstream;

	@Autowired
	private PaymentClient payments;

	@Autowired
	private OrderController orders;

	@AfterEach
	void healTheDownstream() {
		// The downstream's faults are the application's own state, not resilience's.
		this.downstream.faults(Faults.NONE);
	}

	@Test
	@org.junit.jupiter.api.Order(1)
	void theBreakerOpensOnFailuresAndClosesAfterItsWaitOnFakeTime() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		this.downstream.faults(new Faults(1.0, 0));
		for (int i = 0; i < 5; i++) {
			assertThat(this.payments.charge(ORDER).status()).as("the fallback queues the payment")
				.isEqualTo(Payment.Status.PENDING);
		}
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

		this.downstream.faults(Faults.NONE);
		assertThat(this.payments.charge(ORDER).status()).as("an open breaker does not call the downstream")
			.isEqualTo(Payment.Status.PENDING);
		this.time.advance(Duration.ofSeconds(9));
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		this.time.advance(Duration.ofSeconds(1));
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);

		for (int i = 0; i < 3; i++) {
			assertThat(this.payments.charge(ORDER).status()).isEqualTo(Payment.Status.CHARGED);
		}
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@Test
	@org.junit.jupiter.api.Order(2)
	void aTestLeavesTheBreakerOpenAndTheRateLimitUsedUp() {
		this.circuitBreakers.instance("payments").transitionTo(CircuitBreaker.State.OPEN);
		for (int i = 0; i < 20; i++) {
			this.orders.place(ORDER);
		}
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> this.orders.place(ORDER));
	}

	@Test
	@org.junit.jupiter.api.Order(3)
	void theNextTestStartsWithTheBreakerClosedAndTheRateLimitFull() {
		CircuitBreaker breaker = this.circuitBreakers.instance("payments");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker.metrics().totalNotPermittedCalls()).isZero();
		// The fake time has not moved since the limit was used up: only the reset
		// refilled it.
		for (int i = 0; i < 20; i++) {
			assertThat(this.orders.place(ORDER).payment().status()).isEqualTo(Payment.Status.CHARGED);
		}
	}

}
