package dev.resilience.bulkhead;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;

/**
 * A semaphore bulkhead: at most {@code maxConcurrentCalls} calls in flight; a caller may
 * wait up to {@code maxWaitDuration} for a place. The limit can be changed at run time
 * ({@link #reconfigure}) while calls are in flight.
 * <p>
 * <b>Protocol.</b> {@link #acquirePermission()} (or {@link #tryAcquirePermission()}),
 * then {@code long start = }{@link #sampleStart()}, the call, and
 * {@link #releasePermission(long, boolean) releasePermission(start, failed)} exactly once
 * (or {@link #releasePermission()}, which records no sample).
 * <p>
 * With an adaptive {@code limitAlgorithm} the limit moves with the calls' samples: their
 * latency (the ticker read twice per call, in {@code sampleStart} and the release) and
 * whether they failed. A fixed bulkhead reads no clock.
 * <p>
 * Taking and giving back a place is one compare-and-set each; nothing is allocated (an
 * adaptive limit allocates only when its integer value changes) and no
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
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a bulkhead.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler that ends the waits of callers waiting for a place
	 * @return the bulkhead
	 */
	static Bulkhead of(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler) {
		return new SemaphoreBulkhead(name, config, ticker, scheduler);
	}

	/**
	 * Takes a place, waiting up to {@code maxWaitDuration}.
	 * @throws BulkheadFullException if none is free in time, or the thread is interrupted
	 * while waiting (its interrupt status is kept)
	 */
	void acquirePermission();

	/**
	 * Takes a place, waiting no longer than the shorter of {@code maxWaitDuration} and
	 * {@code maxWaitNanos}: for a caller that must also be done before a request's
	 * deadline.
	 * @param maxWaitNanos the longest the caller may wait, in nanoseconds
	 * @return {@code true} if taken; {@code false} if none was free within
	 * {@code maxWaitNanos} while {@code maxWaitDuration} would have waited longer (then
	 * no rejection is counted: the caller's bound, not the bulkhead, gave up)
	 * @throws BulkheadFullException if none is free within {@code maxWaitDuration} (the
	 * shorter one), or the thread is interrupted while waiting
	 */
	boolean acquirePermission(long maxWaitNanos);

	/**
	 * Takes a place if one is free now; never waits.
	 * @return {@code true} if taken
	 */
	boolean tryAcquirePermission();

	/**
	 * Gives a place back; call exactly once per place taken. With an adaptive limit this
	 * records no sample: prefer {@link #releasePermission(long, boolean)}.
	 * @throws IllegalStateException if no place is taken
	 */
	void releasePermission();

	/**
	 * Returns the start of a call's latency sample, to pass to
	 * {@link #releasePermission(long, boolean)}: the ticker's time for an adaptive limit,
	 * {@code 0} for a fixed one (which reads no clock).
	 * @return the start, in the ticker's nanoseconds, or {@code 0}
	 */
	default long sampleStart() {
		return 0;
	}

	/**
	 * Gives a place back, once per place taken, and for an adaptive limit records the
	 * call's sample: its latency since {@code sampleStart} and whether it failed (an
	 * exception, a timeout, a cancel), which may move the limit. A fixed bulkhead only
	 * gives the place back.
	 * @param sampleStart what {@link #sampleStart()} returned before the call
	 * @param failed whether the call failed
	 * @throws IllegalStateException if no place is taken
	 */
	default void releasePermission(long sampleStart, boolean failed) {
		releasePermission();
	}

	/**
	 * Returns the bulkhead of one key (a tenant, a user): places of its own with this
	 * instance's configuration, counted in this instance's metrics and events, and
	 * reconfigured with it. A key's bulkhead is forgotten once none of its calls is in
	 * flight, so memory is bounded by the keys with calls in flight, and at most
	 * {@code maxKeys} of them.
	 * @param key the key
	 * @return the key's bulkhead, on which to acquire and release
	 * @throws BulkheadFullException if {@code maxKeys} keys already have calls in flight
	 */
	Bulkhead forKey(Object key);

	/**
	 * Zeroes the permitted and rejected counters and forgets the bulkheads of keys that
	 * have no call in flight (as a new instance has none). Calls in flight are never
	 * forgotten: each keeps its place, in the instance or in its key's bulkhead, until it
	 * releases it (exactly once, as always), so a reset racing with calls never lets more
	 * than {@code maxConcurrentCalls} in flight nor frees a place twice. Waiting callers
	 * keep waiting, with their deadlines. On a key's bulkhead, resets its instance.
	 * Thread-safe; a call counted while the reset runs may or may not survive it.
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
	 * A bulkhead's figures.
	 *
	 * @param maxConcurrentCalls the limit now: {@code maxConcurrentCalls} for a fixed
	 * limit, the adaptive limit's current value otherwise
	 * @param availableConcurrentCalls places free now
	 * @param totalPermittedCalls calls permitted since creation or the last
	 * {@link #reset()}
	 * @param totalRejectedCalls calls rejected since creation or the last
	 * {@link #reset()}
	 * @param liveKeys keys that have a bulkhead of their own now
	 * ({@link #forKey(Object)})
	 */
	record Metrics(int maxConcurrentCalls, int availableConcurrentCalls, long totalPermittedCalls,
			long totalRejectedCalls, long liveKeys) {

		/**
		 * Returns the number of calls in flight.
		 * @return the active calls
		 */
		public int activeCalls() {
			return this.maxConcurrentCalls - this.availableConcurrentCalls;
		}

	}

}
