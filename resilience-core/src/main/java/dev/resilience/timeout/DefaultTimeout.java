package dev.resilience.timeout;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.CheckedSupplier;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Concurrent design.
 *
 * Synchronous calls. The call runs on the caller's thread; one task (an Interrupter, the
 * only object this class allocates per call) is scheduled at the deadline. The caller and
 * the timer race on the Interrupter's state, an AtomicInteger:
 *
 *   RUNNING --caller finishes first--> DONE                      (terminal)
 *   RUNNING --timer fires first-----> INTERRUPTING --> INTERRUPTED (terminal)
 *
 * Only the side that wins the CAS out of RUNNING acts. If the caller wins, the timer's
 * CAS fails and it does nothing, so no interrupt can arrive after execute() returns; the
 * caller also cancels the timer so that it leaves no task behind. If the timer wins, it
 * interrupts the caller and then publishes INTERRUPTED; the caller, whose CAS failed, spins
 * (the window is one Thread.interrupt()) until INTERRUPTED so that the interrupt has surely
 * been delivered before it clears the status, and throws TimeoutExceededException. An
 * interrupt status the thread had before the call is someone else's: it is restored.
 *
 * Asynchronous calls. The call's stage and a scheduled deadline race to complete a fresh
 * CompletableFuture; CompletableFuture's own CAS picks exactly one winner, so every call is
 * counted once. The winner alone counts and publishes; the deadline, if it wins, cancels the
 * call's future (cancelRunningFuture), and the call, if it wins, cancels the deadline. A
 * caller that cancels the returned future takes a third part in the same race: it disarms
 * the deadline and cancels the call's future (again only with cancelRunningFuture), and the
 * call is counted as neither success, failure nor timeout.
 *
 * Counters are LongAdders; the config is a volatile field read once per call; events are
 * allocated only when someone listens. A synchronous deadline is measured by the scheduler
 * alone; an asynchronous one reads the ticker around the start of the call, so that time the
 * call spends before it returns its stage counts against the deadline.
 */
final class DefaultTimeout implements Timeout {

	private static final int RUNNING = 0;

	private static final int DONE = 1;

	private static final int INTERRUPTING = 2;

	private static final int INTERRUPTED = 3;

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final EventPublisher<TimeoutEvent> events = new EventPublisher<>();

	private final LongAdder successfulCalls = new LongAdder();

	private final LongAdder failedCalls = new LongAdder();

	private final LongAdder timedOutCalls = new LongAdder();

	private volatile TimeoutConfig config;

