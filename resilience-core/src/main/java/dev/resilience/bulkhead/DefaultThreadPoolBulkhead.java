package dev.resilience.bulkhead;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

import dev.resilience.internal.CancellableFuture;
import dev.resilience.core.CheckedSupplier;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import org.jspecify.annotations.Nullable;

/*
 * Design: a java.util.concurrent.ThreadPoolExecutor with a bounded queue (an
 * ArrayBlockingQueue, or a SynchronousQueue for a capacity of zero, which hands each call
 * straight to a thread) and a policy that refuses by throwing one RejectedExecutionException
 * made once without a stack trace (the abort policy would capture one and build a message
 * per refusal; this one never leaves the class). The executor's own accounting is the
 * bulkhead: a call is accepted if a thread can start or the queue has room, and refused
 * otherwise, which this class turns into a future failed with its one BulkheadFullException
 * (or IllegalStateException once the pool is shut down).
 *
 * The call runs on a pool thread and returns a stage; the returned future is completed
 * from that stage (flattened: a CompletionException wrapper is removed), so the caller
 * gets one future whatever the call returns. Cancelling the returned future keeps a queued
 * call from starting and cancels the stage of a started one.
 *
 * Reconfiguration (serialized by a lock) orders the two pool-size setters so that core
 * never exceeds max, which ThreadPoolExecutor refuses; the queue cannot be resized, so a
 * change of queueCapacity is refused before anything is changed.
 *
 * The optional task decorator wraps each call on the submitting thread, before it is
 * handed to the executor, so a decorator can capture the caller's context there and
 * restore it around the call on the pool thread (Micrometer context-propagation's
 * ContextSnapshot.wrap does exactly that). Without a decorator the field is null and
 * submit does one null check more. The Call itself stays what the caller's future waits
 * on, so cancellation does not depend on the decorator.
 */
final class DefaultThreadPoolBulkhead implements ThreadPoolBulkhead {

	private final String name;

	private final BlockingQueue<Runnable> queue;

	private final ThreadPoolExecutor executor;

	private volatile ThreadPoolBulkheadConfig config;

	private final Object reconfigureLock = new Object();

	private final LongAdder permitted = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final EventPublisher<BulkheadEvent> events = new EventPublisher<>();

	private final @Nullable UnaryOperator<Runnable> taskDecorator;

	// What every rejection fails with (see ResilienceException: shared, unchangeable).
	private final BulkheadFullException rejection;

	// The executor's refusal, caught in submit and never seen outside this class.
	private static final RejectedExecutionException REFUSED = new RejectedExecutionException("full") {

		@Override
		public synchronized Throwable fillInStackTrace() {
			return this;
		}

	};

	DefaultThreadPoolBulkhead(String name, ThreadPoolBulkheadConfig config,
			@Nullable UnaryOperator<Runnable> taskDecorator) {
		this.name = SettingValidation.notNull(name, "name");
		this.config = SettingValidation.notNull(config, "config");
		this.taskDecorator = taskDecorator;
		this.queue = (config.queueCapacity() > 0) ? new ArrayBlockingQueue<>(config.queueCapacity())
				: new SynchronousQueue<>();
		this.executor = new ThreadPoolExecutor(config.coreThreadPoolSize(), config.maxThreadPoolSize(),
				SettingValidation.toNanos(config.keepAliveDuration()), TimeUnit.NANOSECONDS, this.queue,
				threadFactory(name), (task, executor) -> {
					throw REFUSED;
				});
		this.rejection = new BulkheadFullException(name);
	}

	private static ThreadFactory threadFactory(String name) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, "resilience-bulkhead-" + name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public ThreadPoolBulkheadConfig config() {
		return this.config;
	}

	@Override
	public EventPublisher<BulkheadEvent> events() {
		return this.events;
	}

	@Override
	public <T> CompletableFuture<T> submit(CheckedSupplier<? extends CompletionStage<T>> call) {
		SettingValidation.notNull(call, "call");
		CancellableFuture<T> result = new CancellableFuture<>();
		Call<T> accepted = new Call<>(call, result);
		Runnable task = accepted;
		if (this.taskDecorator != null) {
			try {
				task = SettingValidation.notNull(this.taskDecorator.apply(accepted),
						"task returned by the task decorator");
			}
			catch (RuntimeException ex) {
				// The caller's context could not be captured: the call does not run.
				result.completeExceptionally(ex);
				return result;
			}
		}
		try {
			this.executor.execute(task);
			result.waitOn(accepted);
		}
		catch (RejectedExecutionException ex) {
			if (this.executor.isShutdown()) {
				result.completeExceptionally(
						new IllegalStateException("ThreadPoolBulkhead '" + this.name + "' is closed"));
				return result;
			}
			this.rejected.increment();
			publish(BulkheadEvent.Type.REJECTED);
			result.completeExceptionally(this.rejection);
			return result;
		}
		this.permitted.increment();
		publish(BulkheadEvent.Type.PERMITTED);
		return result;
	}

