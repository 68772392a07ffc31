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
import java.util.concurrent.atomic.AtomicLong;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RateLimiter#reset()}: a full bucket, every key's bucket forgotten, counters from
 * zero; a caller holding a key's limiter across the reset goes to the key's new bucket,
 * so no key ever gets more than one full bucket per reset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimiterResetTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final ExecutorService executor = Executors.newFixedThreadPool(5);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	private RateLimiter limiter(int limit, Duration timeout, int maxKeys) {
		return RateLimiter.of("api",
				RateLimiterConfig.builder()
					.limitForPeriod(limit)
					.limitRefreshPeriod(Duration.ofHours(1))
					.timeoutDuration(timeout)
					.maxKeys(maxKeys)
					.build(),
				this.ticker, this.scheduler);
	}

	@Test
	void resetFillsTheBucketAndZeroesTheCounters() {
		RateLimiter limiter = limiter(2, Duration.ZERO, 10);
		assertThat(limiter.tryAcquirePermission(2)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();

		limiter.reset();

		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(2, 0, 0, 0));
		assertThat(limiter.tryAcquirePermission(2)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).as("one full bucket, not more").isFalse();
	}

	@Test
	void resetForgetsEveryKeysBucket() {
		RateLimiter limiter = limiter(2, Duration.ZERO, 10);
		RateLimiter ann = limiter.forKey("ann");
		assertThat(ann.tryAcquirePermission(2)).isTrue();
		assertThat(limiter.forKey("bob").tryAcquirePermission(1)).isTrue();
		assertThat(limiter.metrics().liveKeys()).isEqualTo(2);

		limiter.reset();

		assertThat(limiter.metrics().liveKeys()).isZero();
		assertThat(ann.tryAcquirePermission(2)).as("the limiter held across the reset takes from the new bucket")
			.isTrue();
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).as("which is the key's only bucket").isFalse();
		assertThat(limiter.forKey("bob").tryAcquirePermission(2)).isTrue();
	}

	@Test
	void resetClearsPermitsReservedAhead() {
		RateLimiter limiter = limiter(1, Duration.ofHours(3), 10);
		assertThat(limiter.reservePermission(1)).isZero();
		assertThat(limiter.reservePermission(1)).isEqualTo(Duration.ofHours(1).toNanos());
		assertThat(limiter.reservePermission(1)).isEqualTo(Duration.ofHours(2).toNanos());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(-2);

		limiter.reset();

		assertThat(limiter.metrics().availablePermissions()).isOne();
		assertThat(limiter.reservePermission(1)).isZero();
	}

	@Test
	void aReservationMadeBeforeTheResetGivesNothingBackAfterIt() {
		RateLimiter limiter = limiter(1, Duration.ofHours(3), 10);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		RateLimiter.Reservation waiting = limiter.reserve(1);
		assertThat(waiting.waitNanos()).isPositive();

		limiter.reset();

		assertThat(waiting.cancel()).isFalse();
		assertThat(limiter.metrics().availablePermissions()).as("one full bucket, not more").isOne();
	}

	@Test
	void resetOnAKeysLimiterResetsItsInstance() {
		RateLimiter limiter = limiter(1, Duration.ZERO, 10);
		RateLimiter ann = limiter.forKey("ann");
		assertThat(ann.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		ann.reset();
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(1, 0, 0, 0));
		assertThat(ann.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void resetKeepsTheConfigurationAndTheListeners() {
		RateLimiter limiter = limiter(1, Duration.ZERO, 10);
		limiter.reconfigure(RateLimiterConfig.from(limiter.config()).limitForPeriod(3).build());
		List<RateLimiterEvent.Type> events = new ArrayList<>();
		limiter.events().onEvent((event) -> events.add(event.type()));
		limiter.reset();
		assertThat(limiter.config().limitForPeriod()).isEqualTo(3);
		assertThat(limiter.tryAcquirePermission(3)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(events).containsExactly(RateLimiterEvent.Type.PERMITTED, RateLimiterEvent.Type.REJECTED);
	}

	@Test
	@Tag("concurrency")
	void aResetRacingWithDecisionsNeverGrantsMoreThanOneBucketPerReset() throws Exception {
		// Time stands still and the period is an hour: the only permits are the first
		// bucket and one refill per reset.
		int capacity = 3;
		int callers = 4;
		String[] keys = { "a", "b", "c" };
		for (int round = 0; round < 40; round++) {
			// maxKeys below the keys in use: keys are also refused and forgotten.
			RateLimiter limiter = limiter(capacity, Duration.ZERO, 2);
			AtomicLong[] granted = { new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong() };
			AtomicInteger resets = new AtomicInteger();
			AtomicBoolean stop = new AtomicBoolean();
			CyclicBarrier start = new CyclicBarrier(callers + 1);
			List<Future<?>> running = new ArrayList<>();
			for (int t = 0; t < callers; t++) {
				int caller = t;
				running.add(this.executor.submit(() -> {
					start.await();
					// Held across resets on purpose: a forgotten bucket must follow the
					// key.
					RateLimiter[] held = new RateLimiter[keys.length + 1];
					for (int i = 0; i < 2_000; i++) {
						int which = (caller + i) % held.length;
						if (held[which] == null || i % 7 == 0) {
							held[which] = (which == keys.length) ? limiter : forKeyOrNull(limiter, keys[which]);
						}
						if (held[which] != null && held[which].tryAcquirePermission(1)) {
							granted[which].incrementAndGet();
						}
					}
					return null;
				}));
			}
			running.add(this.executor.submit(() -> {
				start.await();
				while (!stop.get()) {
					limiter.reset();
					resets.incrementAndGet();
				}
				return null;
			}));
			for (int t = 0; t < callers; t++) {
				running.get(t).get(30, TimeUnit.SECONDS);
			}
			stop.set(true);
			running.get(callers).get(30, TimeUnit.SECONDS);
			for (int which = 0; which < granted.length; which++) {
				assertThat(granted[which].get()).as("permits granted to bucket %d with %d resets", which, resets.get())
					.isLessThanOrEqualTo((long) capacity * (resets.get() + 1));
			}
			limiter.reset();
			assertThat(limiter.metrics().liveKeys()).isZero();
			assertThat(limiter.tryAcquirePermission(capacity)).isTrue();
			assertThat(limiter.tryAcquirePermission(1)).isFalse();
			for (String key : keys) {
				RateLimiter fresh = limiter.forKey(key);
				assertThat(fresh.tryAcquirePermission(capacity)).isTrue();
				assertThat(fresh.tryAcquirePermission(1)).as("key %s has one full bucket", key).isFalse();
				limiter.reset();
			}
		}
	}

	private static RateLimiter forKeyOrNull(RateLimiter limiter, String key) {
		try {
			return limiter.forKey(key);
		}
		catch (RequestNotPermittedException ex) {
			// Every place in the key map holds a bucket that has not refilled.
			return null;
		}
	}

}