	DefaultTimeout(String name, TimeoutConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = SettingValidation.notNull(name, "name");
		this.config = SettingValidation.notNull(config, "config");
		this.ticker = SettingValidation.notNull(ticker, "ticker");
		this.scheduler = SettingValidation.notNull(scheduler, "scheduler");
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public TimeoutConfig config() {
		return this.config;
	}

	/**
	 * Replaces the configuration for calls started from now on; calls in flight keep
	 * their deadline.
	 */
	@Override
	public void reconfigure(TimeoutConfig config) {
		this.config = Objects.requireNonNull(config, "config must not be null");
	}

	@Override
	public <T> T execute(CheckedSupplier<T> call) throws Throwable {
		TimeoutConfig config = this.config;
		return execute(config, config.timeoutNanos(), call);
	}

	@Override
	public <T> T execute(long timeoutNanos, CheckedSupplier<T> call) throws Throwable {
		TimeoutConfig config = this.config;
		return execute(config, Math.max(0, Math.min(timeoutNanos, config.timeoutNanos())), call);
	}

	private <T> T execute(TimeoutConfig config, long timeoutNanos, CheckedSupplier<T> call) throws Throwable {
		Objects.requireNonNull(call, "call must not be null");
		Thread caller = Thread.currentThread();
		boolean interruptedBefore = caller.isInterrupted();
		Interrupter interrupter = new Interrupter(caller);
		Scheduler.Cancellable timer = this.scheduler.schedule(interrupter, timeoutNanos);
		T result = null;
		Throwable failure = null;
		try {
			result = call.get();
		}
		catch (Throwable ex) {
			failure = ex;
		}
		if (interrupter.compareAndSet(RUNNING, DONE)) {
			timer.cancel();
			if (failure != null) {
				this.failedCalls.increment();
				publish(TimeoutEvent.Type.FAILURE, failure);
				throw failure;
			}
			this.successfulCalls.increment();
			publish(TimeoutEvent.Type.SUCCESS, null);
			return result;
		}
		while (interrupter.get() != INTERRUPTED) {
			Thread.onSpinWait();
		}
		// Clear the deadline's interrupt (the call may not have consumed it) so that
		// it does not hit whatever the caller does next.
		Thread.interrupted();
		if (interruptedBefore) {
			caller.interrupt();
		}
		TimeoutExceededException timeout = new TimeoutExceededException(this.name, duration(config, timeoutNanos),
				failure);
		this.timedOutCalls.increment();
		publish(TimeoutEvent.Type.TIMEOUT, timeout);
		throw timeout;
	}

	@Override
	public <T> CompletableFuture<T> executeAsync(CheckedSupplier<? extends CompletionStage<T>> call) {
		TimeoutConfig config = this.config;
		return executeAsync(config, config.timeoutNanos(), call);
	}

	@Override
	public <T> CompletableFuture<T> executeAsync(long timeoutNanos,
			CheckedSupplier<? extends CompletionStage<T>> call) {
		TimeoutConfig config = this.config;
		return executeAsync(config, Math.max(0, Math.min(timeoutNanos, config.timeoutNanos())), call);
	}

	private <T> CompletableFuture<T> executeAsync(TimeoutConfig config, long timeoutNanos,
			CheckedSupplier<? extends CompletionStage<T>> call) {
		Objects.requireNonNull(call, "call must not be null");
		// The deadline counts from before the call starts: time spent starting it (a
		// method
		// that does blocking work before it returns its stage) counts against it.
		long start = this.ticker.read();
		CompletionStage<T> stage;
		try {
			stage = Objects.requireNonNull(call.get(), "call returned null instead of a CompletionStage");
		}
		catch (Throwable ex) {
			// Failed while starting: nothing runs, so no deadline is armed.
			this.failedCalls.increment();
			publish(TimeoutEvent.Type.FAILURE, ex);
			return CompletableFuture.failedFuture(ex);
		}
		AsyncDeadline<T> deadline = new AsyncDeadline<>(this, config, timeoutNanos, stage);
		long remaining = timeoutNanos - (this.ticker.read() - start);
		if (remaining <= 0) {
			deadline.run();
		}
		else {
			deadline.timer = this.scheduler.schedule(deadline, remaining);
		}
		stage.whenComplete(deadline);
		deadline.result.waitOn(deadline);
		return deadline.result;
	}

	@Override
	public Scheduler scheduler() {
		return this.scheduler;
	}

	/**
	 * The duration a timed-out call was given: the configured one, or the shorter bound
	 * it ran under (built only when a call times out).
	 */
	private static java.time.Duration duration(TimeoutConfig config, long timeoutNanos) {
		return (timeoutNanos == config.timeoutNanos()) ? config.timeoutDuration()
				: java.time.Duration.ofNanos(timeoutNanos);
	}

	@Override
	public void onSuccess() {
		this.successfulCalls.increment();
		publish(TimeoutEvent.Type.SUCCESS, null);
	}

	@Override
	public void onFailure(Throwable failure) {
		Objects.requireNonNull(failure, "failure must not be null");
		this.failedCalls.increment();
		publish(TimeoutEvent.Type.FAILURE, failure);
	}

	@Override
	public void onTimeout(TimeoutExceededException exception) {
		Objects.requireNonNull(exception, "exception must not be null");
		this.timedOutCalls.increment();
		publish(TimeoutEvent.Type.TIMEOUT, exception);
	}

	private void publish(TimeoutEvent.Type type, @Nullable Throwable failure) {
		if (this.events.hasListeners()) {
			this.events.publish(new TimeoutEvent(this.name, type, failure));
		}
	}

	@Override
	public void reset() {
		// The deadlines armed on the scheduler belong to calls in flight: they stay.
		this.successfulCalls.reset();
		this.failedCalls.reset();
		this.timedOutCalls.reset();
	}

	@Override
	public Metrics metrics() {
		return new Metrics(this.successfulCalls.sum(), this.failedCalls.sum(), this.timedOutCalls.sum());
	}

	@Override
	public EventPublisher<TimeoutEvent> events() {
		return this.events;
	}

	@Override
	public String toString() {
		return "Timeout '" + this.name + "' " + this.config;
	}

	/**
	 * The deadline of one synchronous call; its value is the state described above.
	 */
	@SuppressWarnings("serial")
	private static final class Interrupter extends AtomicInteger implements Runnable {

		private final Thread caller;

		Interrupter(Thread caller) {
			super(RUNNING);
			this.caller = caller;
		}

		@Override
		public void run() {
			if (compareAndSet(RUNNING, INTERRUPTING)) {
				try {
					this.caller.interrupt();
				}
				finally {
					// Whatever happens, release the caller that spins on this state.
					set(INTERRUPTED);
				}
			}
		}

	}

	/**
	 * The race of one asynchronous call against its deadline: run() is the deadline,
	 * accept() the call's completion.
	 */
	private static final class AsyncDeadline<T> implements Runnable, BiConsumer<T, Throwable>, Scheduler.Cancellable {

		final CancellableFuture<T> result = new CancellableFuture<>();

		private final DefaultTimeout timeout;

		private final TimeoutConfig config;

		private final long timeoutNanos;

		private final CompletionStage<T> stage;

		// Set before the completion callback is registered; volatile because the
		// callback may run on any thread.
		volatile Scheduler.@Nullable Cancellable timer;

		AsyncDeadline(DefaultTimeout timeout, TimeoutConfig config, long timeoutNanos, CompletionStage<T> stage) {
			this.timeout = timeout;
			this.config = config;
			this.timeoutNanos = timeoutNanos;
			this.stage = stage;
		}

		@Override
		public void run() {
			TimeoutExceededException exception = new TimeoutExceededException(this.timeout.name,
					duration(this.config, this.timeoutNanos), null);
			if (!this.result.completeExceptionally(exception)) {
				return;
			}
			this.timeout.timedOutCalls.increment();
			this.timeout.publish(TimeoutEvent.Type.TIMEOUT, exception);
			cancelRunningFuture();
		}

		/**
		 * The caller cancelled the result: disarm the deadline and pass the cancel on.
		 */
		@Override
		public boolean cancel() {
			Scheduler.Cancellable timer = this.timer;
			if (timer != null) {
				timer.cancel();
			}
			cancelRunningFuture();
			return true;
		}

		private void cancelRunningFuture() {
			if (this.config.cancelRunningFuture()) {
				try {
					this.stage.toCompletableFuture().cancel(true);
				}
				catch (UnsupportedOperationException ex) {
					// A stage with no future view cannot be cancelled.
				}
			}
		}

		@Override
		public void accept(@Nullable T value, @Nullable Throwable failure) {
			Scheduler.Cancellable timer = this.timer;
			if (timer != null) {
				timer.cancel();
			}
			if (failure == null) {
				if (this.result.complete(value)) {
					this.timeout.successfulCalls.increment();
					this.timeout.publish(TimeoutEvent.Type.SUCCESS, null);
				}
			}
			else if (this.result.completeExceptionally(failure)) {
				this.timeout.failedCalls.increment();
				this.timeout.publish(TimeoutEvent.Type.FAILURE, unwrap(failure));
			}
		}

		private static Throwable unwrap(Throwable failure) {
			return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
					: failure;
		}

	}

}
