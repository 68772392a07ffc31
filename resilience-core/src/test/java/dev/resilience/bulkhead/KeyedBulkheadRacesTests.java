package dev.resilience.bulkhead;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-key promises under races: a key never runs more calls than the limit, even
 * through a bulkhead object that was forgotten meanwhile; at most {@code maxKeys} keys
 * hold state; a key always runs with the instance's current configuration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyedBulkheadRacesTests {

	private final ExecutorService executor = Executors.newFixedThreadPool(8);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	private static Bulkhead bulkhead(int max, int maxKeys) {
		return Bulkhead.of("tenants", BulkheadConfig.builder().maxConcurrentCalls(max).maxKeys(maxKeys).build());
	}

	@Test
	void aKeysBulkheadHeldWhileItIsForgottenNeverAdmitsMoreThanTheLimit() {
		Bulkhead bulkhead = bulkhead(1, 1);
		// Taken by a caller that has not acquired yet: nothing in flight, so it may be
		// forgotten...
		Bulkhead held = bulkhead.forKey("acme");
		// ...when another key needs the only place in the map.
		bulkhead.forKey("globex");
		Bulkhead fresh = bulkhead.forKey("acme");
		int admitted = 0;
		admitted += held.tryAcquirePermission() ? 1 : 0;
		admitted += fresh.tryAcquirePermission() ? 1 : 0;
		assertThat(admitted).as("calls of acme in flight with a limit of 1").isEqualTo(1);
	}

	@Test
	void liveKeysCountsOnlyKeysWithCallsInFlight() {
		Bulkhead bulkhead = bulkhead(2, 100);
		for (int i = 0; i < 5; i++) {
			// Falling keys land behind a walk over the keys in progress.
			Bulkhead key = bulkhead.forKey(new Colliding(i));
			key.acquirePermission();
			key.releasePermission();
		}
		Bulkhead busy = bulkhead.forKey("busy");
		busy.acquirePermission();
		assertThat(bulkhead.metrics().liveKeys()).isEqualTo(1);
		busy.releasePermission();
		assertThat(bulkhead.metrics().liveKeys()).isZero();
	}

	@Test
	@Tag("concurrency")
	void keysCreatedConcurrentlyNeverExceedMaxKeys() throws Exception {
		int threads = 8;
		int maxKeys = 2;
		for (int round = 0; round < 300; round++) {
			Bulkhead bulkhead = bulkhead(1, maxKeys);
			CyclicBarrier start = new CyclicBarrier(threads);
			AtomicInteger admitted = new AtomicInteger();
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int key = t;
				callers.add(this.executor.submit(() -> {
					start.await();
					try {
						// Held, never released: a key with a call in flight cannot be
						// forgotten, so each admitted call occupies a key for good.
						if (bulkhead.forKey(key).tryAcquirePermission()) {
							admitted.incrementAndGet();
						}
					}
					catch (BulkheadFullException ex) {
						// Refused: the map is full of keys with calls in flight.
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(10, TimeUnit.SECONDS);
			}
			assertThat(admitted.get()).as("round %d: keys holding a call", round).isLessThanOrEqualTo(maxKeys);
			assertThat(bulkhead.metrics().liveKeys()).isLessThanOrEqualTo(maxKeys);
		}
	}

	@Test
	@Tag("concurrency")
	void aKeyAlwaysRunsWithTheCurrentLimit() throws Exception {
		for (int round = 0; round < 20; round++) {
			Bulkhead bulkhead = bulkhead(1, 100_000);
			CyclicBarrier start = new CyclicBarrier(2);
			AtomicBoolean done = new AtomicBoolean();
			Future<?> reconfigure = this.executor.submit(() -> {
				start.await();
				// Back and forth while keys are created, ending at 5.
				for (int i = 1; i <= 101; i++) {
					int limit = (i % 2 == 1) ? 5 : 1;
					bulkhead.reconfigure(BulkheadConfig.from(bulkhead.config()).maxConcurrentCalls(limit).build());
				}
				done.set(true);
				return null;
			});
			List<Bulkhead> keys = new ArrayList<>();
			Future<?> create = this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < 1_000 && (!done.get() || i < 100); i++) {
					// Keys of one hash bin, so that a walk over the keys in progress can
					// pass
					// the place where the next one lands.
					Bulkhead key = bulkhead.forKey(new Colliding(i));
					// Keep each key alive (a call in flight) so it is not forgotten.
					if (key.tryAcquirePermission()) {
						keys.add(key);
					}
				}
				return null;
			});
			reconfigure.get(10, TimeUnit.SECONDS);
			create.get(10, TimeUnit.SECONDS);
			for (Bulkhead key : keys) {
				// One place taken; the current limit of 5 leaves 4.
				int admitted = 0;
				while (admitted < 10 && key.tryAcquirePermission()) {
					admitted++;
				}
				assertThat(admitted).as("round %d: places left in a key with one call in flight", round).isEqualTo(4);
			}
		}
	}

	@Test
	@Tag("concurrency")
	void aKeyNeverRunsMoreThanTheLimitWhileKeysComeAndGo() throws Exception {
		int threads = 8;
		// Few places in the map, many keys: bulkheads are forgotten and made again all
		// the time, while callers hold them.
		Bulkhead bulkhead = bulkhead(1, 3);
		java.util.Map<Integer, AtomicInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
		AtomicInteger violations = new AtomicInteger();
		AtomicInteger admitted = new AtomicInteger();
		CyclicBarrier start = new CyclicBarrier(threads);
		List<Future<?>> callers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int seed = t;
			callers.add(this.executor.submit(() -> {
				java.util.Random random = new java.util.Random(seed);
				start.await();
				for (int i = 0; i < 20_000; i++) {
					int key = random.nextInt(6);
					Bulkhead held;
					try {
						held = bulkhead.forKey(key);
					}
					catch (BulkheadFullException ex) {
						continue;
					}
					if (random.nextBoolean()) {
						// Let others forget and remake it before we acquire.
						Thread.yield();
					}
					if (!held.tryAcquirePermission()) {
						continue;
					}
					admitted.incrementAndGet();
					AtomicInteger count = inFlight.computeIfAbsent(key, (k) -> new AtomicInteger());
					if (count.incrementAndGet() > 1) {
						violations.incrementAndGet();
					}
					count.decrementAndGet();
					held.releasePermission();
				}
				return null;
			}));
		}
		for (Future<?> caller : callers) {
			caller.get(30, TimeUnit.SECONDS);
		}
		assertThat(admitted.get()).isPositive();
		assertThat(violations).as("times a key ran two calls at once with a limit of 1").hasValue(0);
		assertThat(bulkhead.metrics().liveKeys()).isZero();
	}

	/** A key whose hash code is the same for every instance. */
	record Colliding(int id) {

		@Override
		public int hashCode() {
			return 42;
		}

	}

}
