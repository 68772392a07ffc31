package dev.resilience.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.resilience.annotation.RateLimited;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The order service's public API. Placing orders is rate limited per customer (429 with
 * {@code Retry-After} beyond the limit, see {@link ResilienceExceptionHandler}).
 */
@RestController
class OrderController {

	private static final Duration CATALOG_RENDER_TIME = Duration.ofMillis(200);

	private final PaymentClient payments;

	private final InventoryClient inventory;

	private final RecommendationClient recommendations;

	private final ShippingClient shipping;

	private final PendingPayments pending;

	OrderController(PaymentClient payments, InventoryClient inventory, RecommendationClient recommendations,
			ShippingClient shipping, PendingPayments pending) {
		this.payments = payments;
		this.inventory = inventory;
		this.recommendations = recommendations;
		this.shipping = shipping;
		this.pending = pending;
	}

	@PostMapping("/orders")
	@ResponseStatus(HttpStatus.CREATED)
	@RateLimited(name = "public-api", key = "#order.customer()")
	public Placed place(@RequestBody Order order) {
		return new Placed(order, this.payments.charge(order));
	}

	@GetMapping("/products/{sku}/stock/now")
	public Stock stockNow(@PathVariable String sku) {
		return this.inventory.stock(sku);
	}

	@GetMapping("/products/{sku}/stock")
	public CompletableFuture<Stock> stock(@PathVariable String sku) {
		return this.inventory.stockAsync(sku);
	}

	@GetMapping("/products/{sku}/shipping")
	public reactor.core.publisher.Mono<Quote> shipping(@PathVariable String sku) {
		return this.shipping.quote(sku).timeout(Duration.ofSeconds(10));
	}

	@GetMapping("/customers/{customer}/recommendations")
	public List<String> recommendations(@PathVariable String customer) {
		return this.recommendations.recommendations(customer);
	}

	/**
	 * The catalog: a page of low value that takes 200 ms to render (the flood of the
	 * load-shedding demo). Unmatched by any shedding partition, it falls in
	 * {@code default}, and is shed first when the service is full.
	 * @return the products
	 * @throws InterruptedException if the request is cancelled while rendering
	 */
	@GetMapping("/catalog")
	public List<String> catalog() throws InterruptedException {
		Thread.sleep(CATALOG_RENDER_TIME.toMillis());
		return List.of("sku-1", "sku-2", "sku-3");
	}

	@GetMapping("/payments/pending")
	public Map<String, Integer> pending() {
		return Map.of("pending", this.pending.size());
	}

}
