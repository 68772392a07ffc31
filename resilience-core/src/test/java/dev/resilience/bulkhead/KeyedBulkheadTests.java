package dev.resilience.bulkhead;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One bulkhead per key, sharing the instance's configuration and counters, kept only
 * while calls of that key are in flight.
 */
class KeyedBulkheadTests {

	private Bulkhead bulkhead(int max, int maxKeys) {
		return Bulkhead.of("tenants", BulkheadConfig.builder().maxConcurrentCalls(max).maxKeys(maxKeys).build());
	}

	@Test
	void eachKeyHasItsOwnPlaces() {
		Bulkhead bulkhead = bulkhead(1, 10);
		Bulkhead acme = bulkhead.forKey("acme");
		acme.acquirePermission();
		assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(acme::acquirePermission);
		Bulkhead globex = bulkhead.forKey("globex");
		globex.acquirePermission();
		globex.releasePermission();
		acme.releasePermission();
		Bulkhead.Metrics metrics = bulkhead.metrics();
		assertThat(metrics.totalPermittedCalls()).isEqualTo(2);
		assertThat(metrics.totalRejectedCalls()).isEqualTo(1);
	}

	@Test
	void aKeyWithCallsInFlightIsKeptAndANewKeyRefusedWhenFull() {
		Bulkhead bulkhead = bulkhead(2, 1);
		Bulkhead acme = bulkhead.forKey("acme");
		acme.acquirePermission();
		assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(() -> bulkhead.forKey("globex"));
		assertThat(bulkhead.forKey("acme")).isSameAs(acme);
		acme.releasePermission();
		// No call of acme in flight: its bulkhead is the same as a new one and may go.
		Bulkhead globex = bulkhead.forKey("globex");
		assertThat(globex).isNotSameAs(acme);
		globex.acquirePermission();
		assertThat(bulkhead.metrics().liveKeys()).isEqualTo(1);
	}

	@Test
	void reconfiguringTheInstanceReconfiguresEveryKey() {
		Bulkhead bulkhead = bulkhead(1, 10);
		Bulkhead acme = bulkhead.forKey("acme");
		bulkhead.reconfigure(BulkheadConfig.from(bulkhead.config()).maxConcurrentCalls(3).build());
		assertThat(acme.metrics().maxConcurrentCalls()).isEqualTo(3);
		assertThat(acme.metrics().availableConcurrentCalls()).isEqualTo(3);
	}

}
