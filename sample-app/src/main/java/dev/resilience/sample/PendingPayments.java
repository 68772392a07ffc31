package dev.resilience.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Payments accepted while the payment service was unavailable, to be charged later.
 */
@Component
class PendingPayments {

	private final Map<String, Order> orders = new ConcurrentHashMap<>();

	void add(Order order, Payment payment) {
		this.orders.put(payment.id(), order);
	}

	int size() {
		return this.orders.size();
	}

}
