package dev.resilience.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;

import org.springframework.stereotype.Component;

/**
 * Reads stock. Reads are safe to repeat, so transient failures are retried with
 * exponential backoff and jitter; the asynchronous variant retries without blocking a
 * thread and is bounded by a timeout.
 */
@Component
class InventoryClient {

	private final Downstream downstream;

	private final Executor executor;

	InventoryClient(Downstream downstream, Executor applicationTaskExecutor) {
		this.downstream = downstream;
		this.executor = applicationTaskExecutor;
	}

	@Retry(name = "inventory")
	public Stock stock(String sku) {
		return this.downstream.client().get().uri("/inventory/{sku}", sku).retrieve().body(Stock.class);
	}

	@Retry(name = "inventory")
	@Timeout(name = "inventory")
	public CompletableFuture<Stock> stockAsync(String sku) {
		return CompletableFuture.supplyAsync(
				() -> this.downstream.client().get().uri("/inventory/{sku}", sku).retrieve().body(Stock.class),
				this.executor);
	}

}
