package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.core.CheckedSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ThreadPoolBulkheadTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final List<ThreadPoolBulkhead> bulkheads = new ArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void closePools() {
		this.release.countDown();
		this.bulkheads.forEach(ThreadPoolBulkhead::close);
	}

	private ThreadPoolBulkhead bulkhead(int core, int max, int queue) {
		ThreadPoolBulkhead bulkhead = ThreadPoolBulkhead.of("tp",
				ThreadPoolBulkheadConfig.builder()
					.coreThreadPoolSize(core)
					.maxThreadPoolSize(max)
					.queueCapacity(queue)
					.build());
		this.bulkheads.add(bulkhead);
		return bulkhead;
	}

	/** A call that holds its pool thread until the test ends or releases it. */
	private CheckedSupplier<CompletionStage<String>> blocking(CountDownLatch started) {
		return () -> {
			started.countDown();
			assertThat(this.release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			return CompletableFuture.completedFuture("unblocked");
		};
	}

	@Test
	void runsCallsOnItsOwnNamedDaemonThreads() {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		AtomicReference<Thread> runner = new AtomicReference<>();
		CompletableFuture<String> result = bulkhead.submit(() -> {
			runner.set(Thread.currentThread());
			return CompletableFuture.completedFuture("done");
		});
		assertThat(result).succeedsWithin(WAIT).isEqualTo("done");
		assertThat(runner.get()).isNotSameAs(Thread.currentThread());
		assertThat(runner.get().getName()).isEqualTo("resilience-bulkhead-tp-1");
		assertThat(runner.get().isDaemon()).isTrue();
	}

	@Test
	void completesWithTheOutcomeOfTheStageTheCallReturns() {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		CompletableFuture<String> later = new CompletableFuture<>();
		CompletableFuture<String> result = bulkhead.submit(() -> later);
		assertThat(result).isNotDone();
		later.complete("later");
		assertThat(result).succeedsWithin(WAIT).isEqualTo("later");
	}

	@Test
	void failsWithTheStagesFailureUnwrapped() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		IllegalStateException boom = new IllegalStateException("boom");
		CompletableFuture<String> source = new CompletableFuture<>();
		// A dependent stage fails with a CompletionException that wraps boom.
		CompletableFuture<String> result = bulkhead.submit(() -> source.thenApply((value) -> value));
		source.completeExceptionally(boom);
		assertThat(failureOf(result)).isSameAs(boom);
	}

	@Test
	void failsWhenTheCallThrowsOrReturnsNull() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		Exception checked = new Exception("checked");
		assertThat(failureOf(bulkhead.<String>submit(() -> {
			throw checked;
		}))).isSameAs(checked);
		assertThat(failureOf(bulkhead.<String>submit(() -> null))).isInstanceOf(NullPointerException.class)
			.hasMessage("The call of ThreadPoolBulkhead 'tp' returned null");
	}

	private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
		try {
			future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			throw new AssertionError("expected a failure");
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new AssertionError(ex);
		}
	}

	@Test
	void rejectsWhenEveryThreadIsBusyAndTheQueueIsFullWithoutRunningTheCall() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 1);
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<String> running = bulkhead.submit(blocking(started));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = bulkhead.submit(() -> CompletableFuture.completedFuture("queued"));
		AtomicBoolean ran = new AtomicBoolean();
		CompletableFuture<String> rejected = bulkhead.submit(() -> {
			ran.set(true);
			return CompletableFuture.completedFuture("rejected");
		});
		assertThat(rejected).isCompletedExceptionally();
		assertThat(failureOf(rejected)).isInstanceOf(BulkheadFullException.class)
			.hasMessage("Bulkhead 'tp' is full and does not permit further calls");
		ThreadPoolBulkhead.Metrics busy = bulkhead.metrics();
		assertThat(busy).isEqualTo(new ThreadPoolBulkhead.Metrics(1, 1, 1, 1, 1, 0, 1, 2, 1));
		this.release.countDown();
		assertThat(running).succeedsWithin(WAIT).isEqualTo("unblocked");
		assertThat(queued).succeedsWithin(WAIT).isEqualTo("queued");
		assertThat(ran).isFalse();
		assertThat(bulkhead.metrics().queueDepth()).isZero();
		assertThat(bulkhead.metrics().remainingQueueCapacity()).isOne();
	}

	@Test
	void withoutAQueueHandsCallsToThreadsUpToTheMaximum() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 2, 0);
		CountDownLatch started = new CountDownLatch(2);
		bulkhead.submit(blocking(started));
		bulkhead.submit(blocking(started));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(failureOf(bulkhead.submit(() -> CompletableFuture.completedFuture("x"))))
			.isInstanceOf(BulkheadFullException.class);
		ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
		assertThat(metrics.threadPoolSize()).isEqualTo(2);
		assertThat(metrics.queueCapacity()).isZero();
		assertThat(metrics.remainingQueueCapacity()).isZero();
		assertThat(metrics.totalRejectedCalls()).isOne();
	}

	@Test
	void aCallCancelledWhileQueuedNeverRuns() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 5);
		CountDownLatch started = new CountDownLatch(1);
		bulkhead.submit(blocking(started));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		AtomicBoolean ran = new AtomicBoolean();
		CompletableFuture<String> cancelled = bulkhead.submit(() -> {
			ran.set(true);
			return CompletableFuture.completedFuture("cancelled");
		});
		cancelled.cancel(false);
		CompletableFuture<String> after = bulkhead.submit(() -> CompletableFuture.completedFuture("after"));
		this.release.countDown();
		// One thread, first in first out: once "after" ran, the cancelled call was
		// skipped.
		assertThat(after).succeedsWithin(WAIT).isEqualTo("after");
		assertThat(ran).isFalse();
	}

	@Test
	void cancellingAStartedCallCancelsTheStageItReturned() {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		CompletableFuture<String> stage = new CompletableFuture<>();
		CompletableFuture<String> result = bulkhead.submit(() -> stage);
		// Started: the call has returned its stage, which is still running.
		assertThat(bulkhead.submit(() -> CompletableFuture.completedFuture("after"))).succeedsWithin(WAIT);
		result.cancel(true);
		assertThat(stage).isCancelled();
	}

	@Test
	void publishesPermittedRejectedAndFinishedEvents() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 0);
		List<BulkheadEvent.Type> events = new CopyOnWriteArrayList<>();
		bulkhead.events().onEvent((event) -> events.add(event.type()));
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<String> running = bulkhead.submit(blocking(started));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		bulkhead.submit(() -> CompletableFuture.completedFuture("rejected"));
		this.release.countDown();
		assertThat(running).succeedsWithin(WAIT);
		// FINISHED is published on the pool thread right after the future completes.
		while (events.size() < 3) {
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
			Thread.onSpinWait();
		}
		assertThat(events).containsExactly(BulkheadEvent.Type.PERMITTED, BulkheadEvent.Type.REJECTED,
				BulkheadEvent.Type.FINISHED);
	}

	@Test
	void reconfiguringResizesThePoolInEitherDirection() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 0);
		CountDownLatch first = new CountDownLatch(1);
		bulkhead.submit(blocking(first));
		assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(bulkhead.submit(() -> CompletableFuture.completedFuture("x"))).isCompletedExceptionally();
		// Up: the maximum must grow before the core size.
		ThreadPoolBulkheadConfig larger = ThreadPoolBulkheadConfig.from(bulkhead.config())
			.coreThreadPoolSize(3)
			.maxThreadPoolSize(3)
			.keepAliveDuration(Duration.ofSeconds(1))
			.build();
		bulkhead.reconfigure(larger);
		assertThat(bulkhead.config()).isSameAs(larger);
		CountDownLatch more = new CountDownLatch(2);
		bulkhead.submit(blocking(more));
		bulkhead.submit(blocking(more));
		assertThat(more.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(bulkhead.metrics().threadPoolSize()).isEqualTo(3);
		assertThat(bulkhead.metrics().activeThreads()).isEqualTo(3);
		// Down, with three calls in flight: the core size must shrink before the maximum.
		bulkhead.reconfigure(ThreadPoolBulkheadConfig.from(larger).coreThreadPoolSize(1).maxThreadPoolSize(1).build());
		assertThat(bulkhead.metrics().coreThreadPoolSize()).isOne();
		assertThat(bulkhead.metrics().maxThreadPoolSize()).isOne();
		assertThat(bulkhead.submit(() -> CompletableFuture.completedFuture("x"))).isCompletedExceptionally();
	}

	@Test
	void refusesToChangeTheQueueCapacity() {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 10);
		ThreadPoolBulkheadConfig before = bulkhead.config();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> bulkhead
				.reconfigure(ThreadPoolBulkheadConfig.from(before).queueCapacity(20).maxThreadPoolSize(2).build()))
			.withMessage("queueCapacity of ThreadPoolBulkhead 'tp' cannot be changed at run time (from 10 to 20);"
					+ " create a new ThreadPoolBulkhead instead");
		assertThat(bulkhead.config()).isSameAs(before);
	}

	@Test
	void closingRunsAcceptedCallsAndRefusesNewOnes() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(1, 1, 5);
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<String> running = bulkhead.submit(blocking(started));
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = bulkhead.submit(() -> CompletableFuture.completedFuture("queued"));
		bulkhead.close();
		bulkhead.close();
		assertThat(failureOf(bulkhead.submit(() -> CompletableFuture.completedFuture("late"))))
			.isInstanceOf(IllegalStateException.class)
			.hasMessage("ThreadPoolBulkhead 'tp' is closed");
		this.release.countDown();
		assertThat(running).succeedsWithin(WAIT);
		assertThat(queued).succeedsWithin(WAIT).isEqualTo("queued");
		assertThat(bulkhead.metrics().totalRejectedCalls()).isZero();
	}

	@Test
	void registryClosesTheBulkheadsItRemovesOrOwns() throws InterruptedException {
		ThreadPoolBulkheadRegistry registry = ThreadPoolBulkheadRegistry.ofDefaults();
		ThreadPoolBulkhead first = registry.instance("first");
		ThreadPoolBulkhead second = registry.instance("second");
		this.bulkheads.add(first);
		this.bulkheads.add(second);
		assertThat(registry.instance("first")).isSameAs(first);
		assertThat(first.config()).isSameAs(ThreadPoolBulkheadConfig.ofDefaults());
		assertThat(registry.remove("first")).containsSame(first);
		assertThat(failureOf(first.submit(() -> CompletableFuture.completedFuture("x"))))
			.isInstanceOf(IllegalStateException.class);
		assertThat(second.submit(() -> CompletableFuture.completedFuture("x"))).succeedsWithin(WAIT);
		registry.close();
		assertThat(failureOf(second.submit(() -> CompletableFuture.completedFuture("x"))))
			.isInstanceOf(IllegalStateException.class);
		assertThat(registry.all()).containsExactly(second);
	}

}
