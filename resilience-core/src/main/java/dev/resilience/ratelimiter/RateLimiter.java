package dev.resilience.ratelimiter;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * A rate limiter: a token bucket that holds up to {@code burstCapacity} permits and
 * refills continuously at {@code limitForPeriod} per {@code limitRefreshPeriod}, so there
 * is no double burst at window edges.
 * <p>
 * A caller may wait up to {@code timeoutDuration} for permits. Permits are reserved at
 * once; a caller that cannot be served within its timeout is rejected at once, without
 * waiting. The limit can be changed at run time ({@link #reconfigure}) without losing the
 * bucket's state.
 * <p>
 * The decision is one compare-and-set on one word; nothing is allocated. Thread-safe.
 */
public interface RateLimiter extends Policy<RateLimiterConfig> {

	/**
	 * The answer of {@link #reservePermission(int)} when the permits cannot be had in
	 * time.
	 */
	long REJECTED = -1L;

	/**
	 * Creates a rate limiter on the system clock.
	 * @param name the name
	 * @param config the configuration
	 * @return the rate limiter
	 */
	static RateLimiter of(String name, RateLimiterConfig config) {
		return of(name, config, Ticker.system(), Scheduler.system());
	}

	/**
	 * Creates a rate limiter.
	 * @param name the name
	 * @param config the configuration
	 * @param ticker the time source
	 * @param scheduler the scheduler synchronous callers wait on
	 * @return the rate limiter
	 */
	static RateLimiter of(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		return new DefaultRateLimiter(name, config, ticker, scheduler);
	}

	/**
	 * Takes permits, waiting (on the scheduler) up to {@code timeoutDuration} for them.
	 * @param permits how many, at least 1 and at most the burst capacity
	 * @throws RequestNotPermittedException if they cannot be had in time, or the thread
	 * is interrupted while waiting (its interrupt status is kept)
	 */
	void acquirePermission(int permits);

	/**
	 * Takes permits, waiting (on the scheduler) no longer than the shorter of
	 * {@code timeoutDuration} and {@code maxWaitNanos}: for a caller that must also be
	 * done before a request's deadline.
	 * <p>
	 * This default reserves and gives back; the in-memory limiter decides in one step, so
	 * that nothing is taken nor counted when the answer is {@code false}.
	 * @param permits how many, at least 1 and at most the burst capacity
	 * @param maxWaitNanos the longest the caller may wait, in nanoseconds
	 * @return {@code true} if taken; {@code false} if they would have been had within
	 * {@code timeoutDuration} but not within {@code maxWaitNanos} (then nothing is taken
	 * and no rejection is counted: the caller's bound, not the limit, refused)
	 * @throws RequestNotPermittedException as {@link #acquirePermission(int)}
	 */
	default boolean acquirePermission(int permits, long maxWaitNanos) {
		Reservation reservation = reserve(permits, maxWaitNanos);
		if (reservation == null) {
			return false;
		}
		if (!reservation.isGranted()) {
			throw new RequestNotPermittedException(name(), reservation.waitNanos());
		}
		if (reservation.waitNanos() > 0) {
			try {
				scheduler().sleep(reservation.waitNanos());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				reservation.cancel();
				throw new RequestNotPermittedException(name(), 0);
			}
		}
		return true;
	}

	/**
	 * Reserves permits that fall due within the shorter of {@code timeoutDuration} and
	 * {@code maxWaitNanos}, for an asynchronous caller that must also be done before a
	 * request's deadline; see {@link #reserve(int)}.
	 * <p>
	 * This default reserves and gives back; the in-memory limiter decides in one step.
	 * @param permits how many, at least 1 and at most the burst capacity
	 * @param maxWaitNanos the longest the caller may wait, in nanoseconds
	 * @return the reservation (granted or refused by the limit), or {@code null} if the
	 * permits would have been had within {@code timeoutDuration} but not within
	 * {@code maxWaitNanos} (nothing reserved)
	 */
	default @Nullable Reservation reserve(int permits, long maxWaitNanos) {
		Reservation reservation = reserve(permits);
		if (reservation.isGranted() && reservation.waitNanos() > Math.max(0, maxWaitNanos)) {
			reservation.cancel();
			return null;
		}
		return reservation;
	}

	/**
	 * Takes permits if they are available now; never waits.
	 * @param permits how many
	 * @return {@code true} if taken
	 */
	boolean tryAcquirePermission(int permits);

	/**
	 * Reserves permits for asynchronous callers: the answer is how long to wait before
	 * proceeding (zero: now), or {@link #REJECTED} if they cannot be had within
	 * {@code timeoutDuration} (nothing is reserved then).
	 * @param permits how many
	 * @return the wait in nanoseconds, or {@link #REJECTED}
	 */
	long reservePermission(int permits);

	/**
	 * Reserves permits for an asynchronous caller that may give up before they fall due:
	 * like {@link #reservePermission(int)}, but the answer can be
	 * {@linkplain Reservation#cancel() cancelled}. Granting at once allocates nothing.
	 * <p>
	 * This default cannot give permits back; the in-memory limiter can.
	 * @param permits how many, at least 1 and at most the burst capacity
	 * @return the reservation: granted (now or after a wait), or refused
	 */
	default Reservation reserve(int permits) {
		long wait = reservePermission(permits);
		return (wait == REJECTED) ? Reservation.refused(0) : Reservation.after(wait);
	}

	/**
	 * Returns the limiter of one key (a user, a tenant, an API key): a bucket of its own
	 * with this instance's configuration, counted in this instance's metrics and events,
	 * and reconfigured with it. A key's bucket is forgotten once it has refilled (a full
	 * bucket is the same as a new one), so memory is bounded by the keys that took
	 * permits recently, and at most {@code maxKeys} of them.
	 * @param key the key
	 * @return the key's limiter
	 * @throws RequestNotPermittedException if {@code maxKeys} keys already hold a bucket
	 * that has not refilled: a new key is refused rather than allowed to grow the heap
	 */
	RateLimiter forKey(Object key);

	/**
	 * Returns the scheduler on which callers wait for reserved permits.
	 * @return the scheduler
	 */
	Scheduler scheduler();

	/**
	 * Fills the bucket, forgets every key's bucket (the key's next call gets a full one)
	 * and zeroes the counters, as in a new instance with the current configuration.
	 * Callers already waiting for reserved permits keep their grant and their wait, and a
	 * reservation made before the reset gives nothing back after it. On a key's limiter,
	 * resets its instance. Thread-safe: a decision racing with the reset is taken either
	 * before it (and erased) or after it (on the full bucket), never on a mix of both; a
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
	EventPublisher<RateLimiterEvent> events();

	/**
	 * The answer of {@link #reserve(int)}: permits granted now, granted after a wait, or
	 * refused. Thread-safe.
	 */
	interface Reservation {

		/** Permits granted now: proceed at once. */
		Reservation NOW = new FixedReservation(true, 0);

		/**
		 * Returns a granted reservation that cannot be cancelled.
		 * @param waitNanos the wait before the permits fall due, zero or more
		 * @return the reservation ({@link #NOW} for no wait)
		 */
		static Reservation after(long waitNanos) {
			return (waitNanos <= 0) ? NOW : new FixedReservation(true, waitNanos);
		}

		/**
		 * Returns a refusal.
		 * @param retryAfterNanos how long until the permits could be had, {@code 0} if
		 * unknown
		 * @return the reservation
		 */
		static Reservation refused(long retryAfterNanos) {
			return new FixedReservation(false, Math.max(0, retryAfterNanos));
		}

		/**
		 * Tells whether the permits were granted.
		 * @return {@code true} if granted (now or after {@link #waitNanos()})
		 */
		boolean isGranted();

		/**
		 * Returns the wait before granted permits fall due; for a refusal, how long until
		 * they could be had ({@code 0} if unknown).
		 * @return nanoseconds
		 */
		long waitNanos();

		/**
		 * Gives granted permits back, for a caller that gives up before they fall due.
		 * They go back only if nobody reserved permits after them: giving back a slot
		 * that others wait behind would let the limiter grant more than its rate, so then
		 * they pass unused. Does nothing after the first call, for a refusal, or for an
		 * implementation that cannot give back.
		 * @return {@code true} if the permits went back
		 */
		default boolean cancel() {
			return false;
		}

	}

	/**
	 * A rate limiter's figures.
	 *
	 * @param availablePermissions permits available now (negative when reserved ahead)
	 * @param totalPermittedCalls calls permitted since creation or the last
	 * {@link #reset()}
	 * @param totalRejectedCalls calls rejected since creation or the last
	 * {@link #reset()}
	 * @param liveKeys keys that have a bucket of their own now ({@link #forKey(Object)})
	 * @param waitingThreads threads blocked now in {@link #acquirePermission(int)} until
	 * their permits fall due (the instance's and its keys'); a caller holding a
	 * {@link #reserve(int) reservation} waits on its own and is not counted
	 */
	record Metrics(long availablePermissions, long totalPermittedCalls, long totalRejectedCalls, long liveKeys,
			int waitingThreads) {

		/**
		 * Creates the figures of a limiter with no waiting thread.
		 * @param availablePermissions permits available now
		 * @param totalPermittedCalls calls permitted
		 * @param totalRejectedCalls calls rejected
		 * @param liveKeys keys with a bucket of their own
		 */
		public Metrics(long availablePermissions, long totalPermittedCalls, long totalRejectedCalls, long liveKeys) {
			this(availablePermissions, totalPermittedCalls, totalRejectedCalls, liveKeys, 0);
		}

	}

}
