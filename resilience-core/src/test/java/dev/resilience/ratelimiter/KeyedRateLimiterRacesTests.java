package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-key promises under races: a key's bucket never grants more than its capacity
 * and refill, even through a limiter object that was forgotten meanwhile; at most
 * {@code maxKeys} keys hold a bucket; a new key is refused only when no stored bucket
 * could be forgotten; a key always runs with the instance's current configuration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyedRateLimiterRacesTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final ExecutorService executor = Executors.newFixedThreadPool(8);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	private RateLimiter limiter(int limit, Duration period, int maxKeys) {
		return RateLimiter.of("api",
				RateLimiterConfig.builder()
					.limitForPeriod(limit)
					.limitRefreshPeriod(period)
					.timeoutDuration(Duration.ZERO)
					.maxKeys(maxKeys)
					.build(),
				this.ticker, this.scheduler);
	}

	@Test
	void aKeysLimiterHeldWhileItIsForgottenNeverGrantsMoreThanTheBucket() {
		RateLimiter limiter = limiter(2, Duration.ofHours(1), 1);
		// A full bucket, taken by a caller that has not asked for permits yet...
		RateLimiter held = limiter.forKey("ann");
		// ...is forgotten when another key needs the only place in the map.
		limiter.forKey("bob");
		RateLimiter fresh = limiter.forKey("ann");
		int granted = 0;
		granted += held.tryAcquirePermission(2) ? 2 : 0;
		granted += fresh.tryAcquirePermission(2) ? 2 : 0;
		assertThat(granted).as("permits granted to ann within an hour, capacity 2").isEqualTo(2);
	}

	@Test
	void liveKeysCountsOnlyBucketsThatHaveNotRefilled() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1_000);
		for (int i = 0; i < 200; i++) {
			limiter.forKey(i).tryAcquirePermission(1);
		}
		assertThat(limiter.metrics().liveKeys()).isEqualTo(200);
		this.ticker.advance(Duration.ofMillis(999));
		limiter.forKey("late").tryAcquirePermission(1);
		this.ticker.advance(Duration.ofMillis(1));
		// Every bucket but late's has refilled: it is the same as a new one.
		assertThat(limiter.metrics().liveKeys()).isEqualTo(1);
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(limiter.metrics().liveKeys()).isZero();
	}

	@Test
	@Tag("concurrency")
	void keysCreatedConcurrentlyNeverExceedMaxKeys() throws Exception {
		int threads = 8;
		int maxKeys = 2;
		for (int round = 0; round < 300; round++) {
			RateLimiter limiter = limiter(1, Duration.ofHours(1), maxKeys);
			CyclicBarrier start = new CyclicBarrier(threads);
			AtomicInteger granted = new AtomicInteger();
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int key = t;
				callers.add(this.executor.submit(() -> {
					start.await();
					try {
						// The permit empties the bucket for an hour: the key holds state.
						if (limiter.forKey(key).tryAcquirePermission(1)) {
							granted.incrementAndGet();
						}
					}
					catch (RequestNotPermittedException ex) {
						// Refused: the map is full of buckets that have not refilled.
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(10, TimeUnit.SECONDS);
			}
			assertThat(granted.get()).as("round %d: keys holding a spent bucket", round).isLessThanOrEqualTo(maxKeys);
			assertThat(limiter.metrics().liveKeys()).isLessThanOrEqualTo(maxKeys);
		}
	}

	@Test
	@Tag("concurrency")
	void aFloodOfNewKeysIsNotRefusedWhileStoredBucketsHaveRefilled() throws Exception {
		int threads = 8;
		int maxKeys = 64;
		// One permit per key and millisecond: after a millisecond every bucket is full.
		RateLimiter limiter = limiter(1, Duration.ofMillis(1), maxKeys);
		AtomicInteger refused = new AtomicInteger();
		AtomicInteger next = new AtomicInteger();
		for (int phase = 0; phase < 300; phase++) {
			// Each phase creates exactly maxKeys new keys, from 8 threads at once, after
			// every stored bucket has refilled: there is always room.
			this.ticker.advance(Duration.ofMillis(1));
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				callers.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < maxKeys / threads; i++) {
						try {
							limiter.forKey(next.incrementAndGet()).tryAcquirePermission(1);
						}
						catch (RequestNotPermittedException ex) {
							refused.incrementAndGet();
						}
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(10, TimeUnit.SECONDS);
			}
		}
		assertThat(refused).as("new keys refused while the stored buckets had refilled").hasValue(0);
	}

	@Test
	@Tag("concurrency")
	void aKeyAlwaysRunsWithTheCurrentConfiguration() throws Exception {
		for (int round = 0; round < 20; round++) {
			RateLimiter limiter = limiter(1, Duration.ofHours(1), 100_000);
			CyclicBarrier start = new CyclicBarrier(2);
			AtomicBoolean done = new AtomicBoolean();
			Future<?> reconfigure = this.executor.submit(() -> {
				start.await();
				// Back and forth while keys are created, ending at 5.
				for (int i = 1; i <= 101; i++) {
					int limit = (i % 2 == 1) ? 5 : 1;
					limiter.reconfigure(RateLimiterConfig.from(limiter.config()).limitForPeriod(limit).build());
				}
				done.set(true);
				return null;
			});
			List<RateLimiter> keys = new ArrayList<>();
			Future<?> create = this.executor.submit(() -> {
				start.await();
				for (int i = 0; i < 1_000 && (!done.get() || i < 100); i++) {
					// Keys of one hash bin, so that a walk over the keys in progress can
					// pass
					// the place where the next one lands.
					RateLimiter key = limiter.forKey(new Colliding(i));
					// Spend a permit so that the key keeps its bucket.
					key.tryAcquirePermission(1);
					keys.add(key);
				}
				return null;
			});
			reconfigure.get(10, TimeUnit.SECONDS);
			create.get(10, TimeUnit.SECONDS);
			for (RateLimiter key : keys) {
				assertThat(key.config().limitForPeriod()).as("round %d", round).isEqualTo(5);
			}
			// After an hour every bucket has refilled to the current capacity of 5.
			this.ticker.advance(Duration.ofHours(1));
			for (RateLimiter key : keys) {
				assertThat(key.tryAcquirePermission(5)).as("round %d: a refilled key holds 5", round).isTrue();
			}
		}
	}

	@Test
	@Tag("concurrency")
	void aKeyNeverGetsMoreThanItsBucketWhileKeysComeAndGo() throws Exception {
		int threads = 8;
		int capacity = 3;
		// Few places in the map, many keys: buckets are forgotten and made again all the
		// time, while callers hold them.
		RateLimiter limiter = limiter(capacity, Duration.ofSeconds(1), 3);
		for (int phase = 0; phase < 100; phase++) {
			// Every bucket is full at the start of a phase and time stands still in it.
			this.ticker.advance(Duration.ofSeconds(1));
			java.util.Map<Integer, AtomicInteger> granted = new java.util.concurrent.ConcurrentHashMap<>();
			CyclicBarrier start = new CyclicBarrier(threads);
			List<Future<?>> callers = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int seed = phase * threads + t;
				callers.add(this.executor.submit(() -> {
					java.util.Random random = new java.util.Random(seed);
					start.await();
					for (int i = 0; i < 200; i++) {
						int key = random.nextInt(6);
						RateLimiter held;
						try {
							held = limiter.forKey(key);
						}
						catch (RequestNotPermittedException ex) {
							continue;
						}
						if (random.nextBoolean()) {
							Thread.yield();
						}
						if (held.tryAcquirePermission(1)) {
							granted.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
						}
					}
					return null;
				}));
			}
			for (Future<?> caller : callers) {
				caller.get(10, TimeUnit.SECONDS);
			}
			int phaseNumber = phase;
			granted.forEach((key, count) -> assertThat(count.get())
				.as("phase %d: permits granted to key %d without refill", phaseNumber, key)
				.isLessThanOrEqualTo(capacity));
		}
	}

	/** A key whose hash code is the same for every instance. */
	record Colliding(int id) {

		@Override
		public int hashCode() {
			return 42;
		}

	}

}
