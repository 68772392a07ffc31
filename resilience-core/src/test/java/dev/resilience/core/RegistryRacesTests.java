package dev.resilience.core;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run-time writes racing removals: a write never creates an instance, and a write that
 * reports an instance changed the one that was registered then (so the removal, which
 * comes after it, takes out the changed instance), while a write that found none changed
 * nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Tag("concurrency")
class RegistryRacesTests {

	private static final BulkheadConfig BEFORE = BulkheadConfig.builder().maxConcurrentCalls(2).build();

	private static final BulkheadConfig WRITTEN = BulkheadConfig.builder().maxConcurrentCalls(7).build();

	private final ExecutorService executor = Executors.newFixedThreadPool(2);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	@Test
	void writesRacingRemovalsNeverCreateAndOnlyChangeRegisteredInstances() throws Exception {
		BulkheadRegistry registry = BulkheadRegistry.of(BulkheadConfig.ofDefaults());
		AtomicInteger added = new AtomicInteger();
		registry.events().onEvent((event) -> {
			if (event.type() == RegistryEvent.Type.ADDED) {
				added.incrementAndGet();
			}
		});
		Random random = new Random();
		int rounds = 2_000;
		int found = 0;
		for (int round = 0; round < rounds; round++) {
			Bulkhead created = registry.instance("db", BEFORE);
			CyclicBarrier start = new CyclicBarrier(2);
			// A random head start for one side, so that both orders happen often.
			int writerSpins = random.nextBoolean() ? random.nextInt(2_000) : 0;
			int removerSpins = (writerSpins == 0) ? random.nextInt(2_000) : 0;
			Future<Optional<Bulkhead>> write = this.executor.submit(() -> {
				start.await();
				spin(writerSpins);
				return registry.replaceConfigIfPresent("db", WRITTEN);
			});
			Future<Optional<Bulkhead>> removal = this.executor.submit(() -> {
				start.await();
				spin(removerSpins);
				return registry.remove("db");
			});
			Optional<Bulkhead> written = write.get(10, TimeUnit.SECONDS);
			assertThat(removal.get(10, TimeUnit.SECONDS)).as("round %d", round).containsSame(created);
			assertThat(registry.find("db")).as("round %d: nothing re-created", round).isEmpty();
			if (written.isPresent()) {
				found++;
				assertThat(written.get()).as("round %d", round).isSameAs(created);
				assertThat(created.config()).as("round %d: changed while registered", round).isSameAs(WRITTEN);
			}
			else {
				assertThat(created.config()).as("round %d: found none, changed nothing", round).isSameAs(BEFORE);
			}
		}
		assertThat(added).as("only the test's own instance() calls create").hasValue(rounds);
		// Not an invariant, a check that the race was exercised both ways often enough
		// for the invariants to mean something.
		assertThat(found).isBetween(1, rounds - 1);
	}

	private static void spin(int spins) {
		for (int i = 0; i < spins; i++) {
			Thread.onSpinWait();
		}
	}

}
