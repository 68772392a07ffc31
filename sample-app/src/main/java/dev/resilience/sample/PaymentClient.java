package dev.resilience.sample;

import java.util.UUID;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;

import org.springframework.stereotype.Component;

/**
 * Charges orders. While the payment service fails, the circuit breaker opens and the
 * fallback queues the payment instead: the order is accepted, its payment pending.
 */
@Component
class PaymentClient {

	private final Downstream downstream;

	private final PendingPayments pending;

	PaymentClient(Downstream downstream, PendingPayments pending) {
		this.downstream = downstream;
		this.pending = pending;
	}

	@CircuitBreaker(name = "payments")
	@Fallback(method = "queue")
	public Payment charge(Order order) {
		return this.downstream.client().post().uri("/payments").body(order).retrieve().body(Payment.class);
	}

	// Checked at startup: same parameters as charge, then the failure.
	Payment queue(Order order, Throwable failure) {
		Payment payment = new Payment(UUID.randomUUID().toString(), Payment.Status.PENDING, order.total());
		this.pending.add(order, payment);
		return payment;
	}

}
