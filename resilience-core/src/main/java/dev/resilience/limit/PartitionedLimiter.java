package dev.resilience.limit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.internal.SettingValidation;
import org.jspecify.annotations.Nullable;

/**
 * Admits requests into partitions that share one {@link AdaptiveLimit}: the requests in
 * flight, all partitions together, never exceed {@link AdaptiveLimit#limit()} at the
 * moment of admission. Each named partition has a share (a fraction of the limit); the
 * {@value #DEFAULT_PARTITION} partition gets what the named ones leave
 * ({@code 1 - sum(shares)}). A partition's reserved places are
 * {@code floor(share * limit())}, at least 1 when its share is above 0.
 * <p>
 * Admission of a request of partition {@code p}:
 * <ol>
 * <li>while the total in flight is below the limit, the request takes a place: capacity a
 * partition does not use is borrowed by the others, the limit is never left idle; except
 * that when requests of partitions below their share are waiting, a request of a
 * partition at or above its share yields to them (it is rejected);</li>
 * <li>once the limit is reached, a request of a partition at or above its reserved places
 * is rejected at once (partitions above their share are shed first); one of a partition
 * below its share waits, at most {@code maxWait}, in one FIFO queue; each place given
 * back goes to the first waiter, never to a newcomer while a waiter waits. A waiter whose
 * wait ends is rejected.</li>
 * </ol>
 * So a flood of {@code default} requests cannot starve a partition with a share: once the
 * flood fills the limit, every place it gives back goes to that partition's waiters while
 * the partition is below its share, and new {@code default} requests are rejected.
 * <p>
 * Partitions are indexes, resolved once per request by the caller: {@code 0} is
 * {@value #DEFAULT_PARTITION}, the named partitions follow in the order they were added
 * ({@link #partitionIndex(String)}). Every admitted request is given back exactly once
 * with {@link #release(int, long, boolean)}, which feeds the limit a sample (latency, in
 * flight, dropped) before it frees the place.
 * <p>
 * Waiting: {@link #acquire(int)} blocks the calling thread (it parks: no monitor is held,
 * virtual threads do not pin); {@link #acquireAsync(int)} never blocks and completes its
 * stage when the wait ends. The end of a wait is an alarm on the injected
 * {@link Scheduler}; latencies are read from the injected {@link Ticker}. Thread-safe.
 */
public final class PartitionedLimiter {

	// Design. The fast path (no waiter queued, room under the limit) is a CAS on the
	// total in flight (compared with limit() read at that moment, so the limit is never
	// exceeded at admission, even as it moves) and an increment of the partition's count:
	// no lock, no allocation. Everything about waiters happens under one ReentrantLock
	// (not synchronized: a waiting thread parks without holding it, and holders never
	// block): the FIFO queue, the count of queued waiters, and handing places to them.
	//
	// A place given back is first freed (the total decremented), then, if waiters are
	// queued, the releaser takes the lock and drains: while there is room, the first
	// waiter gets a place. A waiter enqueues (the count incremented under the lock) and
	// then drains too. As both sides write first and read the other's variable second
	// (volatile), at least one of them sees the other: a place is never left free with a
	// waiter asleep. A newcomer that sees waiters queued takes the lock and drains before
	// it decides, so it cannot overtake them; only a newcomer that read "no waiter"
	// before the first waiter enqueued may still CAS in (it is linearized before it).
	//
	// Each waiter ends exactly once: granted (by a drain) or expired (by its alarm,
	// cancellation or interruption), decided by one CAS on the waiter. A grant that loses
	// the CAS gives its place back within the same drain. The granted waiters are woken
	// (a thread unparked, a future completed) only after the lock is released: completing
	// a future runs its dependents in that thread, a whole reactive request perhaps,
	// which may release (and drain) at once. A future cancelled just before its grant is
	// seen cannot take the place: it is given back, to the next waiter.
	//
	// Counts: total is incremented before the partition's count and decremented after
	// it, so the partition counts never sum above the total.

	/** The name of the partition of the requests no named partition matches. */
	public static final String DEFAULT_PARTITION = "default";

	private final AdaptiveLimit limit;

	private final String[] names;

	private final double[] shares;

	private final long maxWaitNanos;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final AtomicInteger total = new AtomicInteger();

	private final AtomicIntegerArray inFlight;

	private final AtomicLongArray rejected;

	private final ReentrantLock lock = new ReentrantLock();

	// Guarded by lock.
	private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

	// Written under lock, read without it by the fast paths.
	private volatile int queued;

