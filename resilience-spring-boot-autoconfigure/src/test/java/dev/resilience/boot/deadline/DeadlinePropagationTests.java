package dev.resilience.boot.deadline;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.deadline.Deadline;
import dev.resilience.testing.FakeTicker;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Carrying the current deadline across thread hops: the task decorator, Micrometer's
 * context propagation (through the accessor the {@code ServiceLoader} registers) and
 * Reactor (its {@code contextCapture()} and automatic context propagation).
 */
class DeadlinePropagationTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ExecutorService pool = Executors.newSingleThreadExecutor();

	@AfterEach
	void shutDown() {
		this.pool.shutdownNow();
		Hooks.disableAutomaticContextPropagation();
		assertThat(Deadline.current()).as("left current on the test's thread").isNull();
	}

	@Test
	void theAccessorIsRegisteredWithTheGlobalContextRegistryUnderTheDeadlineKey() {
		assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
			.anySatisfy((accessor) -> assertThat(accessor).isInstanceOf(DeadlineThreadLocalAccessor.class)
				.extracting((each) -> each.key())
				.isEqualTo(Deadline.CONTEXT_KEY));
	}

	@Test
	void aContextSnapshotCarriesTheDeadlineToAnotherThreadAndTheThreadIsLeftWithoutIt() throws Exception {
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		ContextSnapshot snapshot;
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			snapshot = ContextSnapshotFactory.builder().clearMissing(true).build().captureAll();
		}
		AtomicReference<Deadline> during = new AtomicReference<>();
		Deadline after = this.pool.submit(() -> {
			try (ContextSnapshot.Scope scope = snapshot.setThreadLocals()) {
				during.set(Deadline.current());
			}
			return Deadline.current();
		}).get(10, TimeUnit.SECONDS);
		assertThat(during.get()).isSameAs(deadline);
		assertThat(after).isNull();
	}

	@Test
	void aWrappedExecutorServiceCarriesTheDeadline() throws Exception {
		ExecutorService wrapped = ContextExecutorService.wrap(this.pool,
				() -> ContextSnapshotFactory.builder().build().captureAll());
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			assertThat(wrapped.submit(Deadline::current).get(10, TimeUnit.SECONDS)).isSameAs(deadline);
		}
		assertThat(wrapped.submit(Deadline::current).get(10, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void restoringASnapshotNeverExtendsAnEarlierCurrentDeadlineAndPutsBackExactlyWhatWasThere() {
		DeadlineThreadLocalAccessor accessor = new DeadlineThreadLocalAccessor();
		Deadline earlier = Deadline.after(Duration.ofMillis(100), this.ticker);
		Deadline later = Deadline.after(Duration.ofMillis(900), this.ticker);
		try (Deadline.Scope scope = Deadline.enter(earlier)) {
			accessor.setValue(later);
			assertThat(Deadline.current()).isSameAs(earlier);
			accessor.restore(earlier);
			assertThat(Deadline.current()).isSameAs(earlier);
			accessor.setValue();
			assertThat(Deadline.current()).isSameAs(earlier);
			accessor.restore(earlier);
			assertThat(Deadline.current()).isSameAs(earlier);
		}
		try (Deadline.Scope scope = Deadline.enter(later)) {
			accessor.setValue(earlier);
			assertThat(Deadline.current()).isSameAs(earlier);
			// Whatever value the restore is given, the exact previous one comes back.
			accessor.restore(earlier);
			assertThat(Deadline.current()).isSameAs(later);
		}
		accessor.setValue(earlier);
		accessor.restore();
		assertThat(Deadline.current()).isNull();
		// An unpaired restore changes nothing.
		accessor.restore();
		assertThat(Deadline.current()).isNull();
	}

	@Test
	void theTaskDecoratorRunsTheTaskUnderTheSubmittersDeadlineAndLeavesTheWorkerAsItWas() throws Exception {
		DeadlineTaskDecorator decorator = new DeadlineTaskDecorator();
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		AtomicReference<Deadline> seen = new AtomicReference<>();
		Runnable decorated;
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			decorated = decorator.decorate(() -> seen.set(Deadline.current()));
		}
		this.pool.submit(decorated).get(10, TimeUnit.SECONDS);
		assertThat(seen.get()).isSameAs(deadline);
		assertThat(this.pool.submit(Deadline::current).get(10, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void theTaskDecoratorLeavesATaskWithoutADeadlineAsItIs() {
		Runnable task = () -> {
		};
		assertThat(new DeadlineTaskDecorator().decorate(task)).isSameAs(task);
	}

	@Test
	void contextCapturePutsTheCurrentDeadlineInTheReactorContext() {
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		Mono<Object> read = Mono.deferContextual((context) -> Mono.just(context.get(Deadline.CONTEXT_KEY)));
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			assertThat(read.contextCapture().block(Duration.ofSeconds(10))).isSameAs(deadline);
		}
	}

	@Test
	void withAutomaticContextPropagationTheReactorContextsDeadlineIsCurrentAfterAThreadHop() {
		Hooks.enableAutomaticContextPropagation();
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		AtomicReference<Thread> thread = new AtomicReference<>();
		Deadline seen = Mono.just(1).publishOn(Schedulers.boundedElastic()).map((one) -> {
			thread.set(Thread.currentThread());
			return Deadline.current();
		}).contextWrite(Context.of(Deadline.CONTEXT_KEY, deadline)).block(Duration.ofSeconds(10));
		assertThat(seen).isSameAs(deadline);
		assertThat(thread.get()).isNotSameAs(Thread.currentThread());
	}

}
