package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BulkheadTests {

	private final List<Thread> threads = new ArrayList<>();

	@AfterEach
	void stopThreads() throws InterruptedException {
		Thread.interrupted();
		for (Thread thread : this.threads) {
			thread.interrupt();
			thread.join(5_000);
		}
	}

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private Bulkhead bulkhead(int maxConcurrentCalls, Duration maxWaitDuration) {
		return Bulkhead.of("test",
				BulkheadConfig.builder()
					.maxConcurrentCalls(maxConcurrentCalls)
					.maxWaitDuration(maxWaitDuration)
					.build(),
				this.ticker, this.scheduler);
	}

	private Thread start(Runnable runnable) {
		Thread thread = new Thread(runnable, "bulkhead-test-" + this.threads.size());
		thread.setDaemon(true);
		this.threads.add(thread);
		thread.start();
		return thread;
	}

	/**
	 * Waits (bounded by the class timeout) until the thread is parked in the bulkhead.
	 */
	private static void awaitParked(Thread thread, Bulkhead bulkhead) throws InterruptedException {
		while (thread.getState() != Thread.State.WAITING || LockSupport.getBlocker(thread) != bulkhead) {
			assertThat(thread.isAlive()).as("thread still running").isTrue();
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			Thread.onSpinWait();
		}
	}

	@Test
	void limitsTheCallsInFlight() {
		Bulkhead bulkhead = bulkhead(2, Duration.ZERO);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(2, 0, 2, 1, 0));
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(2);
		bulkhead.releasePermission();
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
	}

	@Test
	void rejectsAtOnceWhenFullAndNotAllowedToWait() {
		Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
		bulkhead.acquirePermission();
		assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(bulkhead::acquirePermission)
			.satisfies((ex) -> {
				assertThat(ex.instanceName()).isEqualTo("test");
				assertThat(ex.isRejection()).isTrue();
				assertThat(ex.getStackTrace()).isEmpty();
				assertThat(ex).hasMessage("Bulkhead 'test' is full and does not permit further calls");
			});
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(1, 0, 1, 1, 0));
	}

	@Test
	void aWaitingCallerGetsAPlaceWhenAnotherReleasesOne() throws InterruptedException {
		Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(30));
		bulkhead.acquirePermission();
		CountDownLatch admitted = new CountDownLatch(1);
		Thread waiter = start(() -> {
			bulkhead.acquirePermission();
			admitted.countDown();
		});
		awaitParked(waiter, bulkhead);
		assertThat(admitted.getCount()).isOne();
		bulkhead.releasePermission();
		assertThat(admitted.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(1, 0, 2, 0, 0));
		// Its alarm was cancelled with its wait.
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void aWaitEndsInRejectionAfterMaxWaitDuration() throws InterruptedException {
		Bulkhead bulkhead = bulkhead(1, Duration.ofMillis(50));
		bulkhead.acquirePermission();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread waiter = start(() -> {
			try {
				bulkhead.acquirePermission();
			}
			catch (BulkheadFullException ex) {
				failure.set(ex);
			}
		});
		awaitParked(waiter, bulkhead);
		this.scheduler.advance(Duration.ofMillis(49));
		assertThat(waiter.isAlive()).as("still waiting before its deadline").isTrue();
		assertThat(waiter.getState()).isEqualTo(Thread.State.WAITING);
		this.scheduler.advance(Duration.ofMillis(1));
		waiter.join(5_000);
		assertThat(failure.get()).isInstanceOf(BulkheadFullException.class);
		assertThat(bulkhead.metrics().totalRejectedCalls()).isOne();
	}

	@Test
	void waitersTimeOutEachAtTheirOwnDeadline() throws InterruptedException {
		Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(1));
		bulkhead.acquirePermission();
		AtomicReference<Throwable> firstFailure = new AtomicReference<>();
		Thread first = start(() -> {
			try {
				bulkhead.acquirePermission();
			}
			catch (BulkheadFullException ex) {
				firstFailure.set(ex);
			}
		});
		awaitParked(first, bulkhead);
		this.scheduler.advance(Duration.ofMillis(500));
		CountDownLatch secondAdmitted = new CountDownLatch(1);
		Thread second = start(() -> {
			bulkhead.acquirePermission();
			secondAdmitted.countDown();
		});
		awaitParked(second, bulkhead);
		this.scheduler.advance(Duration.ofMillis(500));
		first.join(5_000);
		assertThat(firstFailure.get()).as("the first waiter's second has passed")
			.isInstanceOf(BulkheadFullException.class);
		assertThat(second.getState()).as("the second waits on").isEqualTo(Thread.State.WAITING);
		bulkhead.releasePermission();
		assertThat(secondAdmitted.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(bulkhead.metrics().activeCalls()).isOne();
	}

	@Test
	void placesGivenBackAtOnceServeAsManyWaiters() throws InterruptedException {
		Bulkhead bulkhead = bulkhead(2, Duration.ofSeconds(30));
		bulkhead.acquirePermission();
		bulkhead.acquirePermission();
		CountDownLatch admitted = new CountDownLatch(2);
		Thread first = start(() -> {
			bulkhead.acquirePermission();
			admitted.countDown();
		});
		awaitParked(first, bulkhead);
		Thread second = start(() -> {
			bulkhead.acquirePermission();
			admitted.countDown();
		});
		awaitParked(second, bulkhead);
		// Both releases find the first waiter at the head of the queue; the one it does
		// not need must reach the second.
		bulkhead.releasePermission();
		bulkhead.releasePermission();
		assertThat(admitted.await(10, TimeUnit.SECONDS)).as("both waiters admitted").isTrue();
	}

	@Test
	void anInterruptedWaiterIsRejectedAndKeepsItsInterruptStatus() throws InterruptedException {
		Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(30));
		bulkhead.acquirePermission();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread waiter = start(() -> {
			try {
				bulkhead.acquirePermission();
			}
			catch (BulkheadFullException ex) {
				failure.set(ex);
				interrupted.set(Thread.currentThread().isInterrupted());
			}
		});
		awaitParked(waiter, bulkhead);
		waiter.interrupt();
		waiter.join(5_000);
		assertThat(failure.get()).isInstanceOf(BulkheadFullException.class);
		assertThat(interrupted).isTrue();
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(1, 0, 1, 1, 0));
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void releasingWithoutAPlaceTakenIsAnError() {
		Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
		assertThatIllegalStateException().isThrownBy(bulkhead::releasePermission)
			.withMessageContaining("without a place taken");
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isOne();
	}

	@Test
	void aCallerInterruptedBeforeItWaitsIsRejectedAndKeepsItsInterruptStatus() {
		Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(30));
		bulkhead.acquirePermission();
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(bulkhead::acquirePermission);
		assertThat(Thread.interrupted()).isTrue();
	}

	@Test
	void reconfiguringUpAdmitsMoreCallsAtOnce() {
		Bulkhead bulkhead = bulkhead(2, Duration.ZERO);
		bulkhead.acquirePermission();
		bulkhead.acquirePermission();
		BulkheadConfig wider = BulkheadConfig.builder().maxConcurrentCalls(4).build();
		bulkhead.reconfigure(wider);
		assertThat(bulkhead.config()).isSameAs(wider);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(4);
	}

	@Test
	void reconfiguringDownLetsCallsInFlightFinishAndHoldsNewOnesBack() {
		Bulkhead bulkhead = bulkhead(4, Duration.ZERO);
		for (int i = 0; i < 4; i++) {
			bulkhead.acquirePermission();
		}
		bulkhead.reconfigure(BulkheadConfig.builder().maxConcurrentCalls(2).build());
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(2, -2, 4, 0, 0));
		assertThat(bulkhead.metrics().activeCalls()).isEqualTo(4);
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		bulkhead.releasePermission();
		bulkhead.releasePermission();
		// Two in flight: still at the new limit.
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		bulkhead.releasePermission();
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		bulkhead.releasePermission();
		bulkhead.releasePermission();
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(2);
	}

	@Test
	void reconfiguringChangesTheWaitOfLaterCallers() {
		Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(30));
		bulkhead.acquirePermission();
		bulkhead.reconfigure(BulkheadConfig.builder().maxConcurrentCalls(1).build());
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero();
		// Would wait 30 s under the old configuration (and trip the class timeout).
		assertThatExceptionOfType(BulkheadFullException.class).isThrownBy(bulkhead::acquirePermission);
	}

	@Test
	void publishesPermittedRejectedAndFinishedEvents() {
		Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
		List<BulkheadEvent> events = new ArrayList<>();
		bulkhead.events().onEvent(events::add);
		bulkhead.acquirePermission();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		bulkhead.releasePermission();
		assertThat(events).extracting(BulkheadEvent::type)
			.containsExactly(BulkheadEvent.Type.PERMITTED, BulkheadEvent.Type.REJECTED, BulkheadEvent.Type.FINISHED);
		assertThat(events).allSatisfy((event) -> {
			assertThat(event.primitive()).isEqualTo("bulkhead");
			assertThat(event.instanceName()).isEqualTo("test");
		});
		assertThat(events.get(2)).hasToString("bulkhead 'test' FINISHED");
	}

	@Test
	void registrySharesInstancesAndReconfiguresThemInPlace() {
		BulkheadRegistry registry = BulkheadRegistry.ofDefaults();
		Bulkhead bulkhead = registry.instance("db");
		assertThat(registry.instance("db")).isSameAs(bulkhead);
		assertThat(bulkhead.config()).isSameAs(BulkheadConfig.ofDefaults());
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(25);
		BulkheadConfig narrow = BulkheadConfig.builder().maxConcurrentCalls(2).build();
		registry.addConfig("narrow", narrow);
		assertThat(registry.instance("other", "narrow").config()).isSameAs(narrow);
		assertThat(registry.replaceConfig("db", narrow)).isSameAs(bulkhead);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(2);
	}

	@Test
	void requiresANameAndAConfig() {
		assertThatNullPointerException().isThrownBy(() -> Bulkhead.of(null, BulkheadConfig.ofDefaults()))
			.withMessage("name must not be null");
		assertThatNullPointerException().isThrownBy(() -> Bulkhead.of("test", null))
			.withMessage("config must not be null");
	}

}
