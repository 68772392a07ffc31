package dev.resilience.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The admission rules of {@link PartitionedLimiter}, one step at a time on a fake clock:
 * borrowing, shedding above the share, waiting below it, hand-off to waiters ahead of
 * newcomers, expiry, cancellation, and the samples fed to the limit.
 */
class PartitionedLimiterTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final TestLimit limit = new TestLimit(10);

	// critical: share 0.3, reserved 3 of 10; default: 0.7, reserved 7.
	private final PartitionedLimiter limiter = PartitionedLimiter.builder(this.limit)
		.partition("critical", 0.3)
		.maxWait(Duration.ofMillis(100))
		.ticker(this.ticker)
		.scheduler(this.scheduler)
		.build();

	private final int critical = this.limiter.partitionIndex("critical");

	private final int standard = this.limiter.partitionIndex(PartitionedLimiter.DEFAULT_PARTITION);

	@Test
	void partitionsAreIndexedWithTheDefaultFirstAndGetTheSharesTheNamedOnesLeave() {
		assertThat(this.standard).isZero();
		assertThat(this.critical).isEqualTo(1);
		assertThat(this.limiter.partitionIndex("unknown")).isEqualTo(-1);
		assertThat(this.limiter.partitionCount()).isEqualTo(2);
		assertThat(this.limiter.share(this.critical)).isEqualTo(0.3);
		assertThat(this.limiter.share(this.standard)).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
		assertThat(this.limiter.reserved(this.critical)).isEqualTo(3);
		assertThat(this.limiter.reserved(this.standard)).isEqualTo(7);
	}

	@Test
	void aPartitionWithATinyShareStillHasOneReservedPlaceAndTheReservedPlacesFollowTheLimit() {
		PartitionedLimiter tiny = PartitionedLimiter.builder(this.limit).partition("tiny", 0.01).build();
		assertThat(tiny.reserved(1)).isEqualTo(1);
		this.limit.set(1000);
		assertThat(tiny.reserved(1)).isEqualTo(10);
		PartitionedLimiter full = PartitionedLimiter.builder(this.limit).partition("all", 1.0).build();
		assertThat(full.reserved(0)).isZero();
	}

	@Test
	void anIdleLimitIsBorrowedByAnyPartitionButNeverExceeded() {
		for (int i = 0; i < 10; i++) {
			assertThat(this.limiter.tryAcquire(this.standard)).isTrue();
		}
		assertThat(this.limiter.inFlight()).isEqualTo(10);
		assertThat(this.limiter.inFlight(this.standard)).isEqualTo(10);
		assertThat(this.limiter.tryAcquire(this.standard)).isFalse();
		assertThat(this.limiter.inFlight()).isEqualTo(10);
		assertThat(this.limiter.rejected(this.standard)).isEqualTo(1);
		assertThat(this.limiter.rejected()).isEqualTo(1);
	}

	@Test
	void onceTheLimitIsReachedAPartitionAboveItsShareIsRejectedAtOnceWithoutWaiting() {
		fill(this.standard, 10);
		CompletableFuture<Boolean> decision = this.limiter.acquireAsync(this.standard);
		assertThat(decision).isCompletedWithValue(false);
		assertThat(this.limiter.waiting()).isZero();
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void aCriticalWaiterBelowItsShareGetsTheNextReleasedPlaceAheadOfDefaultNewcomers() {
		long[] starts = fill(this.standard, 10);
		CompletableFuture<Boolean> waiter = this.limiter.acquireAsync(this.critical);
		assertThat(waiter).isNotDone();
		assertThat(this.limiter.waiting()).isEqualTo(1);
		// A default newcomer while the limit is full and a critical request waits.
		assertThat(this.limiter.tryAcquire(this.standard)).isFalse();
		this.limiter.release(this.standard, starts[0], false);
		assertThat(waiter).isCompletedWithValue(true);
		assertThat(this.limiter.inFlight(this.critical)).isEqualTo(1);
		assertThat(this.limiter.inFlight(this.standard)).isEqualTo(9);
		assertThat(this.limiter.inFlight()).isEqualTo(10);
		assertThat(this.limiter.waiting()).isZero();
		// The alarm of the granted wait was cancelled: advancing time rejects nothing.
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(this.limiter.rejected(this.critical)).isZero();
	}

	@Test
	void aGrantedRequestThatEndsAtOnceInTheGrantingThreadHandsItsPlaceToTheNextWaiter() {
		long[] starts = fill(this.standard, 10);
		// As a reactive chain that completes synchronously when its admission completes.
		CompletableFuture<Boolean> first = this.limiter.acquireAsync(this.critical);
		CompletableFuture<Boolean> second = this.limiter.acquireAsync(this.critical);
		CompletableFuture<Void> firstDone = first
			.thenAccept((ok) -> this.limiter.release(this.critical, this.limiter.sampleStart(), false));
		this.limiter.release(this.standard, starts[0], false);
		assertThat(firstDone).isCompleted();
		assertThat(firstDone.isCompletedExceptionally()).isFalse();
		assertThat(second).isCompletedWithValue(true);
		assertThat(this.limiter.inFlight(this.critical)).isEqualTo(1);
		assertThat(this.limiter.inFlight()).isEqualTo(10);
		assertThat(this.limiter.waiting()).isZero();
	}

	@Test
	void waitersAreServedInTheOrderTheyArrived() {
		long[] starts = fill(this.standard, 10);
		List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			waiters.add(this.limiter.acquireAsync(this.critical));
		}
		this.limiter.release(this.standard, starts[0], false);
		assertThat(waiters.get(0)).isCompletedWithValue(true);
		assertThat(waiters.get(1)).isNotDone();
		this.limiter.release(this.standard, starts[1], false);
		assertThat(waiters.get(1)).isCompletedWithValue(true);
		assertThat(waiters.get(2)).isNotDone();
	}

	@Test
	void whileAWaiterWaitsAFreedPlaceDoesNotGoToANewcomerAtItsShareEvenBelowTheLimit() {
		// Ten in flight: three critical (its share) and seven default.
		long[] criticalStarts = fill(this.critical, 3);
		long[] defaultStarts = fill(this.standard, 7);
		// A critical request beyond its share when the limit is full: rejected.
		assertThat(this.limiter.tryAcquire(this.critical)).isFalse();
		// The limit drops: default is now above its share, a critical request is below.
		this.limit.set(8);
		this.limiter.release(this.critical, criticalStarts[0], false);
		assertThat(this.limiter.reserved(this.critical)).isEqualTo(2);
		this.limiter.release(this.critical, criticalStarts[1], false);
		// Eight in flight (one critical, seven default): a critical request waits.
		CompletableFuture<Boolean> waiter = this.limiter.acquireAsync(this.critical);
		assertThat(waiter).isNotDone();
		// The limit grows by one and the place goes to the waiter, not to default.
		this.limit.set(9);
		assertThat(this.limiter.tryAcquire(this.standard)).isFalse();
		assertThat(waiter).isCompletedWithValue(true);
		assertThat(this.limiter.inFlight()).isEqualTo(9);
		assertThat(defaultStarts).hasSize(7);
	}

	@Test
	void aWaiterWhoseWaitEndsIsRejectedAndLeavesTheQueue() {
		fill(this.standard, 10);
		CompletableFuture<Boolean> waiter = this.limiter.acquireAsync(this.critical);
		this.scheduler.advance(Duration.ofMillis(99));
		assertThat(waiter).isNotDone();
		this.scheduler.advance(Duration.ofMillis(1));
		assertThat(waiter).isCompletedWithValue(false);
		assertThat(this.limiter.waiting()).isZero();
		assertThat(this.limiter.rejected(this.critical)).isEqualTo(1);
		assertThat(this.limiter.inFlight()).isEqualTo(10);
	}

	@Test
	void aCancelledWaitLeavesTheQueueAndTheNextReleasedPlaceIsFreedNotLost() {
		long[] starts = fill(this.standard, 10);
		CompletableFuture<Boolean> waiter = this.limiter.acquireAsync(this.critical);
		assertThat(waiter.cancel(false)).isTrue();
		assertThat(this.limiter.waiting()).isZero();
		assertThat(this.limiter.rejected(this.critical)).isEqualTo(1);
		this.limiter.release(this.standard, starts[0], false);
		assertThat(this.limiter.inFlight()).isEqualTo(9);
		assertThat(this.limiter.tryAcquire(this.standard)).isTrue();
	}

	@Test
	void withoutAWaitABelowShareRequestIsRejectedWhenTheLimitIsFull() {
		PartitionedLimiter noWait = PartitionedLimiter.builder(this.limit).partition("critical", 0.3).build();
		for (int i = 0; i < 10; i++) {
			assertThat(noWait.tryAcquire(0)).isTrue();
		}
		assertThat(noWait.acquire(1)).isFalse();
		assertThat(noWait.acquireAsync(1)).isCompletedWithValue(false);
		assertThat(noWait.rejected(1)).isEqualTo(2);
	}

	@Test
	void aBlockingAcquireWaitsUntilAPlaceIsHandedOver() throws Exception {
		long[] starts = fill(this.standard, 10);
		CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> this.limiter.acquire(this.critical));
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (this.limiter.waiting() == 0 && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		assertThat(this.limiter.waiting()).isEqualTo(1);
		this.limiter.release(this.standard, starts[0], false);
		assertThat(blocked.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		assertThat(this.limiter.inFlight(this.critical)).isEqualTo(1);
	}

	@Test
	void aReleaseFeedsTheLimitTheLatencyTheRequestsInFlightAndTheDrop() {
		long start = this.limiter.sampleStart();
		assertThat(this.limiter.tryAcquire(this.critical)).isTrue();
		assertThat(this.limiter.tryAcquire(this.standard)).isTrue();
		this.ticker.advance(Duration.ofMillis(40));
		this.limiter.release(this.critical, start, true);
		assertThat(this.limit.samples()).hasSize(1);
		long[] sample = this.limit.samples().get(0);
		assertThat(sample[0]).isEqualTo(Duration.ofMillis(40).toNanos());
		assertThat(sample[1]).isEqualTo(2);
		assertThat(sample[2]).isEqualTo(1);
		assertThat(this.limiter.inFlight()).isEqualTo(1);
		assertThat(this.limiter.inFlight(this.critical)).isZero();
	}

	@Test
	void badPartitionsAreRefusedWhenBuilt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PartitionedLimiter.builder(this.limit).partition("default", 0.1))
			.withMessageContaining("'default' is reserved");
		assertThatIllegalArgumentException().isThrownBy(() -> PartitionedLimiter.builder(this.limit).partition("a", 0))
			.withMessageContaining("above 0 and at most 1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PartitionedLimiter.builder(this.limit).partition("a", 0.6).partition("b", 0.5).build())
			.withMessageContaining("[a, b] sum to 1.1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PartitionedLimiter.builder(this.limit).maxWait(Duration.ofMillis(-1)));
		assertThat(PartitionedLimiter.builder(this.limit)
			.partition("a", 0.1)
			.partition("b", 0.2)
			.partition("c", 0.7)
			.build()
			.share(0)).isZero();
	}

	private long[] fill(int partition, int count) {
		long[] starts = new long[count];
		for (int i = 0; i < count; i++) {
			starts[i] = this.limiter.sampleStart();
			assertThat(this.limiter.tryAcquire(partition)).isTrue();
		}
		return starts;
	}

}
