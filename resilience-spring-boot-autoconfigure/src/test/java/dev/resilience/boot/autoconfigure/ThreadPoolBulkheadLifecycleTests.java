package dev.resilience.boot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread-pool bulkheads' threads live and die with the application context: closing a
 * context ends every pool thread it started (once the calls in flight have finished), so
 * cached test contexts and restarts do not pile threads up. A registry the application
 * declares itself is the application's to close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadPoolBulkheadLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/**
	 * Thread names are {@code resilience-bulkhead-<name>-<n>}: a name no other test uses.
	 */
	private static final String POOL = "lifecycle-context";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withPropertyValues("resilience.thread-pool-bulkhead.instances." + POOL + ".core-thread-pool-size=2",
				"resilience.thread-pool-bulkhead.instances." + POOL + ".max-thread-pool-size=2");

	@Test
	void closingContextsEndsEveryPoolThreadTheyStarted() throws Exception {
		for (int i = 0; i < 10; i++) {
			this.contextRunner.withBean(ReportService.class).run((context) -> {
				assertThat(context).hasNotFailed();
				ReportService service = context.getBean(ReportService.class);
				// Two calls at once, so both core threads start.
				CountDownLatch bothRunning = new CountDownLatch(2);
				CompletableFuture<String> first = service.report(bothRunning);
				CompletableFuture<String> second = service.report(bothRunning);
				assertThat(first).succeedsWithin(WAIT).asString().startsWith("resilience-bulkhead-" + POOL + "-");
				assertThat(second).succeedsWithin(WAIT);
				assertThat(livePoolThreads(POOL)).hasSizeGreaterThanOrEqualTo(2);
			});
		}
		awaitNoPoolThread(POOL);
	}

	@Test
	void aCallInFlightWhenTheContextClosesFinishesAndThenItsThreadEnds() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicReference<CompletableFuture<String>> inFlight = new AtomicReference<>();
		this.contextRunner.withBean(ReportService.class).run((context) -> {
			CountDownLatch started = new CountDownLatch(1);
			inFlight.set(context.getBean(ReportService.class).blockUntil(started, release));
			assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		});
		// The context is closed; its call is still running on a pool thread.
		assertThat(inFlight.get()).isNotDone();
		release.countDown();
		assertThat(inFlight.get()).succeedsWithin(WAIT).isEqualTo("released");
		awaitNoPoolThread(POOL);
	}

	@Test
	void aRegistryTheApplicationDeclaresIsNotClosedByTheStarter() {
		ThreadPoolBulkheadRegistry own = ThreadPoolBulkheadRegistry.of(ThreadPoolBulkheadConfig.ofDefaults());
		try {
			this.contextRunner.withBean("ownRegistry", ThreadPoolBulkheadRegistry.class, () -> own, (definition) -> {
				// The application decides: here it keeps the registry past the context.
				definition.setDestroyMethodName("");
			}).run((context) -> assertThat(context.getBean(ThreadPoolBulkheadRegistry.class)).isSameAs(own));
			ThreadPoolBulkhead pool = own.instance("lifecycle-own");
			assertThat(pool.submit(() -> CompletableFuture.completedFuture("still open"))).succeedsWithin(WAIT)
				.isEqualTo("still open");
		}
		finally {
			own.close();
		}
	}

	@Test
	void theStartersRegistryIsClosedWithTheContext() {
		ThreadPoolBulkhead[] pool = new ThreadPoolBulkhead[1];
		this.contextRunner.run((context) -> {
			pool[0] = context.getBean(ThreadPoolBulkheadRegistry.class).instance("lifecycle-closed");
			assertThat(pool[0].submit(() -> CompletableFuture.completedFuture("open"))).succeedsWithin(WAIT);
		});
		assertThat(pool[0].submit(() -> CompletableFuture.completedFuture("late"))).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(IllegalStateException.class);
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
		assertThat(livePoolThreads(bulkheadName)).as("threads of thread-pool bulkhead '%s' alive", bulkheadName)
			.isEmpty();
	}

	static class ReportService {

		@Bulkhead(name = POOL, type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> report(CountDownLatch bothRunning) throws InterruptedException {
			bothRunning.countDown();
			assertThat(bothRunning.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Bulkhead(name = POOL, type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> blockUntil(CountDownLatch started, CountDownLatch release)
				throws InterruptedException {
			started.countDown();
			assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			return CompletableFuture.completedFuture("released");
		}

	}

}
