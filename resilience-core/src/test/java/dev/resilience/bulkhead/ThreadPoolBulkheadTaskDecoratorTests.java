package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * A thread-pool bulkhead's task decorator: applied to each call on the caller's thread,
 * its task run on the pool thread, so a caller's thread-local value reaches the call and
 * does not stay behind for the next call on that thread.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ThreadPoolBulkheadTaskDecoratorTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

	private static final ThreadPoolBulkheadConfig ONE_THREAD = ThreadPoolBulkheadConfig.builder()
		.coreThreadPoolSize(1)
		.maxThreadPoolSize(1)
		.queueCapacity(10)
		.build();

	private final List<AutoCloseable> pools = new ArrayList<>();

	@AfterEach
	void closePools() throws Exception {
		TENANT.remove();
		for (AutoCloseable pool : this.pools) {
			pool.close();
		}
	}

	/**
	 * Carries {@link #TENANT}: captured when the call is submitted, set around the call,
	 * the pool thread's own value put back afterwards.
	 */
	private static Runnable carryTenant(Runnable task) {
		String captured = TENANT.get();
		return () -> {
			String previous = TENANT.get();
			set(captured);
			try {
				task.run();
			}
			finally {
				set(previous);
			}
		};
	}

	private static void set(String value) {
		if (value != null) {
			TENANT.set(value);
		}
		else {
			TENANT.remove();
		}
	}

	private ThreadPoolBulkhead bulkhead(UnaryOperator<Runnable> decorator) {
		ThreadPoolBulkhead bulkhead = ThreadPoolBulkhead.of("decorated", ONE_THREAD, decorator);
		this.pools.add(bulkhead);
		return bulkhead;
	}

	private static CompletableFuture<String> tenantSeenByTheCall(ThreadPoolBulkhead bulkhead) {
		return bulkhead.submit(() -> CompletableFuture.completedFuture(String.valueOf(TENANT.get())));
	}

	@Test
	void theCallSeesTheCallersValueAndTheNextCallOnThatThreadDoesNot() {
		ThreadPoolBulkhead bulkhead = bulkhead(ThreadPoolBulkheadTaskDecoratorTests::carryTenant);
		TENANT.set("acme");
		assertThat(tenantSeenByTheCall(bulkhead)).succeedsWithin(WAIT).isEqualTo("acme");
		TENANT.remove();
		// One pool thread: the same thread that ran acme's call.
		assertThat(tenantSeenByTheCall(bulkhead)).succeedsWithin(WAIT).isEqualTo("null");
		TENANT.set("globex");
		assertThat(tenantSeenByTheCall(bulkhead)).succeedsWithin(WAIT).isEqualTo("globex");
	}

	@Test
	void withoutADecoratorNothingIsCarried() {
		ThreadPoolBulkhead bulkhead = ThreadPoolBulkhead.of("plain", ONE_THREAD);
		this.pools.add(bulkhead);
		TENANT.set("acme");
		assertThat(tenantSeenByTheCall(bulkhead)).succeedsWithin(WAIT).isEqualTo("null");
	}

	@Test
	void theDecoratorRunsOnTheCallersThreadAndItsTaskOnThePoolThread() {
		List<String> threads = new CopyOnWriteArrayList<>();
		ThreadPoolBulkhead bulkhead = bulkhead((task) -> {
			threads.add("decorate " + Thread.currentThread().getName());
			return () -> {
				threads.add("run " + Thread.currentThread().getName());
				task.run();
			};
		});
		assertThat(bulkhead.submit(() -> CompletableFuture.completedFuture("done"))).succeedsWithin(WAIT);
		assertThat(threads).containsExactly("decorate " + Thread.currentThread().getName(),
				"run resilience-bulkhead-decorated-1");
	}

	@Test
	void aQueuedCallIsDecoratedWhenSubmittedNotWhenItStarts() throws InterruptedException {
		ThreadPoolBulkhead bulkhead = bulkhead(ThreadPoolBulkheadTaskDecoratorTests::carryTenant);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<String> blocking = bulkhead.submit(() -> {
			started.countDown();
			assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			return CompletableFuture.completedFuture("released");
		});
		assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		TENANT.set("queued-by-acme");
		CompletableFuture<String> queued = tenantSeenByTheCall(bulkhead);
		TENANT.set("changed-after-submit");
		release.countDown();
		assertThat(blocking).succeedsWithin(WAIT);
		assertThat(queued).succeedsWithin(WAIT).isEqualTo("queued-by-acme");
	}

	@Test
	void aDecoratorThatThrowsOrReturnsNullFailsTheCallWhichDoesNotRun() throws InterruptedException {
		AtomicInteger runs = new AtomicInteger();
		IllegalStateException boom = new IllegalStateException("cannot capture");
		ThreadPoolBulkhead throwing = bulkhead((task) -> {
			throw boom;
		});
		assertThat(failureOf(throwing.submit(() -> {
			runs.incrementAndGet();
			return CompletableFuture.completedFuture("ran");
		}))).isSameAs(boom);
		ThreadPoolBulkhead returningNull = bulkhead((task) -> null);
		assertThat(failureOf(returningNull.submit(() -> {
			runs.incrementAndGet();
			return CompletableFuture.completedFuture("ran");
		}))).isInstanceOf(NullPointerException.class)
			.hasMessage("task returned by the task decorator must not be null");
		assertThat(runs).hasValue(0);
		assertThat(throwing.metrics().totalPermittedCalls()).isZero();
	}

	@Test
	void aRegistrysDecoratorAppliesToEveryBulkheadItCreates() {
		ThreadPoolBulkheadRegistry registry = ThreadPoolBulkheadRegistry.of(ONE_THREAD,
				ThreadPoolBulkheadTaskDecoratorTests::carryTenant);
		this.pools.add(registry);
		TENANT.set("acme");
		assertThat(tenantSeenByTheCall(registry.instance("first"))).succeedsWithin(WAIT).isEqualTo("acme");
		assertThat(tenantSeenByTheCall(registry.instance("second", ThreadPoolBulkheadConfig.ofDefaults())))
			.succeedsWithin(WAIT)
			.isEqualTo("acme");
		ThreadPoolBulkheadRegistry plain = ThreadPoolBulkheadRegistry.of(ONE_THREAD);
		this.pools.add(plain);
		assertThat(tenantSeenByTheCall(plain.instance("first"))).succeedsWithin(WAIT).isEqualTo("null");
	}

	@Test
	void aNullDecoratorIsRefused() {
		assertThatNullPointerException().isThrownBy(() -> ThreadPoolBulkhead.of("x", ONE_THREAD, null))
			.withMessage("taskDecorator must not be null");
		assertThatNullPointerException().isThrownBy(() -> ThreadPoolBulkheadRegistry.of(ONE_THREAD, null))
			.withMessage("taskDecorator must not be null");
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

}
