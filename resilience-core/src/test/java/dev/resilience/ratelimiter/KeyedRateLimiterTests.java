package dev.resilience.ratelimiter;

import java.time.Duration;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One bucket per key, sharing the instance's configuration and counters, in bounded
 * memory.
 */
class KeyedRateLimiterTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

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
	void eachKeyHasItsOwnBucket() {
		RateLimiter limiter = limiter(2, Duration.ofSeconds(1), 100);
		assertThat(limiter.forKey("ann").tryAcquirePermission(2)).isTrue();
		assertThat(limiter.forKey("ann").tryAcquirePermission(1)).isFalse();
		assertThat(limiter.forKey("bob").tryAcquirePermission(2)).as("another key is not affected").isTrue();
		assertThat(limiter.tryAcquirePermission(2)).as("nor is the instance's shared bucket").isTrue();
	}

	@Test
	void keysCountInTheInstancesMetricsAndEvents() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 100);
		java.util.List<RateLimiterEvent.Type> events = new java.util.ArrayList<>();
		limiter.events().onEvent((event) -> events.add(event.type()));
		limiter.forKey("ann").tryAcquirePermission(1);
		limiter.forKey("ann").tryAcquirePermission(1);
		limiter.forKey("bob").tryAcquirePermission(1);
		RateLimiter.Metrics metrics = limiter.metrics();
		assertThat(metrics.totalPermittedCalls()).isEqualTo(2);
		assertThat(metrics.totalRejectedCalls()).isEqualTo(1);
		assertThat(metrics.liveKeys()).isEqualTo(2);
		assertThat(events).containsExactly(RateLimiterEvent.Type.PERMITTED, RateLimiterEvent.Type.REJECTED,
				RateLimiterEvent.Type.PERMITTED);
	}

	@Test
	void aKeyIsForgottenOnlyOnceItsBucketHasRefilled() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 1);
		RateLimiter ann = limiter.forKey("ann");
		assertThat(ann.tryAcquirePermission(1)).isTrue();
		// Full of a key that spent its permit: a new key is refused, the old one kept.
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.forKey("bob"));
		assertThat(limiter.forKey("ann")).isSameAs(ann);
		// Once ann's bucket has refilled it is the same as a new one, and may go.
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(limiter.forKey("bob").tryAcquirePermission(1)).isTrue();
		assertThat(limiter.metrics().liveKeys()).isEqualTo(1);
	}

	@Test
	void reconfiguringTheInstanceReconfiguresEveryKey() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 100);
		RateLimiter ann = limiter.forKey("ann");
		limiter.reconfigure(RateLimiterConfig.from(limiter.config()).limitForPeriod(5).build());
		assertThat(ann.config().limitForPeriod()).isEqualTo(5);
		// The level is kept (one permit), and the bucket refills to the new capacity.
		this.ticker.advance(Duration.ofSeconds(1));
		assertThat(ann.tryAcquirePermission(5)).isTrue();
	}

	@Test
	void aKeysLimiterHasNoKeysOfItsOwn() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1), 100);
		org.assertj.core.api.Assertions.assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> limiter.forKey("ann").forKey("nested"));
	}

	/**
	 * An attacker cycling a million distinct keys: the keys that still hold a spent
	 * permit never exceed {@code maxKeys}, and the module's tests run in a 256 MB heap
	 * (see the surefire argLine), where a million retained limiters would not fit.
	 */
	@Test
	@Timeout(60)
	void aMillionDistinctKeysStayWithinMaxKeys() {
		int maxKeys = 10_000;
		// One permit per millisecond per key: a key's bucket refills 1 ms after its call.
		RateLimiter limiter = limiter(10, Duration.ofMillis(10), maxKeys);
		int largest = 0;
		for (int i = 0; i < 1_000_000; i++) {
			this.ticker.advance(1_000);
			assertThat(limiter.forKey(i).tryAcquirePermission(1)).isTrue();
			if (i % 1_000 == 0) {
				largest = Math.max(largest, (int) limiter.metrics().liveKeys());
			}
		}
		assertThat(largest).isLessThanOrEqualTo(maxKeys);
		assertThat(limiter.metrics().totalPermittedCalls()).isEqualTo(1_000_000);
	}

	@Test
	@Timeout(60)
	void aFloodOfNewKeysThatCannotBeForgottenIsRefused() {
		int maxKeys = 1_000;
		RateLimiter limiter = limiter(1, Duration.ofHours(1), maxKeys);
		int refused = 0;
		for (int i = 0; i < 100_000; i++) {
			try {
				limiter.forKey(i).tryAcquirePermission(1);
			}
			catch (RequestNotPermittedException ex) {
				refused++;
			}
		}
		assertThat(limiter.metrics().liveKeys()).isEqualTo(maxKeys);
		assertThat(refused).isEqualTo(100_000 - maxKeys);
	}

}
