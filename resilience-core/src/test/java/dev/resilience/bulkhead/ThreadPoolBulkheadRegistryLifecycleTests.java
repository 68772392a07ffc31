package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing a thread-pool bulkhead registry leaves no pool running: accepted calls finish,
 * every thread ends, and a bulkhead created after (or while) the registry closes is
 * closed too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadPoolBulkheadRegistryLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final CountDownLatch release = new CountDownLatch(1);

	private final List<ThreadPoolBulkheadRegistry> registries = new ArrayList<>();

	@AfterEach
	void closeEverything() {
		this.release.countDown();
		this.registries.forEach(ThreadPoolBulkheadRegistry::close);
	}

	private ThreadPoolBulkheadRegistry registry() {
		ThreadPoolBulkheadRegistry registry = ThreadPoolBulkheadRegistry
			.of(ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(2).maxThreadPoolSize(2).queueCapacity(4).build());
		this.registries.add(registry);
		return registry;
	}

	@Test
	void closingLetsAcceptedCallsFinishThenEveryPoolThreadEnds() throws Exception {
		ThreadPoolBulkheadRegistry registry = registry();
		ThreadPoolBulkhead bulkhead = registry.instance("lifecycle-graceful");
		CountDownLatch started = new CountDownLatch(2);
		List<CompletableFuture<String>> running = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			running.add(bulkhead.submit(() -> {
				started.countDown();
				assertThat(this.release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				return CompletableFuture.completedFuture("finished");
			}));
		}
		assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> queued = bulkhead.submit(() -> CompletableFuture.completedFuture("queued"));

		registry.close();
		registry.close();

		assertThat(failureOf(bulkhead.submit(() -> CompletableFuture.completedFuture("late"))))
			.isInstanceOf(IllegalStateException.class);
		assertThat(livePoolThreads("lifecycle-graceful")).as("threads still running accepted calls").hasSize(2);
		this.release.countDown();
		for (CompletableFuture<String> call : running) {
			assertThat(call).succeedsWithin(WAIT).isEqualTo("finished");
		}
		assertThat(queued).succeedsWithin(WAIT).isEqualTo("queued");
		awaitNoPoolThread("lifecycle-graceful");
	}

	@Test
	void aBulkheadAskedForAfterTheRegistryClosedIsClosedAndStartsNoThread() throws Exception {
		ThreadPoolBulkheadRegistry registry = registry();
		ThreadPoolBulkhead before = registry.instance("lifecycle-before");
		registry.close();

		ThreadPoolBulkhead late = registry.instance("lifecycle-late");
		ThreadPoolBulkhead replaced = registry.replaceConfig("lifecycle-replaced",
				ThreadPoolBulkheadConfig.ofDefaults());

		for (ThreadPoolBulkhead bulkhead : List.of(before, late, replaced, registry.instance("lifecycle-before"))) {
			assertThat(failureOf(bulkhead.submit(() -> CompletableFuture.completedFuture("x")))).as(bulkhead.name())
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("ThreadPoolBulkhead '" + bulkhead.name() + "' is closed");
		}
		assertThat(livePoolThreads("lifecycle-late")).isEmpty();
		assertThat(registry.all()).extracting(ThreadPoolBulkhead::name)
			.containsExactly("lifecycle-before", "lifecycle-late", "lifecycle-replaced");
	}

	@Test
	@Tag("concurrency")
	void bulkheadsCreatedWhileTheRegistryClosesAreAllClosed() throws Exception {
		int creators = 4;
		ExecutorService executor = Executors.newFixedThreadPool(creators + 1);
		try {
			for (int round = 0; round < 300; round++) {
				ThreadPoolBulkheadRegistry registry = registry();
				CyclicBarrier start = new CyclicBarrier(creators + 1);
				List<Future<?>> tasks = new ArrayList<>();
				for (int t = 0; t < creators; t++) {
					String name = "lifecycle-race-" + t;
					tasks.add(executor.submit(() -> {
						start.await();
						for (int i = 0; i < 5; i++) {
							registry.instance(name + "-" + i);
						}
						return null;
					}));
				}
				tasks.add(executor.submit(() -> {
					start.await();
					registry.close();
					return null;
				}));
				for (Future<?> task : tasks) {
					task.get(WAIT.toSeconds(), TimeUnit.SECONDS);
				}
				// Every bulkhead the registry holds refuses calls: none was left open.
				for (ThreadPoolBulkhead bulkhead : registry.all()) {
					assertThat(bulkhead.submit(() -> CompletableFuture.completedFuture("x")))
						.as("round %d, %s", round, bulkhead.name())
						.isCompletedExceptionally();
				}
			}
		}
		finally {
			executor.shutdownNow();
		}
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

	static List<Thread> livePoolThreads(String bulkheadName) {
		String prefix = "resilience-bulkhead-" + bulkheadName + "-";
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith(prefix))
			.toList();
	}

	/** Real threads end in real time: a bounded wait for each to end, never a sleep. */
	static void awaitNoPoolThread(String bulkheadName) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		for (Thread thread : livePoolThreads(bulkheadName)) {
			thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
		}
		assertThat(livePoolThreads(bulkheadName)).as("threads of bulkhead '%s' still alive", bulkheadName).isEmpty();
	}

}
