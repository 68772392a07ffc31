package dev.resilience.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.resilience.annotation.Timeout;

import org.springframework.stereotype.Component;

/**
 * Reads stock. Reads are safe to repeat, so the downstream client's policy set retries
 * them (exponential backoff with jitter, {@code Retry-After} honoured): no {@code @Retry}
 * here, which would repeat every one of the client's attempts again. The asynchronous
 * variant is bounded by a timeout, and by the request's deadline when it has one.
 */
@Component
class InventoryClient {

	private final Downstream downstream;

	private final Executor executor;

	InventoryClient(Downstream downstream, Executor applicationTaskExecutor) {
		this.downstream = downstream;
		this.executor = applicationTaskExecutor;
	}

	public Stock stock(String sku) {
		return this.downstream.client().get().uri("/inventory/{sku}", sku).retrieve().body(Stock.class);
	}

	@Timeout(name = "inventory")
	public CompletableFuture<Stock> stockAsync(String sku) {
		return CompletableFuture.supplyAsync(
				() -> this.downstream.client().get().uri("/inventory/{sku}", sku).retrieve().body(Stock.class),
				this.executor);
	}

}