	private PartitionedLimiter(Builder builder) {
		this.limit = builder.limit;
		int count = builder.partitions.size() + 1;
		this.names = new String[count];
		this.shares = new double[count];
		this.names[0] = DEFAULT_PARTITION;
		double named = 0;
		int i = 1;
		for (Map.Entry<String, Double> partition : builder.partitions.entrySet()) {
			this.names[i] = partition.getKey();
			this.shares[i] = partition.getValue();
			named += partition.getValue();
			i++;
		}
		// Rounding of the sum must not give the default partition a negative share.
		this.shares[0] = Math.max(0, 1 - named);
		this.maxWaitNanos = SettingValidation.toNanos(builder.maxWait);
		this.ticker = builder.ticker;
		this.scheduler = builder.scheduler;
		this.inFlight = new AtomicIntegerArray(count);
		this.rejected = new AtomicLongArray(count);
	}

	/**
	 * Returns a builder of a limiter over {@code limit}.
	 * @param limit the shared limit
	 * @return a new builder, with no named partition, a {@code maxWait} of zero, the
	 * system ticker and scheduler
	 */
	public static Builder builder(AdaptiveLimit limit) {
		return new Builder(SettingValidation.notNull(limit, "limit"));
	}

	/**
	 * Returns the index of a partition.
	 * @param name the partition's name
	 * @return its index ({@code 0} for {@value #DEFAULT_PARTITION}), or {@code -1} if no
	 * partition has that name
	 */
	public int partitionIndex(String name) {
		for (int i = 0; i < this.names.length; i++) {
			if (this.names[i].equals(name)) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Returns the number of partitions, {@value #DEFAULT_PARTITION} included.
	 * @return at least 1
	 */
	public int partitionCount() {
		return this.names.length;
	}

	/**
	 * Returns a partition's name.
	 * @param partition the partition's index
	 * @return its name
	 */
	public String partitionName(int partition) {
		return this.names[partition];
	}

	/**
	 * Returns a partition's share of the limit.
	 * @param partition the partition's index
	 * @return the fraction, from 0 to 1
	 */
	public double share(int partition) {
		return this.shares[partition];
	}

	/**
	 * Returns the places reserved for a partition at the current limit:
	 * {@code floor(share * limit())}, at least 1 when the share is above 0.
	 * @param partition the partition's index
	 * @return the reserved places
	 */
	public int reserved(int partition) {
		return reserved(partition, this.limit.limit());
	}

	private int reserved(int partition, int limit) {
		double share = this.shares[partition];
		if (share <= 0) {
			return 0;
		}
		return Math.max(1, (int) (share * limit));
	}

	/**
	 * Returns the shared limit.
	 * @return the limit
	 */
	public AdaptiveLimit limit() {
		return this.limit;
	}

	/**
	 * Returns the requests in flight, all partitions together.
	 * @return the total in flight
	 */
	public int inFlight() {
		return this.total.get();
	}

	/**
	 * Returns a partition's requests in flight.
	 * @param partition the partition's index
	 * @return its requests in flight
	 */
	public int inFlight(int partition) {
		return this.inFlight.get(partition);
	}

	/**
	 * Returns a partition's rejected requests since the limiter was created.
	 * @param partition the partition's index
	 * @return its rejections
	 */
	public long rejected(int partition) {
		return this.rejected.get(partition);
	}

	/**
	 * Returns the rejected requests since the limiter was created, all partitions
	 * together.
	 * @return the rejections
	 */
	public long rejected() {
		long sum = 0;
		for (int i = 0; i < this.names.length; i++) {
			sum += this.rejected.get(i);
		}
		return sum;
	}

	/**
	 * Returns the requests waiting for a place.
	 * @return the waiters
	 */
	public int waiting() {
		return this.queued;
	}

	/**
	 * Returns the start of a request's latency sample, to give back to
	 * {@link #release(int, long, boolean)}.
	 * @return the ticker's current time, in nanoseconds
	 */
	public long sampleStart() {
		return this.ticker.read();
	}

	/**
	 * Admits a request without waiting (as if {@code maxWait} were zero).
	 * @param partition the request's partition
	 * @return whether it was admitted (then it must be released exactly once)
	 */
	public boolean tryAcquire(int partition) {
		if (this.queued == 0 && tryTake()) {
			this.inFlight.incrementAndGet(partition);
			return true;
		}
		return slowAcquire(partition, null, false) == ADMITTED;
	}

	/**
	 * Admits a request, blocking the calling thread up to {@code maxWait} when the
	 * request's partition is below its share and the limit is reached. An interrupted
	 * thread does not wait (and keeps its interrupt status).
	 * @param partition the request's partition
	 * @return whether it was admitted (then it must be released exactly once)
	 */
	public boolean acquire(int partition) {
		if (this.queued == 0 && tryTake()) {
			this.inFlight.incrementAndGet(partition);
			return true;
		}
		return slowAcquire(partition, null, !Thread.currentThread().isInterrupted()) == ADMITTED;
	}

	/**
	 * Admits a request without blocking: the stage completes with {@code true} when the
	 * request is admitted (then it must be released exactly once), with {@code false}
	 * when it is rejected, at once or when its wait ends. Cancelling the returned future
	 * ({@link CompletableFuture#cancel(boolean)}) ends a wait; a request admitted before
	 * the cancellation is still admitted.
	 * @param partition the request's partition
	 * @return the decision; already complete unless the request waits
	 */
	public CompletableFuture<Boolean> acquireAsync(int partition) {
		if (this.queued == 0 && tryTake()) {
			this.inFlight.incrementAndGet(partition);
			return admitted();
		}
		CompletableFuture<Boolean> decision = new CompletableFuture<>();
		int outcome = slowAcquire(partition, decision, true);
		if (outcome != QUEUED) {
			decision.complete(outcome == ADMITTED);
		}
		return decision;
	}

	private static CompletableFuture<Boolean> admitted() {
		// A new future each time, the one allocation of this fast path: a shared one
		// could be obtruded by a caller. tryAcquire and acquire allocate nothing.
		return CompletableFuture.completedFuture(Boolean.TRUE);
	}

	/**
	 * Gives back the place of an admitted request: feeds the limit a sample (the latency
	 * since {@code sampleStart}, the requests in flight including this one, and whether
	 * it failed), then hands the place to the first waiter or frees it.
	 * @param partition the request's partition, as admitted
	 * @param sampleStart what {@link #sampleStart()} returned when the request began
	 * @param failed whether the request failed (a drop, for the algorithms that use one)
	 */
	public void release(int partition, long sampleStart, boolean failed) {
		long rtt = Math.max(0, this.ticker.read() - sampleStart);
		this.limit.onSample(rtt, this.total.get(), failed);
		giveBack(partition);
	}

	// Frees a place, then hands free places to the waiters, if any.
	private void giveBack(int partition) {
		this.inFlight.decrementAndGet(partition);
		this.total.decrementAndGet();
		if (this.queued > 0) {
			Waiter granted;
			this.lock.lock();
			try {
				granted = drain();
			}
			finally {
				this.lock.unlock();
			}
			notifyGranted(granted);
		}
	}

	// Takes a place if the total is below the limit now.
	private boolean tryTake() {
		int limit = this.limit.limit();
		int current;
		do {
			current = this.total.get();
			if (current >= limit) {
				return false;
			}
		}
		while (!this.total.compareAndSet(current, current + 1));
		return true;
	}

	/**
	 * The slow path: under the lock, waiters first, then the rules of the class
	 * description. With {@code future}, a waiter completes it; without, the calling
	 * thread parks (if {@code mayWait}).
	 */
	private int slowAcquire(int partition, @Nullable CompletableFuture<Boolean> future, boolean mayWait) {
		Waiter waiter = null;
		Waiter granted = null;
		int outcome;
		this.lock.lock();
		try {
			granted = drain();
			int limit = this.limit.limit();
			boolean belowShare = this.inFlight.get(partition) < reserved(partition, limit);
			if (this.queued > 0 && !belowShare) {
				outcome = reject(partition);
			}
			else if (tryTake()) {
				this.inFlight.incrementAndGet(partition);
				outcome = ADMITTED;
			}
			else if (!belowShare || !mayWait || this.maxWaitNanos <= 0) {
				outcome = reject(partition);
			}
			else {
				waiter = (future != null) ? new AsyncWaiter(partition, future) : new ThreadWaiter(partition);
				this.queue.addLast(waiter);
				this.queued = this.queue.size();
				// A place freed between our tryTake and the enqueue: its releaser may
				// have
				// read queued == 0.
				granted = append(granted, drain());
				if (waiter.get() == WAITING) {
					waiter.alarm = this.scheduler.schedule(waiter, this.maxWaitNanos);
				}
				outcome = QUEUED;
			}
		}
		finally {
			this.lock.unlock();
		}
		// Outside the lock: a granted future runs its dependents (a whole reactive chain,
		// which may release at once) in this thread.
		notifyGranted(granted);
		if (waiter == null) {
			return outcome;
		}
		if (future != null) {
			// Cancelling the future ends the wait (the alarm would, later).
			Waiter queuedWaiter = waiter;
			future.whenComplete((result, failure) -> {
				if (failure != null) {
					queuedWaiter.expire();
				}
			});
			return QUEUED;
		}
		return ((ThreadWaiter) waiter).await() ? ADMITTED : REJECTED;
	}

	private int reject(int partition) {
		this.rejected.incrementAndGet(partition);
		return REJECTED;
	}

	/**
	 * Guarded by lock: hands free places to the first waiters, and returns those granted
	 * (linked through {@code nextGranted}), to notify once the lock is released.
	 */
	private @Nullable Waiter drain() {
		Waiter first = null;
		Waiter last = null;
		Iterator<Waiter> waiters = this.queue.iterator();
		while (waiters.hasNext()) {
			Waiter waiter = waiters.next();
			if (waiter.get() != WAITING) {
				waiters.remove();
				continue;
			}
			if (!tryTake()) {
				break;
			}
			waiters.remove();
			// Counted before the waiter may run and release it.
			this.inFlight.incrementAndGet(waiter.partition);
			if (waiter.compareAndSet(WAITING, GRANTED)) {
				if (last == null) {
					first = waiter;
				}
				else {
					last.nextGranted = waiter;
				}
				last = waiter;
			}
			else {
				// It expired meanwhile: the place goes to the next one, or back.
				this.inFlight.decrementAndGet(waiter.partition);
				this.total.decrementAndGet();
			}
		}
		this.queued = this.queue.size();
		return first;
	}

	private static @Nullable Waiter append(@Nullable Waiter chain, @Nullable Waiter more) {
		if (chain == null) {
			return more;
		}
		Waiter last = chain;
		while (last.nextGranted != null) {
			last = last.nextGranted;
		}
		last.nextGranted = more;
		return chain;
	}

	// Not under the lock: wakes the granted waiters; one that can no longer take its
	// place (a cancelled future) gives it back, to the next waiter.
	private void notifyGranted(@Nullable Waiter granted) {
		Waiter waiter = granted;
		while (waiter != null) {
			Waiter next = waiter.nextGranted;
			waiter.nextGranted = null;
			if (!waiter.granted()) {
				this.rejected.incrementAndGet(waiter.partition);
				giveBack(waiter.partition);
			}
			waiter = next;
		}
	}

	private void expired(Waiter waiter) {
		this.rejected.incrementAndGet(waiter.partition);
		this.lock.lock();
		try {
			if (this.queue.remove(waiter)) {
				this.queued = this.queue.size();
			}
			// A waiter leaving may let others in: a newcomer at its share no longer
			// yields, and nothing else is needed (places only move on release).
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String toString() {
		StringBuilder text = new StringBuilder("PartitionedLimiter[limit=").append(this.limit.limit())
			.append(", inFlight=")
			.append(inFlight())
			.append(", waiting=")
			.append(waiting());
		for (int i = 0; i < this.names.length; i++) {
			text.append(", ")
				.append(this.names[i])
				.append("={share=")
				.append(this.shares[i])
				.append(", inFlight=")
				.append(inFlight(i))
				.append(", rejected=")
				.append(rejected(i))
				.append('}');
		}
		return text.append(']').toString();
	}

	private static final int ADMITTED = 0;

	private static final int REJECTED = 1;

	private static final int QUEUED = 2;

	private static final int WAITING = 0;

	private static final int GRANTED = 1;

	private static final int EXPIRED = 2;

	/**
	 * A queued request; its state (this integer) moves once, from WAITING to GRANTED or
	 * EXPIRED. Run by the scheduler as its alarm.
	 */
	private abstract class Waiter extends AtomicInteger implements Runnable {

		final int partition;

		Scheduler.@Nullable Cancellable alarm;

		// The next of the waiters one drain granted; only touched by the thread that
		// drained them.
		@Nullable Waiter nextGranted;

		Waiter(int partition) {
			this.partition = partition;
		}

		/**
		 * Tells the waiter it was granted (its state is GRANTED already).
		 * @return false if it can no longer take the place
		 */
		boolean granted() {
			Scheduler.Cancellable alarm = this.alarm;
			if (alarm != null) {
				alarm.cancel();
			}
			return wake();
		}

		abstract boolean wake();

		boolean expire() {
			if (!compareAndSet(WAITING, EXPIRED)) {
				return false;
			}
			expired(this);
			return true;
		}

		@Override
		public void run() {
			if (expire()) {
				ended();
			}
		}

		abstract void ended();

	}

	private final class ThreadWaiter extends Waiter {

		private final Thread thread = Thread.currentThread();

		ThreadWaiter(int partition) {
			super(partition);
		}

		@Override
		boolean wake() {
			LockSupport.unpark(this.thread);
			return true;
		}

		@Override
		void ended() {
			LockSupport.unpark(this.thread);
		}

		boolean await() {
			while (get() == WAITING) {
				LockSupport.park(PartitionedLimiter.this);
				if (Thread.currentThread().isInterrupted() && expire()) {
					return false;
				}
			}
			return get() == GRANTED;
		}

	}

	private final class AsyncWaiter extends Waiter {

		private final CompletableFuture<Boolean> future;

		AsyncWaiter(int partition, CompletableFuture<Boolean> future) {
			super(partition);
			this.future = future;
		}

		@Override
		boolean wake() {
			// False if cancelled just before (its callback has not expired it yet): the
			// caller will not release the place.
			return this.future.complete(Boolean.TRUE);
		}

		@Override
		void ended() {
			this.future.complete(Boolean.FALSE);
		}

	}

	/**
	 * Builds a {@link PartitionedLimiter}. Not thread-safe.
	 */
	public static final class Builder {

		private final AdaptiveLimit limit;

		private final Map<String, Double> partitions = new LinkedHashMap<>();

		private Duration maxWait = Duration.ZERO;

		private Ticker ticker = Ticker.system();

		private Scheduler scheduler = Scheduler.system();

		private Builder(AdaptiveLimit limit) {
			this.limit = limit;
		}

		/**
		 * Adds a named partition; its index is its position among the added ones, from 1.
		 * @param name the name, not {@value PartitionedLimiter#DEFAULT_PARTITION} and not
		 * added before
		 * @param share its fraction of the limit, above 0 and at most 1; the shares sum
		 * to at most 1
		 * @return this builder
		 */
		public Builder partition(String name, double share) {
			SettingValidation.notNull(name, "name");
			if (name.equals(DEFAULT_PARTITION) || this.partitions.containsKey(name)) {
				throw new IllegalArgumentException("partition '" + name + "' is "
						+ (name.equals(DEFAULT_PARTITION) ? "reserved" : "already added"));
			}
			if (!(share > 0 && share <= 1)) {
				throw new IllegalArgumentException(
						"share of partition '" + name + "' must be above 0 and at most 1 but was " + share);
			}
			this.partitions.put(name, share);
			return this;
		}

		/**
		 * Sets how long a request of a partition below its share waits for a place once
		 * the limit is reached. Default zero: no wait.
		 * @param maxWait the longest wait, zero or more, at most one day
		 * @return this builder
		 */
		public Builder maxWait(Duration maxWait) {
			SettingValidation.notNull(maxWait, "maxWait");
			if (maxWait.isNegative() || maxWait.compareTo(Duration.ofDays(1)) > 0) {
				throw new IllegalArgumentException("maxWait must be from zero to one day but was " + maxWait);
			}
			this.maxWait = maxWait;
			return this;
		}

		/**
		 * Sets the source of the latency samples. Default {@link Ticker#system()}.
		 * @param ticker the ticker
		 * @return this builder
		 */
		public Builder ticker(Ticker ticker) {
			this.ticker = SettingValidation.notNull(ticker, "ticker");
			return this;
		}

		/**
		 * Sets where waits end. Default {@link Scheduler#system()}.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(Scheduler scheduler) {
			this.scheduler = SettingValidation.notNull(scheduler, "scheduler");
			return this;
		}

		/**
		 * Builds the limiter.
		 * @return the limiter
		 * @throws IllegalArgumentException if the shares sum above 1
		 */
		public PartitionedLimiter build() {
			double sum = 0;
			List<String> named = new ArrayList<>(this.partitions.keySet());
			for (double share : this.partitions.values()) {
				sum += share;
			}
			// A tolerance for decimal fractions such as 0.1 + 0.2 + 0.7.
			if (sum > 1 + 1e-9) {
				throw new IllegalArgumentException(
						"the shares of partitions " + named + " sum to " + sum + ", above 1");
			}
			return new PartitionedLimiter(this);
		}

	}

}
