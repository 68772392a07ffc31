package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.core.Ticker;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.limit.LimitConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A semaphore bulkhead with an adaptive limit, on fake time: its samples, its limit, and
 * the LIMIT_CHANGED event.
 */
class AdaptiveBulkheadTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private static BulkheadConfig aimd(int initial) {
		return BulkheadConfig.builder()
			.limitAlgorithm(LimitAlgorithm.AIMD)
			.initialLimit(initial)
			.minLimit(1)
			.maxLimit(100)
			.timeout(Duration.ofSeconds(1))
			.build();
	}

	private Bulkhead bulkhead(BulkheadConfig config) {
		return Bulkhead.of("adaptive", config, this.ticker, this.scheduler);
	}

	@Test
	void aFixedBulkheadReadsNoClock() {
		Ticker failing = () -> {
			throw new AssertionError("a fixed bulkhead read the clock");
		};
		Bulkhead bulkhead = Bulkhead.of("fixed", BulkheadConfig.builder().maxConcurrentCalls(2).build(), failing,
				this.scheduler);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		long start = bulkhead.sampleStart();
		assertThat(start).isZero();
		bulkhead.releasePermission(start, true);
		// (metrics() may read the clock to sweep keys: not the call path.)
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).as("the limit is still 2").isFalse();
	}

	@Test
	void anAdaptiveBulkheadStartsAtItsInitialLimitAndSamplesOnTheTicker() {
		Bulkhead bulkhead = bulkhead(aimd(4));
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(4);
		this.ticker.advance(Duration.ofMillis(7));
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.sampleStart()).isEqualTo(this.ticker.read());
	}

	@Test
	void aFailedCallLowersTheLimitAndNewCallsAreAdmittedOnlyBelowIt() {
		Bulkhead bulkhead = bulkhead(aimd(4));
		for (int i = 0; i < 4; i++) {
			assertThat(bulkhead.tryAcquirePermission()).isTrue();
		}
		bulkhead.releasePermission(bulkhead.sampleStart(), true);
		// floor(4 * 0.9) = 3, with 3 in flight: full.
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(3);
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		bulkhead.releasePermission(bulkhead.sampleStart(), true);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(2);
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(2);
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
	}

	@Test
	void aCallSlowerThanTheTimeoutLowersTheLimitAndAFastOneRaisesIt() {
		Bulkhead bulkhead = bulkhead(aimd(4));
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		long slow = bulkhead.sampleStart();
		this.ticker.advance(Duration.ofMillis(1001));
		bulkhead.releasePermission(slow, false);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(3);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		long fast = bulkhead.sampleStart();
		this.ticker.advance(Duration.ofMillis(1000));
		// 2 in flight of 3: at least half, so it grows.
		bulkhead.releasePermission(fast, false);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(4);
	}

	@Test
	void releaseWithASampleStillRefusesAReleaseWithoutAPlace() {
		Bulkhead bulkhead = bulkhead(aimd(4));
		assertThatIllegalStateException().isThrownBy(() -> bulkhead.releasePermission(0, false));
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(4);
	}

	@Test
	void aLimitChangeOfMoreThanTenPercentSinceTheLastOneIsAnEvent() {
		Bulkhead bulkhead = bulkhead(aimd(20));
		List<BulkheadEvent> changes = new ArrayList<>();
		bulkhead.events().onEvent((event) -> {
			if (event.type() == BulkheadEvent.Type.LIMIT_CHANGED) {
				changes.add(event);
			}
		});
		fail(bulkhead);
		// 20 -> 18: exactly 10 %, not more.
		assertThat(changes).isEmpty();
		fail(bulkhead);
		// 18 -> 16: 20 % from 20.
		assertThat(changes).singleElement().satisfies((event) -> {
			assertThat(event.previousLimit()).isEqualTo(20);
			assertThat(event.limit()).isEqualTo(16);
			assertThat(event.instanceName()).isEqualTo("adaptive");
		});
		fail(bulkhead);
		// 16 -> 14: 12.5 % from 16.
		assertThat(changes).hasSize(2);
		assertThat(changes.get(1).previousLimit()).isEqualTo(16);
		assertThat(changes.get(1).limit()).isEqualTo(14);
	}

	private static void fail(Bulkhead bulkhead) {
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		bulkhead.releasePermission(bulkhead.sampleStart(), true);
	}

	@Test
	void aKeysBulkheadRunsWithAndMovesItsInstancesLimit() {
		Bulkhead bulkhead = bulkhead(aimd(4));
		Bulkhead tenant = bulkhead.forKey("tenant");
		assertThat(tenant.tryAcquirePermission()).isTrue();
		tenant.releasePermission(tenant.sampleStart(), true);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(3);
		Bulkhead other = bulkhead.forKey("other");
		for (int i = 0; i < 3; i++) {
			assertThat(other.tryAcquirePermission()).isTrue();
		}
		assertThat(other.tryAcquirePermission()).as("the key's places follow the instance's limit").isFalse();
	}

	@Test
	void reconfiguringWithTheSameLimitKeepsWhatItLearnedAndWithAnotherStartsAnew() {
		Bulkhead bulkhead = bulkhead(aimd(10));
		fail(bulkhead);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(9);
		bulkhead.reconfigure(BulkheadConfig.from(aimd(10)).maxWaitDuration(Duration.ofMillis(5)).build());
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(9);
		bulkhead.reconfigure(
				BulkheadConfig.builder().limit(LimitConfig.from(aimd(10).limit()).backoffRatio(0.5).build()).build());
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(10);
		fail(bulkhead);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(5);
		bulkhead.reconfigure(BulkheadConfig.builder().maxConcurrentCalls(7).build());
		assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(7);
		assertThat(bulkhead.sampleStart()).as("fixed again: no clock").isZero();
	}

	@Test
	void aMovedLimitIsPublishedWhenASampleIsTakenAndWakesAWaiterWhenRaised() {
		LimitConfig limitConfig = aimd(1).limit();
		MovableLimit movable = new MovableLimit(limitConfig);
		SemaphoreBulkhead bulkhead = new SemaphoreBulkhead("movable",
				BulkheadConfig.builder().limit(limitConfig).build(), this.ticker, this.scheduler, (config) -> movable);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		movable.set(2);
		bulkhead.republish();
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(2, 1, 1, 1, 0));
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		movable.set(1);
		bulkhead.releasePermission(bulkhead.sampleStart(), false);
		assertThat(movable.samples).isEqualTo(1);
		assertThat(bulkhead.metrics().maxConcurrentCalls()).as("republished by the release").isEqualTo(1);
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
	}

}
