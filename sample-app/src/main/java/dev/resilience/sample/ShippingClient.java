package dev.resilience.sample;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * Quotes shipping, the Reactor way: each subscription runs the circuit breaker, and the
 * fallback quotes a flat rate. The downstream client's policy set retries the GET itself.
 */
@Component
class ShippingClient {

	private final Downstream downstream;

	ShippingClient(Downstream downstream) {
		this.downstream = downstream;
	}

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
