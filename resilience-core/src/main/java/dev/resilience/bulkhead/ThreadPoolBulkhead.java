package dev.resilience.bulkhead;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

import dev.resilience.core.CheckedSupplier;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;

/**
 * A thread-pool bulkhead, for asynchronous isolation: calls run on a bounded pool of the
 * bulkhead's own threads in front of a bounded queue, so a slow dependency can hold at
 * most that many threads and queued calls, never the caller's threads.
 * <p>
 * A call that finds every thread busy and the queue full is rejected at once (its future
 * completes with {@link BulkheadFullException}) and never runs. The pool sizes and the
 * keep-alive time can be changed at run time ({@link #reconfigure}); the queue capacity
 * cannot.
 * <p>
 * The threads are daemon threads named {@code resilience-bulkhead-<name>-<n>}.
 * {@link #close()} shuts the pool down.
 * <p>
 * A call runs on another thread than its caller's, so thread-local context (logging MDC,
 * security context, the current trace) does not follow it by itself. A <em>task
 * decorator</em> ({@link #of(String, ThreadPoolBulkheadConfig, UnaryOperator)}) carries
 * it: it is applied to each call on the caller's thread, when the call is submitted, and
 * returns the task that runs on the pool thread; the usual decorator captures the
 * caller's thread-local values and returns a task that sets them, runs the call and
 * restores the pool thread's own values afterwards, so nothing is left for the next call
 * on that thread. Without a decorator nothing is captured and a call costs nothing more.
 * Events are published on the thread that caused them: {@code PERMITTED} and
 * {@code REJECTED} on the submitting thread, {@code FINISHED} on the thread that
 * completes the call's stage (so a quick call's {@code FINISHED} may come before its
 * {@code PERMITTED}). Thread-safe.
 */
public interface ThreadPoolBulkhead extends Policy<ThreadPoolBulkheadConfig>, AutoCloseable {

	/**
	 * Creates a thread-pool bulkhead and its pool (core threads start on demand).
	 * @param name the name, also part of the thread names
	 * @param config the configuration
	 * @return the bulkhead
	 */
	static ThreadPoolBulkhead of(String name, ThreadPoolBulkheadConfig config) {
		return new DefaultThreadPoolBulkhead(name, config, null);
	}

	/**
	 * Creates a thread-pool bulkhead whose calls are decorated: {@code taskDecorator} is
	 * applied to each call on the submitting thread, before the pool decides whether it
	 * has room, and the task it returns is what runs on the pool thread (it must run the
	 * task it was given, once). A call rejected as full was decorated too; its task is
	 * dropped without running. A decorator that throws, or returns {@code null}, fails
	 * that call's future and the call does not run. The decorator must be thread-safe.
	 * @param name the name, also part of the thread names
	 * @param config the configuration
	 * @param taskDecorator wraps each call, for instance to carry the caller's
	 * thread-local context to the pool thread
	 * @return the bulkhead
	 */
	static ThreadPoolBulkhead of(String name, ThreadPoolBulkheadConfig config, UnaryOperator<Runnable> taskDecorator) {
		return new DefaultThreadPoolBulkhead(name, config, SettingValidation.notNull(taskDecorator, "taskDecorator"));
	}

	/**
	 * Runs {@code call} on a pool thread; the call starts the work and returns a stage,
	 * and the returned future completes with that stage's outcome (a call that throws, or
	 * returns {@code null}, fails the future). The pool thread is free again as soon as
	 * the call has returned its stage, so a blocking call should do its work before
	 * returning (for instance return {@code CompletableFuture.completedFuture(result)}).
	 * <p>
	 * If no thread and no queue slot is free, the future completes at once with
	 * {@link BulkheadFullException} and the call does not run. After {@link #close()}, it
	 * completes with {@link IllegalStateException}. Cancelling the future before the call
	 * has started keeps it from running; later, it does not stop the call.
	 * @param <T> the result type
	 * @param call starts the call
	 * @return a future of the call's outcome
	 */
	<T> CompletableFuture<T> submit(CheckedSupplier<? extends CompletionStage<T>> call);

	/**
	 * Zeroes the permitted and rejected counters. The pool, its threads and the calls it
	 * accepted (running or queued) are not touched: every accepted call still runs and
	 * completes its future, and holds its thread or queue slot until then. Thread-safe; a
	 * call counted while the reset runs may or may not survive it.
	 */
	@Override
	void reset();

	/**
	 * Returns a snapshot of the figures.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<BulkheadEvent> events();

	/**
	 * Shuts the pool down: calls already accepted (running or queued) still run, new ones
	 * are refused. Does not wait. Closing twice is harmless.
	 */
	@Override
	void close();

	/**
	 * A thread-pool bulkhead's figures; the pool figures are read one after the other,
	 * not as one atomic snapshot.
	 *
	 * @param coreThreadPoolSize the configured core size
	 * @param threadPoolSize the threads in the pool now
	 * @param maxThreadPoolSize the configured maximum size
	 * @param queueDepth the calls waiting for a thread
	 * @param queueCapacity the configured queue capacity
	 * @param remainingQueueCapacity the queue slots free now
	 * @param activeThreads the threads running a call now (approximate, as
	 * {@link java.util.concurrent.ThreadPoolExecutor#getActiveCount()})
	 * @param totalPermittedCalls calls accepted since creation or the last
	 * {@link #reset()}
	 * @param totalRejectedCalls calls rejected since creation or the last
	 * {@link #reset()}
	 */
	record Metrics(int coreThreadPoolSize, int threadPoolSize, int maxThreadPoolSize, int queueDepth, int queueCapacity,
			int remainingQueueCapacity, int activeThreads, long totalPermittedCalls, long totalRejectedCalls) {
	}

}
