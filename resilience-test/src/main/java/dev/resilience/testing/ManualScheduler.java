package dev.resilience.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.resilience.core.Scheduler;

/**
 * A {@link Scheduler} on a {@link FakeTicker}: scheduled tasks run when time is advanced
 * past their due time, in due order, with the ticker set to each task's due time as it
 * runs. {@link #sleep(long)} does not block: it records the sleep and advances time by
 * its length, as if the sleeping thread had waited, so synchronous waits (retry backoff,
 * rate-limit waits) are testable without real time.
 * <p>
 * Thread-safe; tasks run on the thread that advances time, outside any lock.
 */
public final class ManualScheduler implements Scheduler {

	private final FakeTicker ticker;

	private final PriorityQueue<Task> queue = new PriorityQueue<>(
			Comparator.comparingLong((Task task) -> task.due).thenComparingLong((task) -> task.sequence));

	private final List<Duration> sleeps = new ArrayList<>();

	private long sequence;

	/**
	 * Creates a scheduler that reads and moves {@code ticker}.
	 * @param ticker the fake time
	 */
	public ManualScheduler(FakeTicker ticker) {
		this.ticker = ticker;
	}

	/**
	 * Returns the ticker this scheduler moves.
	 * @return the ticker
	 */
	public FakeTicker ticker() {
		return this.ticker;
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		Task scheduled;
		synchronized (this) {
			scheduled = new Task(task, this.ticker.read() + Math.max(0, delayNanos), this.sequence++);
			this.queue.add(scheduled);
		}
		return () -> {
			boolean cancelled = scheduled.cancelled.compareAndSet(false, true);
			synchronized (this) {
				this.queue.remove(scheduled);
			}
			return cancelled && !scheduled.started;
		};
	}

	@Override
	public void sleep(long nanos) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException();
		}
		synchronized (this) {
			this.sleeps.add(Duration.ofNanos(nanos));
		}
		if (nanos > 0) {
			advance(nanos);
		}
	}

	/**
	 * Moves time forward by {@code duration}, running every task that falls due on the
	 * way.
	 * @param duration how far
	 */
	public void advance(Duration duration) {
		advance(duration.toNanos());
	}

	/**
	 * Moves time forward by {@code nanos}, running every task that falls due on the way.
	 * @param nanos how far, in nanoseconds
	 */
	public void advance(long nanos) {
		long target = this.ticker.read() + nanos;
		while (true) {
			Task next;
			synchronized (this) {
				next = this.queue.peek();
				if (next == null || next.due - target > 0) {
					break;
				}
				this.queue.poll();
			}
			long now = this.ticker.read();
			if (next.due - now > 0) {
				this.ticker.advance(next.due - now);
			}
			next.run();
		}
		long now = this.ticker.read();
		if (target - now > 0) {
			this.ticker.advance(target - now);
		}
	}

	/**
	 * Runs the tasks that are due now without moving time.
	 */
	public void runDueTasks() {
		advance(0);
	}

	/**
	 * Returns how many tasks wait to run.
	 * @return the number of pending tasks
	 */
	public synchronized int pendingTasks() {
		return this.queue.size();
	}

	/**
	 * Returns the lengths of every {@link #sleep(long)} so far, in order.
	 * @return a copy of the recorded sleeps
	 */
	public synchronized List<Duration> sleeps() {
		return List.copyOf(this.sleeps);
	}

	private static final class Task {

		final Runnable runnable;

		final long due;

		final long sequence;

		final AtomicBoolean cancelled = new AtomicBoolean();

		volatile boolean started;

		Task(Runnable runnable, long due, long sequence) {
			this.runnable = runnable;
			this.due = due;
			this.sequence = sequence;
		}

		void run() {
			if (!this.cancelled.get()) {
				this.started = true;
				this.runnable.run();
			}
		}

	}

}
