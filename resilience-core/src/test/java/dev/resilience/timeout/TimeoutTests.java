package dev.resilience.timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.core.Scheduler;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

class TimeoutTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Timeout timeout = Timeout.of("test", TimeoutConfig.builder().timeoutDuration(ONE_SECOND).build(),
			this.ticker, this.scheduler);

	@AfterEach
	void clearInterruptStatus() {
		// Keep a failing test from leaking an interrupt into the next one.
		Thread.interrupted();
	}

	@Test
	void configDefaultsAndValidation() {
		assertThat(TimeoutConfig.ofDefaults().timeoutDuration()).isEqualTo(ONE_SECOND);
		assertThat(TimeoutConfig.ofDefaults().cancelRunningFuture()).isTrue();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TimeoutConfig.builder().timeoutDuration(Duration.ZERO).build())
			.withMessage("timeoutDuration must be greater than zero but was PT0S");
		TimeoutConfig base = TimeoutConfig.builder().timeoutDuration(ONE_SECOND).cancelRunningFuture(false).build();
		TimeoutConfig derived = TimeoutConfig.from(base).timeoutDuration(Duration.ofSeconds(2)).build();
		assertThat(derived.cancelRunningFuture()).isFalse();
		assertThat(derived.timeoutDuration()).isEqualTo(Duration.ofSeconds(2));
		assertThat(derived.toString()).isEqualTo("TimeoutConfig[timeoutDuration=PT2S, cancelRunningFuture=false]");
	}

	@Test
	void interruptsABlockedCallAtTheDeadline() {
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> this.timeout.execute(() -> {
			this.scheduler.advance(Duration.ofMillis(1001));
			new CountDownLatch(1).await();
			return "never";
		})).satisfies((ex) -> {
			assertThat(ex.getCause()).isInstanceOf(InterruptedException.class);
			assertThat(ex.instanceName()).isEqualTo("test");
			assertThat(ex.timeoutDuration()).isEqualTo(ONE_SECOND);
			assertThat(ex.isRejection()).isFalse();
		});
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 0, 1));
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void timesOutACallThatIgnoresTheInterruptAndClearsIt() {
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> this.timeout.execute(() -> {
			this.scheduler.advance(Duration.ofSeconds(2));
			return "late";
		})).withNoCause();
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		assertThat(this.timeout.metrics().totalTimedOutCalls()).isEqualTo(1);
	}

	@Test
	void returnsTheResultOfACallThatFinishesInTime() throws Throwable {
		String result = this.timeout.execute(() -> {
			this.scheduler.advance(Duration.ofMillis(999));
			return "ok";
		});
		assertThat(result).isEqualTo("ok");
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(1, 0, 0));
		// The deadline was cancelled: time passing later interrupts nobody.
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

	@Test
	void rethrowsTheFailureOfACallThatFailsInTime() {
		IOException failure = new IOException("boom");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.timeout.execute(() -> {
			throw failure;
		})).isSameAs(failure);
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 1, 0));
	}

	@Test
	void keepsAnInterruptStatusSetBeforeTheCall() throws Throwable {
		Thread.currentThread().interrupt();
		assertThat(this.timeout.execute(() -> "ok")).isEqualTo("ok");
		assertThat(Thread.interrupted()).isTrue();
	}

	@Test
	void keepsAnInterruptStatusSetBeforeTheCallWhenTheCallTimesOut() {
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> this.timeout.execute(() -> {
			this.scheduler.advance(Duration.ofSeconds(2));
			return "late";
		}));
		assertThat(Thread.interrupted()).isTrue();
	}

	@Test
	void asyncDeadlineFailsTheFutureAndCancelsTheCall() {
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> result = this.timeout.executeAsync(() -> call);
		this.scheduler.advance(Duration.ofMillis(999));
		assertThat(result).isNotDone();
		this.scheduler.advance(Duration.ofMillis(1));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(result::get)
			.havingCause()
			.isInstanceOf(TimeoutExceededException.class);
		assertThat(call).isCancelled();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 0, 1));
	}

	@Test
	void asyncDeadlineLeavesTheCallRunningWithoutCancelRunningFuture() {
		Timeout timeout = Timeout.of("lenient",
				TimeoutConfig.builder().timeoutDuration(ONE_SECOND).cancelRunningFuture(false).build(), this.ticker,
				this.scheduler);
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> result = timeout.executeAsync(() -> call);
		this.scheduler.advance(ONE_SECOND);
		assertThat(result).isCompletedExceptionally();
		assertThat(call).isNotDone();
		// A late completion changes neither the outcome nor the counts.
		call.complete("late");
		assertThat(result).isCompletedExceptionally();
		assertThat(timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 0, 1));
	}

	@Test
	void asyncCompletionInTimeCancelsTheDeadline() {
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> result = this.timeout.executeAsync(() -> call);
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		call.complete("ok");
		assertThat(result).isCompletedWithValue("ok");
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(1, 0, 0));
	}

	@Test
	void asyncFailureInTimeFailsTheFuture() {
		IOException failure = new IOException("boom");
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> result = this.timeout.executeAsync(() -> call);
		call.completeExceptionally(failure);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(result::get).withCause(failure);
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 1, 0));
	}

	@Test
	void asyncCallAlreadyCompleteLeavesNoDeadline() {
		CompletableFuture<String> result = this.timeout.executeAsync(() -> CompletableFuture.completedFuture("ok"));
		assertThat(result).isCompletedWithValue("ok");
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void asyncCallThatThrowsWhileStartingFailsTheFutureWithoutDeadline() {
		IllegalStateException failure = new IllegalStateException("cannot start");
		CompletableFuture<String> result = this.timeout.executeAsync(() -> {
			throw failure;
		});
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(result::get).withCause(failure);
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 1, 0));
	}

	@Test
	void callsTimedByTheirCallerAreCountedAndPublishedLikeTheOthers() {
		List<TimeoutEvent> events = new ArrayList<>();
		this.timeout.events().onEvent(events::add);
		IOException failure = new IOException();
		TimeoutExceededException exceeded = new TimeoutExceededException("test", ONE_SECOND, null);
		this.timeout.onSuccess();
		this.timeout.onFailure(failure);
		this.timeout.onTimeout(exceeded);
		assertThat(this.timeout.scheduler()).isSameAs(this.scheduler);
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(1, 1, 1));
		assertThat(events).extracting(TimeoutEvent::type, TimeoutEvent::failure)
			.containsExactly(tuple(TimeoutEvent.Type.SUCCESS, null), tuple(TimeoutEvent.Type.FAILURE, failure),
					tuple(TimeoutEvent.Type.TIMEOUT, exceeded));
	}

	@Test
	void publishesAnEventPerOutcome() throws Throwable {
		List<TimeoutEvent> events = new ArrayList<>();
		this.timeout.events().onEvent(events::add);
		IOException failure = new IOException();
		this.timeout.execute(() -> "ok");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.timeout.execute(() -> {
			throw failure;
		}));
		CompletableFuture<String> call = new CompletableFuture<>();
		this.timeout.executeAsync(() -> call);
		this.scheduler.advance(ONE_SECOND);
		assertThat(events).extracting(TimeoutEvent::type)
			.containsExactly(TimeoutEvent.Type.SUCCESS, TimeoutEvent.Type.FAILURE, TimeoutEvent.Type.TIMEOUT);
		assertThat(events).extracting(TimeoutEvent::primitive, TimeoutEvent::instanceName)
			.containsOnly(tuple("timeout", "test"));
		assertThat(events.get(0).failure()).isNull();
		assertThat(events.get(1).failure()).isSameAs(failure);
		assertThat(events.get(2).failure()).isInstanceOf(TimeoutExceededException.class);
	}

	@Test
	void reconfigureAppliesToNewCalls() throws Throwable {
		TimeoutConfig longer = TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(5)).build();
		this.timeout.reconfigure(longer);
		assertThat(this.timeout.config()).isSameAs(longer);
		String result = this.timeout.execute(() -> {
			this.scheduler.advance(Duration.ofSeconds(4));
			return "ok";
		});
		assertThat(result).isEqualTo("ok");
	}

	@Test
	void registrySharesInstancesByName() {
		TimeoutRegistry registry = TimeoutRegistry.of(TimeoutConfig.ofDefaults(), this.ticker, this.scheduler);
		Timeout first = registry.instance("backend");
		assertThat(registry.instance("backend")).isSameAs(first);
		assertThat(first.name()).isEqualTo("backend");
		assertThat(TimeoutRegistry.ofDefaults().defaultConfig()).isSameAs(TimeoutConfig.ofDefaults());
	}

	@Test
	@org.junit.jupiter.api.Timeout(10)
	void noInterruptOutlivesTheCallWhicheverSideWinsTheRace() throws Throwable {
		// The deadline fires at once on another thread, racing with a call that
		// returns at once: either may win, but no interrupt may outlive execute().
		ExecutorService timerThread = Executors.newSingleThreadExecutor();
		AtomicReference<Future<?>> fired = new AtomicReference<>();
		Scheduler racing = new Scheduler() {
			@Override
			public Cancellable schedule(Runnable task, long delayNanos) {
				Future<?> future = timerThread.submit(task);
				fired.set(future);
				return () -> future.cancel(false);
			}

			@Override
			public void sleep(long nanos) {
				throw new UnsupportedOperationException();
			}
		};
		Timeout timeout = Timeout.of("race", TimeoutConfig.ofDefaults(), this.ticker, racing);
		int iterations = 20_000;
		try {
			for (int i = 0; i < iterations; i++) {
				try {
					timeout.execute(() -> "ok");
				}
				catch (TimeoutExceededException ex) {
					// The timer won this time.
				}
				try {
					fired.get().get(5, TimeUnit.SECONDS);
				}
				catch (CancellationException ex) {
					// Cancelled before it ran.
				}
				assertThat(Thread.interrupted()).as("interrupted after iteration %d", i).isFalse();
			}
		}
		finally {
			timerThread.shutdownNow();
		}
		Timeout.Metrics metrics = timeout.metrics();
		assertThat(metrics.totalSuccessfulCalls() + metrics.totalTimedOutCalls()).isEqualTo(iterations);
		assertThat(metrics.totalFailedCalls()).isZero();
	}

	@Test
	@org.junit.jupiter.api.Timeout(5)
	void interruptsARealBlockedCallOnTheSystemScheduler() {
		Timeout real = Timeout.of("real", TimeoutConfig.builder().timeoutDuration(Duration.ofMillis(50)).build());
		CountDownLatch never = new CountDownLatch(1);
		assertThatExceptionOfType(TimeoutExceededException.class).isThrownBy(() -> real.execute(() -> {
			never.await();
			return "never";
		})).withCauseInstanceOf(InterruptedException.class);
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

}
