package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link Bulkhead#reset()} and {@link ThreadPoolBulkhead#reset()}: the counters restart
 * from zero and idle keys are forgotten, but a call in flight is never forgotten nor
 * counted twice, whatever races with the reset.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkheadResetTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ExecutorService executor = Executors.newFixedThreadPool(5);

	private final List<ThreadPoolBulkhead> pools = new ArrayList<>();

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
		this.pools.forEach(ThreadPoolBulkhead::close);
	}

	private static Bulkhead bulkhead(int max, int maxKeys) {
		return Bulkhead.of("tenants", BulkheadConfig.builder().maxConcurrentCalls(max).maxKeys(maxKeys).build());
	}

	@Test
	void resetZeroesTheCountersAndKeepsTheCallsInFlight() {
		Bulkhead bulkhead = bulkhead(2, 10);
		bulkhead.acquirePermission();
		bulkhead.acquirePermission();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();

		bulkhead.reset();

		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(2, 0, 0, 0, 0));
		assertThat(bulkhead.tryAcquirePermission()).as("both places are still taken").isFalse();
		bulkhead.releasePermission();
		bulkhead.releasePermission();
		assertThatIllegalStateException().as("a place is given back once, reset or not")
			.isThrownBy(bulkhead::releasePermission);
		assertThat(bulkhead.metrics()).isEqualTo(new Bulkhead.Metrics(2, 2, 0, 1, 0));
	}

	@Test
	void resetKeepsAKeysCallsInFlightAndTheirLimit() {
		Bulkhead bulkhead = bulkhead(1, 10);
		Bulkhead busy = bulkhead.forKey("busy");
		busy.acquirePermission();
		Bulkhead idle = bulkhead.forKey("idle");
		idle.acquirePermission();
		idle.releasePermission();

		bulkhead.reset();

		assertThat(bulkhead.metrics().liveKeys()).isOne();
		assertThat(bulkhead.forKey("busy").tryAcquirePermission()).as("busy's only place is still taken").isFalse();
		assertThat(idle.tryAcquirePermission()).as("a forgotten key's bulkhead follows to the live one").isTrue();
		assertThat(bulkhead.forKey("idle").tryAcquirePermission()).isFalse();
		busy.releasePermission();
		idle.releasePermission();
		assertThatIllegalStateException().isThrownBy(busy::releasePermission);
		assertThat(bulkhead.metrics().liveKeys()).isZero();
	}

	@Test
	void resetOnAKeysBulkheadResetsItsInstance() {
		Bulkhead bulkhead = bulkhead(1, 10);
		bulkhead.tryAcquirePermission();
		bulkhead.tryAcquirePermission();
		bulkhead.forKey("acme").reset();
		assertThat(bulkhead.metrics().totalPermittedCalls()).isZero();
		assertThat(bulkhead.metrics().totalRejectedCalls()).isZero();
		assertThat(bulkhead.metrics().activeCalls()).isOne();
	}

	@Test
	void resetKeepsTheConfigurationAndTheListeners() {
		Bulkhead bulkhead = bulkhead(1, 10);
		bulkhead.reconfigure(BulkheadConfig.builder().maxConcurrentCalls(3).build());
		List<BulkheadEvent.Type> events = new ArrayList<>();
		bulkhead.events().onEvent((event) -> events.add(event.type()));
		bulkhead.reset();
		assertThat(bulkhead.config().maxConcurrentCalls()).isEqualTo(3);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		assertThat(events).containsExactly(BulkheadEvent.Type.PERMITTED);
	}

	@Test
	@Tag("concurrency")
	void aResetRacingWithCallsNeverAdmitsMoreThanTheLimitNorFreesAPlaceTwice() throws Exception {
		int limit = 2;
		int callers = 4;
		String[] keys = { "a", "b", "c" };
		for (int round = 0; round < 40; round++) {
			// maxKeys below the keys in use: keys are also forgotten under pressure.
			Bulkhead bulkhead = bulkhead(limit, 2);
			AtomicInteger[] inFlight = { new AtomicInteger(), new AtomicInteger(), new AtomicInteger(),
					new AtomicInteger() };
			AtomicInteger worst = new AtomicInteger();
			AtomicReference<Throwable> failure = new AtomicReference<>();
			AtomicBoolean stop = new AtomicBoolean();
			CyclicBarrier start = new CyclicBarrier(callers + 1);
			List<Future<?>> running = new ArrayList<>();
			for (int t = 0; t < callers; t++) {
				int caller = t;
				running.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < 2_000 && failure.get() == null; i++) {
						int which = (caller + i) % (keys.length + 1);
						// Held across resets on purpose: a forgotten bulkhead must follow
						// the key.
						Bulkhead target = (which == keys.length) ? bulkhead : forKeyOrNull(bulkhead, keys[which]);
						if (target == null || !target.tryAcquirePermission()) {
							continue;
						}
						int now = inFlight[which].incrementAndGet();
						worst.accumulateAndGet(now, Math::max);
						Thread.onSpinWait();
						inFlight[which].decrementAndGet();
						try {
							target.releasePermission();
						}
						catch (RuntimeException ex) {
							failure.compareAndSet(null, ex);
						}
					}
					return null;
				}));
			}
			running.add(this.executor.submit(() -> {
				start.await();
				while (!stop.get()) {
					bulkhead.reset();
				}
				return null;
			}));
			for (int t = 0; t < callers; t++) {
				running.get(t).get(30, TimeUnit.SECONDS);
			}
			stop.set(true);
			running.get(callers).get(30, TimeUnit.SECONDS);
			assertThat(failure.get()).as("every release found the place it gives back").isNull();
			assertThat(worst.get()).as("calls in flight on one bulkhead").isLessThanOrEqualTo(limit);
			Bulkhead.Metrics after = bulkhead.metrics();
			assertThat(after.availableConcurrentCalls()).as("no place lost or made up").isEqualTo(limit);
			assertThat(after.liveKeys()).isZero();
			for (String key : keys) {
				Bulkhead fresh = bulkhead.forKey(key);
				assertThat(fresh.tryAcquirePermission()).isTrue();
				assertThat(fresh.tryAcquirePermission()).isTrue();
				assertThat(fresh.tryAcquirePermission()).as("key %s admits exactly its limit", key).isFalse();
				fresh.releasePermission();
				fresh.releasePermission();
			}
		}
	}

	private static Bulkhead forKeyOrNull(Bulkhead bulkhead, String key) {
		try {
			return bulkhead.forKey(key);
		}
		catch (BulkheadFullException ex) {
			// Every place in the key map holds a key with calls in flight.
			return null;
		}
	}

	@Test
	void resetOfAThreadPoolBulkheadZeroesTheCountersAndRunsEveryAcceptedCall() throws Exception {
		ThreadPoolBulkhead pool = ThreadPoolBulkhead.of("tp",
				ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(1).maxThreadPoolSize(1).queueCapacity(1).build());
		this.pools.add(pool);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<String> running = pool.submit(() -> {
			started.countDown();
			assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			return CompletableFuture.completedFuture("running");
		});
		assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = pool.submit(() -> CompletableFuture.completedFuture("queued"));
		assertThat(pool.submit(() -> CompletableFuture.completedFuture("rejected"))).isCompletedExceptionally();

		pool.reset();

		ThreadPoolBulkhead.Metrics metrics = pool.metrics();
		assertThat(metrics.totalPermittedCalls()).isZero();
		assertThat(metrics.totalRejectedCalls()).isZero();
		assertThat(metrics.queueDepth()).as("the queued call keeps its slot").isOne();
		assertThat(pool.submit(() -> CompletableFuture.completedFuture("still full"))).isCompletedExceptionally();
		release.countDown();
		assertThat(running).succeedsWithin(WAIT).isEqualTo("running");
		assertThat(queued).succeedsWithin(WAIT).isEqualTo("queued");
		assertThat(pool.metrics().totalRejectedCalls()).isOne();
	}

}
