package dev.resilience.ratelimiter;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

class RateLimiterTests {

	private static final long MS = 1_000_000L;

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@AfterEach
	void clearInterruptStatus() {
		Thread.interrupted();
	}

	/** Ten permits per second (one per 100 ms), a bucket of ten. */
	private static RateLimiterConfig.Builder tenPerSecond() {
		return RateLimiterConfig.builder()
			.limitForPeriod(10)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO);
	}

	private RateLimiter limiter(RateLimiterConfig config) {
		return RateLimiter.of("test", config, this.ticker, this.scheduler);
	}

	private static int drain(RateLimiter limiter) {
		int taken = 0;
		while (limiter.tryAcquirePermission(1)) {
			taken++;
		}
		return taken;
	}

	@Test
	void grantsABurstUpToCapacityThenRejects() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		for (int i = 0; i < 10; i++) {
			assertThat(limiter.tryAcquirePermission(1)).as("permit %d", i).isTrue();
		}
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(0, 10, 1, 0));
	}

	@Test
	void burstCapacityCanDifferFromTheRate() {
		RateLimiter limiter = limiter(tenPerSecond().burstCapacity(3).build());
		assertThat(drain(limiter)).isEqualTo(3);
		this.ticker.advance(Duration.ofSeconds(10));
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(3);
		assertThat(drain(limiter)).isEqualTo(3);
	}

	@Test
	void refillsOnePermitPerEmissionInterval() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		drain(limiter);
		this.ticker.advance(99 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(1 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
	}

	@Test
	void refillsHalfThePermitsAfterHalfAPeriod() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		drain(limiter);
		this.ticker.advance(500 * MS);
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(5);
		assertThat(drain(limiter)).isEqualTo(5);
	}

	@Test
	void grantsNoDoubleBurstAcrossAPeriodEdge() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		this.ticker.advance(990 * MS);
		assertThat(drain(limiter)).isEqualTo(10);
		// A fixed window would start afresh at 1 s; the bucket has refilled a fifth of a
		// permit.
		this.ticker.advance(20 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(79 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(1 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void grantsExactlyTheCapacityPlusTheRefillOverALongRun() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		int granted = 0;
		for (int millis = 0; millis <= 10_000; millis++) {
			granted += drain(limiter);
			this.ticker.advance(MS);
		}
		// 10 at once, then one at 100 ms, 200 ms, ..., 10 s.
		assertThat(granted).isEqualTo(10 + 100);
	}

	@Test
	void anIdleBucketHoldsNoMoreThanItsCapacity() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		drain(limiter);
		this.ticker.advance(Duration.ofMinutes(5));
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(10);
		assertThat(drain(limiter)).isEqualTo(10);
		// The refill restarts from the burst, not from a grid fixed at creation.
		this.ticker.advance(99 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(1 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void keepsTheExactRateWhenTheIntervalIsNotAWholeNumberOfNanoseconds() {
		// One permit per 333,333,333.3 ns: rounding the interval would drift by 1 ns per
		// permit.
		RateLimiter limiter = limiter(RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.burstCapacity(1)
			.timeoutDuration(Duration.ofSeconds(2000))
			.build());
		assertThat(limiter.reservePermission(1)).isZero();
		assertThat(limiter.reservePermission(1)).isEqualTo(333_333_334L);
		assertThat(limiter.reservePermission(1)).isEqualTo(666_666_667L);
		assertThat(limiter.reservePermission(1)).isEqualTo(1_000_000_000L);
		long last = 0;
		for (int i = 4; i <= 3000; i++) {
			last = limiter.reservePermission(1);
		}
		assertThat(last).isEqualTo(Duration.ofSeconds(1000).toNanos());
		assertThat(limiter.reservePermission(1)).isEqualTo(Duration.ofSeconds(1000).toNanos() + 333_333_334L);
	}

	@Test
	void keepsTheExactRateAfterAnIdleRestartOffTheGrid() {
		RateLimiter limiter = limiter(RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.burstCapacity(1)
			.timeoutDuration(Duration.ofSeconds(2000))
			.build());
		this.ticker.advance(123_456_789L);
		assertThat(limiter.reservePermission(1)).isZero();
		long last = 0;
		for (int i = 1; i <= 3000; i++) {
			last = limiter.reservePermission(1);
		}
		assertThat(last).isEqualTo(Duration.ofSeconds(1000).toNanos());
	}

	@Test
	void computesExactlyWhenPeriodTimesLimitOverflowsALong() {
		// 2,000,000,011 per minute (coprime): 6e10 * 2e9 needs 128-bit products.
		int limit = 2_000_000_011;
		RateLimiter limiter = limiter(RateLimiterConfig.builder()
			.limitForPeriod(limit)
			.limitRefreshPeriod(Duration.ofMinutes(1))
			.timeoutDuration(Duration.ZERO)
			.build());
		assertThat(limiter.tryAcquirePermission(limit)).isTrue();
		this.ticker.advance(Duration.ofSeconds(30));
		// floor(3e10 * 2,000,000,011 / 6e10) = floor(1,000,000,005.5)
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(1_000_000_005L);
		this.ticker.advance(Duration.ofSeconds(30));
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(limit);
	}

	@Test
	void multipliesAndDividesExactlyBeyondSixtyFourBits() {
		SplittableRandom random = new SplittableRandom(42);
		for (int i = 0; i < 10_000; i++) {
			long d = random.nextLong(1, Long.MAX_VALUE);
			long x = random.nextLong(0, d);
			long y = random.nextLong(1, Integer.MAX_VALUE);
			BigInteger product = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y));
			BigInteger[] division = product.divideAndRemainder(BigInteger.valueOf(d));
			long floor = division[0].longValueExact();
			long ceil = floor + (division[1].signum() != 0 ? 1 : 0);
			assertThat(DefaultRateLimiter.mulDivFloor(x, y, d)).as("%d * %d / %d", x, y, d).isEqualTo(floor);
			assertThat(DefaultRateLimiter.mulDivCeil(x, y, d)).as("%d * %d / %d", x, y, d).isEqualTo(ceil);
		}
	}

	@Test
	void worksAcrossTickerOverflow() {
		FakeTicker nearOverflow = new FakeTicker(Long.MAX_VALUE - 150 * MS);
		RateLimiter limiter = RateLimiter.of("test", tenPerSecond().build(), nearOverflow,
				new ManualScheduler(nearOverflow));
		assertThat(drain(limiter)).isEqualTo(10);
		nearOverflow.advance(200 * MS);
		assertThat(drain(limiter)).isEqualTo(2);
		nearOverflow.advance(Duration.ofMinutes(1));
		assertThat(drain(limiter)).isEqualTo(10);
	}

	@Test
	void reservationsQueueCallersInOrder() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			waits.add(limiter.reservePermission(1));
		}
		assertThat(waits).containsExactly(100 * MS, 200 * MS, 300 * MS, 400 * MS, 500 * MS, 600 * MS, 700 * MS,
				800 * MS, 900 * MS, 1000 * MS);
		assertThat(limiter.reservePermission(1)).isEqualTo(RateLimiter.REJECTED);
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(-10, 20, 2, 0));
		// Reservations neither sleep nor move time.
		assertThat(this.scheduler.sleeps()).isEmpty();
		assertThat(this.ticker.read()).isZero();
	}

	@Test
	void synchronousCallersWaitExactlyUntilTheirPermitsAreRefilled() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		limiter.acquirePermission(1);
		limiter.acquirePermission(2);
		this.ticker.advance(50 * MS);
		limiter.acquirePermission(1);
		assertThat(this.scheduler.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
				Duration.ofMillis(50));
		assertThat(this.ticker.read()).isEqualTo(400 * MS);
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(0, 13, 1, 0));
	}

	@Test
	void aThreadWaitingForItsPermitsCountsAsWaitingUntilItWakes() {
		List<Integer> waitingDuringSleep = new ArrayList<>();
		RateLimiter[] limiter = new RateLimiter[1];
		Scheduler watching = new Scheduler() {
			@Override
			public Cancellable schedule(Runnable task, long delayNanos) {
				return RateLimiterTests.this.scheduler.schedule(task, delayNanos);
			}

			@Override
			public void sleep(long nanos) throws InterruptedException {
				waitingDuringSleep.add(limiter[0].metrics().waitingThreads());
				RateLimiterTests.this.scheduler.sleep(nanos);
			}
		};
		limiter[0] = RateLimiter.of("test", tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build(), this.ticker,
				watching);
		drain(limiter[0]);
		limiter[0].acquirePermission(1);
		assertThat(waitingDuringSleep).containsExactly(1);
		assertThat(limiter[0].metrics().waitingThreads()).isZero();
	}

	@Test
	void anInterruptedWaiterNoLongerCountsAsWaiting() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.acquirePermission(1));
		assertThat(limiter.metrics().waitingThreads()).isZero();
	}

	@Test
	void aCallerWhoseWaitExceedsItsTimeoutIsRejectedAtOnceAndReservesNothing() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofMillis(250)).build());
		drain(limiter);
		assertThat(limiter.reservePermission(1)).isEqualTo(100 * MS);
		assertThat(limiter.reservePermission(1)).isEqualTo(200 * MS);
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.acquirePermission(1))
			.satisfies((ex) -> {
				assertThat(ex.retryAfterNanos()).isEqualTo(300 * MS);
				assertThat(ex.instanceName()).isEqualTo("test");
				assertThat(ex.isRejection()).isTrue();
				assertThat(ex.getStackTrace()).isEmpty();
			});
		assertThat(this.scheduler.sleeps()).isEmpty();
		assertThat(this.ticker.read()).isZero();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		// Had the rejected calls reserved, this wait would be 350 ms.
		this.ticker.advance(50 * MS);
		assertThat(limiter.reservePermission(1)).isEqualTo(250 * MS);
		// The drain's last try, the acquire and the try.
		assertThat(limiter.metrics().totalRejectedCalls()).isEqualTo(3);
	}

	@Test
	void takesSeveralPermitsAtOnceOrNone() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		assertThat(limiter.tryAcquirePermission(4)).isTrue();
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(6);
		assertThat(limiter.tryAcquirePermission(7)).isFalse();
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(6);
		assertThat(limiter.tryAcquirePermission(6)).isTrue();
		assertThat(limiter.reservePermission(3)).isEqualTo(300 * MS);
		assertThat(limiter.reservePermission(10)).isEqualTo(RateLimiter.REJECTED);
	}

	@Test
	void refusesRequestsForMorePermitsThanTheBucketHoldsOrForNone() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquirePermission(11))
			.withMessage("permits (11) must not exceed the burst capacity (10) of RateLimiter 'test'");
		assertThatIllegalArgumentException().isThrownBy(() -> limiter.acquirePermission(0))
			.withMessage("permits must be at least 1 but was 0");
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(10, 0, 0, 0));
	}

	@Test
	void reconfiguringToAHigherRateKeepsTheLevel() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		assertThat(limiter.tryAcquirePermission(4)).isTrue();
		RateLimiterConfig faster = RateLimiterConfig.from(limiter.config()).limitForPeriod(100).build();
		limiter.reconfigure(faster);
		assertThat(limiter.config()).isSameAs(faster);
		// No burst: still six, not a hundred.
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(6);
		this.ticker.advance(10 * MS);
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(7);
		this.ticker.advance(Duration.ofSeconds(5));
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(100);
	}

	@Test
	void reconfiguringToALowerRateClampsTheLevelToTheNewCapacity() {
		RateLimiter limiter = limiter(tenPerSecond().limitForPeriod(100).build());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(100);
		limiter.reconfigure(tenPerSecond().build());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(10);
		assertThat(drain(limiter)).isEqualTo(10);
		this.ticker.advance(100 * MS);
		assertThat(drain(limiter)).isEqualTo(1);
	}

	@Test
	void reconfiguringToALowerRateKeepsALowerLevel() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		assertThat(limiter.tryAcquirePermission(7)).isTrue();
		limiter.reconfigure(tenPerSecond().limitForPeriod(5).build());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(3);
	}

	@Test
	void reconfiguringCarriesTheProgressTowardsTheNextPermit() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		drain(limiter);
		// Half way to the next permit...
		this.ticker.advance(50 * MS);
		// ...at twice the rate, the next permit is 25 ms away.
		limiter.reconfigure(tenPerSecond().limitForPeriod(20).build());
		assertThat(limiter.metrics().availablePermissions()).isZero();
		this.ticker.advance(24 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(1 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
		this.ticker.advance(49 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		this.ticker.advance(1 * MS);
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void reconfiguringKeepsTheDebtOfReservedPermits() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		assertThat(limiter.reservePermission(3)).isEqualTo(300 * MS);
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(-3);
		limiter.reconfigure(tenPerSecond().limitForPeriod(20).timeoutDuration(Duration.ofSeconds(1)).build());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(-3);
		// Behind three permits, at 50 ms each.
		assertThat(limiter.reservePermission(1)).isEqualTo(200 * MS);
	}

	@Test
	void reconfiguringToAShorterTimeoutLimitsTheDebtNewCallersQueueBehind() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		assertThat(limiter.reservePermission(5)).isEqualTo(500 * MS);
		limiter.reconfigure(tenPerSecond().timeoutDuration(Duration.ofMillis(200)).build());
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(-2);
		assertThat(limiter.reservePermission(1)).isEqualTo(RateLimiter.REJECTED);
		this.ticker.advance(100 * MS);
		assertThat(limiter.reservePermission(1)).isEqualTo(200 * MS);
	}

	@Test
	void reconfiguringWithTheSameRateChangesNothingButTheConfig() {
		RateLimiter limiter = limiter(RateLimiterConfig.builder()
			.limitForPeriod(3)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ZERO)
			.build());
		drain(limiter);
		this.ticker.advance(500 * MS);
		assertThat(drain(limiter)).isEqualTo(1);
		RateLimiterConfig patient = RateLimiterConfig.from(limiter.config())
			.timeoutDuration(Duration.ofSeconds(5))
			.build();
		limiter.reconfigure(patient);
		assertThat(limiter.config()).isSameAs(patient);
		// The next permit still comes at grid point 2, 666,666,667 ns.
		assertThat(limiter.reservePermission(1)).isEqualTo(166_666_667L);
	}

	@Test
	void anInterruptedWaiterKeepsItsInterruptStatusAndGivesItsPermitsBack() {
		RateLimiter limiter = limiter(tenPerSecond().timeoutDuration(Duration.ofSeconds(1)).build());
		drain(limiter);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.acquirePermission(2));
		assertThat(Thread.interrupted()).isTrue();
		assertThat(limiter.metrics()).isEqualTo(new RateLimiter.Metrics(0, 10, 2, 0));
		assertThat(limiter.reservePermission(1)).isEqualTo(100 * MS);
	}

	@Test
	void publishesPermittedAndRejectedEvents() {
		RateLimiter limiter = limiter(tenPerSecond().build());
		List<RateLimiterEvent> events = new ArrayList<>();
		EventPublisher.Subscription subscription = limiter.events().onEvent(events::add);
		assertThat(limiter.tryAcquirePermission(10)).isTrue();
		assertThat(limiter.tryAcquirePermission(2)).isFalse();
		subscription.close();
		assertThat(limiter.tryAcquirePermission(1)).isFalse();
		assertThat(events).extracting(RateLimiterEvent::type, RateLimiterEvent::permits)
			.containsExactly(tuple(RateLimiterEvent.Type.PERMITTED, 10), tuple(RateLimiterEvent.Type.REJECTED, 2));
		assertThat(events.get(0).primitive()).isEqualTo("ratelimiter");
		assertThat(events.get(0).instanceName()).isEqualTo("test");
		assertThat(events.get(1)).hasToString("ratelimiter 'test' REJECTED (2 permits)");
	}

	@Test
	void registryCreatesInstancesOnItsClockAndReconfiguresThemInPlace() {
		RateLimiterRegistry registry = RateLimiterRegistry.of(tenPerSecond().build(), this.ticker, this.scheduler);
		RateLimiter limiter = registry.instance("api");
		assertThat(registry.instance("api")).isSameAs(limiter);
		assertThat(limiter.name()).isEqualTo("api");
		assertThat(drain(limiter)).isEqualTo(10);
		this.ticker.advance(100 * MS);
		assertThat(limiter.metrics().availablePermissions()).isEqualTo(1);
		RateLimiterConfig slower = tenPerSecond().limitForPeriod(5).build();
		assertThat(registry.replaceConfig("api", slower)).isSameAs(limiter);
		assertThat(limiter.config()).isSameAs(slower);
		assertThat(RateLimiterRegistry.ofDefaults().defaultConfig()).isSameAs(RateLimiterConfig.ofDefaults());
	}

	@Test
	void toStringNamesTheInstanceAndItsConfig() {
		assertThat(limiter(tenPerSecond().build()).toString()).startsWith("RateLimiter 'test' RateLimiterConfig[");
	}

}