	@Override
	public Metrics metrics() {
		ThreadPoolBulkheadConfig current = this.config;
		return new Metrics(current.coreThreadPoolSize(), this.executor.getPoolSize(), current.maxThreadPoolSize(),
				this.queue.size(), current.queueCapacity(), this.queue.remainingCapacity(),
				this.executor.getActiveCount(), this.permitted.sum(), this.rejected.sum());
	}

	/**
	 * Changes the pool sizes and the keep-alive time; threads above a lowered size stop
	 * when they become idle. The queue capacity cannot change.
	 * @throws IllegalArgumentException if {@code config} has another queue capacity
	 */
	@Override
	public void reconfigure(ThreadPoolBulkheadConfig config) {
		SettingValidation.notNull(config, "config");
		synchronized (this.reconfigureLock) {
			ThreadPoolBulkheadConfig old = this.config;
			if (config.queueCapacity() != old.queueCapacity()) {
				throw new IllegalArgumentException("queueCapacity of ThreadPoolBulkhead '" + this.name
						+ "' cannot be changed at run time (from " + old.queueCapacity() + " to "
						+ config.queueCapacity() + "); create a new ThreadPoolBulkhead instead");
			}
			// ThreadPoolExecutor refuses core > max at every step.
			if (config.maxThreadPoolSize() >= this.executor.getCorePoolSize()) {
				this.executor.setMaximumPoolSize(config.maxThreadPoolSize());
				this.executor.setCorePoolSize(config.coreThreadPoolSize());
			}
			else {
				this.executor.setCorePoolSize(config.coreThreadPoolSize());
				this.executor.setMaximumPoolSize(config.maxThreadPoolSize());
			}
			this.executor.setKeepAliveTime(SettingValidation.toNanos(config.keepAliveDuration()), TimeUnit.NANOSECONDS);
			this.config = config;
		}
	}

	@Override
	public void reset() {
		// The executor's own accounting is the bulkhead: accepted calls keep their
		// places.
		this.permitted.reset();
		this.rejected.reset();
	}

	@Override
	public void close() {
		this.executor.shutdown();
	}

	private void publish(BulkheadEvent.Type type) {
		if (this.events.hasListeners()) {
			this.events.publish(new BulkheadEvent(this.name, type));
		}
	}

	@Override
	public String toString() {
		return "ThreadPoolBulkhead '" + this.name + "' " + this.config;
	}

	private static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	/**
	 * One accepted call: runs it on a pool thread and completes the caller's future from
	 * the stage it returns.
	 */
	private final class Call<T> implements Runnable, Scheduler.Cancellable {

		private final CheckedSupplier<? extends CompletionStage<T>> call;

		private final CompletableFuture<T> result;

		private volatile @Nullable CompletionStage<T> stage;

		Call(CheckedSupplier<? extends CompletionStage<T>> call, CompletableFuture<T> result) {
			this.call = call;
			this.result = result;
		}

		/**
		 * The caller cancelled: a queued call does not start (see run); a started one's
		 * stage is cancelled.
		 */
		@Override
		public boolean cancel() {
			CompletionStage<T> started = this.stage;
			if (started != null) {
				cancelStage(started);
			}
			return true;
		}

		private void cancelStage(CompletionStage<T> started) {
			try {
				started.toCompletableFuture().cancel(true);
			}
			catch (UnsupportedOperationException ex) {
				// A stage with no future view cannot be cancelled.
			}
		}

		@Override
		public void run() {
			// Cancelled (or otherwise completed) while queued: do not start the call.
			if (this.result.isDone()) {
				finished();
				return;
			}
			CompletionStage<T> stage;
			try {
				stage = this.call.get();
			}
			catch (Throwable ex) {
				this.result.completeExceptionally(ex);
				finished();
				if (ex instanceof VirtualMachineError error) {
					throw error;
				}
				return;
			}
			if (stage == null) {
				this.result.completeExceptionally(new NullPointerException(
						"The call of ThreadPoolBulkhead '" + DefaultThreadPoolBulkhead.this.name + "' returned null"));
				finished();
				return;
			}
			this.stage = stage;
			if (this.result.isCancelled()) {
				// Cancelled while it started: cancel() may have found no stage yet.
				cancelStage(stage);
			}
			stage.whenComplete((value, failure) -> {
				if (failure != null) {
					this.result.completeExceptionally(unwrap(failure));
				}
				else {
					this.result.complete(value);
				}
				finished();
			});
		}

		private void finished() {
			publish(BulkheadEvent.Type.FINISHED);
		}

	}

}
