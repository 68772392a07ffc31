package dev.resilience.bulkhead;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;

/**
 * A semaphore bulkhead: at most {@code maxConcurrentCalls} calls in flight; a caller may
 * wait up to {@code maxWaitDuration} for a place. The limit can be changed at run time
 * ({@link #reconfigure}) while calls are in flight.
 * <p>
 * <b>Protocol.</b> {@link #acquirePermission()} (or {@link #tryAcquirePermission()}),
 * then, after the call, {@link #releasePermission()} exactly once.
 * <p>
 * Taking and giving back a place is one compare-and-set each; nothing is allocated and no
 * {@code synchronized} block is held while waiting (virtual threads do not pin).
 * Thread-safe.
 */
public interface Bulkhead extends Policy<BulkheadConfig> {

	/**
	 * Creates a bulkhead.
	 * @param name the name
	 * @param config the configuration
	 * @return the bulkhead
	 */
	static Bulkhead of(String name, BulkheadConfig config) {
		return new SemaphoreBulkhead(name, config);
	}

	/**
	 * Takes a place, waiting up to {@code maxWaitDuration}.
	 * @throws BulkheadFullException if none is free in time, or the thread is interrupted
	 * while waiting (its interrupt status is kept)
	 */
	void acquirePermission();

	/**
	 * Takes a place if one is free now; never waits.
	 * @return {@code true} if taken
	 */
	boolean tryAcquirePermission();

	/**
	 * Gives a place back; call exactly once per place taken.
	 */
	void releasePermission();

	/**
	 * Returns a snapshot of the figures.
	 * @return the metrics
	 */
	Metrics metrics();

	@Override
	EventPublisher<BulkheadEvent> events();

	/**
	 * A bulkhead's figures.
	 *
	 * @param maxConcurrentCalls the limit
	 * @param availableConcurrentCalls places free now
	 * @param totalPermittedCalls calls permitted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 */
	record Metrics(int maxConcurrentCalls, int availableConcurrentCalls, long totalPermittedCalls,
			long totalRejectedCalls) {

		/**
		 * Returns the number of calls in flight.
		 * @return the active calls
		 */
		public int activeCalls() {
			return this.maxConcurrentCalls - this.availableConcurrentCalls;
		}

	}

}
