package dev.resilience.sample;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.Retry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * Quotes shipping, the Reactor way: each subscription runs the retry and the circuit
 * breaker, and the fallback quotes a flat rate.
 */
@Component
class ShippingClient {

	private final Downstream downstream;

	ShippingClient(Downstream downstream) {
		this.downstream = downstream;
	}

	@Retry(name = "shipping")
	@CircuitBreaker(name = "shipping")
	@Fallback(method = "flatRate")
	public Mono<Quote> quote(String sku) {
		return Mono
			.fromCallable(() -> this.downstream.client().get().uri("/shipping/{sku}", sku).retrieve().body(Quote.class))
			.subscribeOn(Schedulers.boundedElastic());
	}

	Mono<Quote> flatRate(String sku) {
		return Mono.just(new Quote(sku, 9.90, 5));
	}

}
