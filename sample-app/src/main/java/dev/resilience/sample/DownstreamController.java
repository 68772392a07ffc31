package dev.resilience.sample;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The flaky downstream: payment, inventory, recommendation and shipping answers, each
 * subject to the faults injected with {@code POST /downstream/faults}.
 */
@RestController
@RequestMapping("/downstream")
class DownstreamController {

	private volatile Faults faults = Faults.NONE;

	@GetMapping("/faults")
	Faults faults() {
		return this.faults;
	}

	@PostMapping("/faults")
	Faults faults(@RequestBody Faults faults) {
		this.faults = faults;
		return faults;
	}

	@PostMapping("/payments")
	ResponseEntity<Payment> pay(@RequestBody Order order) throws InterruptedException {
		if (this.faults.apply()) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).build();
		}
		return ResponseEntity.ok(new Payment(UUID.randomUUID().toString(), Payment.Status.CHARGED, order.total()));
	}

	@GetMapping("/inventory/{sku}")
	ResponseEntity<Stock> stock(@PathVariable String sku) throws InterruptedException {
		if (this.faults.apply()) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).build();
		}
		return ResponseEntity.ok(new Stock(sku, Math.abs(sku.hashCode() % 50) + 1));
	}

	@GetMapping("/recommendations/{customer}")
	ResponseEntity<List<String>> recommendations(@PathVariable String customer) throws InterruptedException {
		if (this.faults.apply()) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).build();
		}
		return ResponseEntity.ok(List.of("sku-" + Math.abs(customer.hashCode() % 100), "sku-42"));
	}

	@GetMapping("/shipping/{sku}")
	ResponseEntity<Quote> shipping(@PathVariable String sku) throws InterruptedException {
		if (this.faults.apply()) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).build();
		}
		return ResponseEntity.ok(new Quote(sku, 4.90, 2));
	}

}
