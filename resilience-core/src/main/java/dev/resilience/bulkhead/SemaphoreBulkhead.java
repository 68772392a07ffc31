package dev.resilience.bulkhead;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import dev.resilience.core.BoundedKeyMap;
import dev.resilience.core.Checks;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: the calls in flight are one AtomicInteger; the limit is read from the volatile
 * config (a key's bulkhead reads its instance's, so a key always runs with the current
 * limit and reconfiguration copies nothing). Taking a place is a CAS from n to n + 1 while
 * n is below the limit; giving it back is a CAS from n to n - 1. Neither parks, locks or
 * allocates.
 *
 * Lowering the limit below the calls in flight leaves them running: new calls are refused
 * until enough have finished, so in flight never exceeds the larger of the two limits, and
 * the free places (limit - in flight, below zero meanwhile) are exact at every instant.
 *
 * Waiting (maxWaitDuration > 0) is off the fast path: a caller that finds no place joins a
 * queue of waiters, schedules an alarm at its deadline on the Scheduler, and parks until a
 * place is given back, the alarm fires, or it is interrupted; then it tries again. The
 * deadline is the alarm alone, so waits follow the injected time (tests advance a fake
 * clock) and never read a clock on the fast path. A caller that gives a place back unparks
 * the first waiter. A woken waiter may lose the place to a newcomer (non-fair, like a
 * non-fair semaphore: the fast path needs no queue check) and parks again; a waiter that
 * leaves (timed out, interrupted, or served while places remain) wakes the next one, so a
 * free place is never left with a waiter asleep. A waiter enqueues before it tries and a
 * releaser decrements before it looks at the queue, so a release between the two is never
 * missed. No monitor is held while waiting: virtual threads do not pin.
 *
 * Keys: forKey() returns the bulkhead of one key from a BoundedKeyMap. A key's bulkhead
 * retires itself when nothing is in flight (CAS from 0 to RETIRED, which no acquire can
 * pass); a retired bulkhead grants nothing: its operations go to the key's live bulkhead.
 * A release on a retired one goes there too, rightly: the bulkhead that granted the place
 * has a call in flight, so it is not retired and is the key's live one. While the key map
 * is under pressure, a key's bulkhead whose last call ends retires itself at once.
 */
final class SemaphoreBulkhead implements Bulkhead, BoundedKeyMap.State {

	private static final int RETIRED = Integer.MIN_VALUE;

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final AtomicInteger inFlight = new AtomicInteger();

	private volatile @Nullable ConcurrentLinkedQueue<Waiter> waiters;

	// The instance's; a key's bulkhead reads its instance's instead.
	private volatile BulkheadConfig config;

	// A key's bulkhead shares its instance's counters and events, so that metrics stay
	// per
	// instance and survive the key's bulkhead being forgotten.
	private final LongAdder permitted;

	private final LongAdder rejected;

	private final EventPublisher<BulkheadEvent> events;

	// The bulkheads of keys (forKey); null in a key's own bulkhead.
	private final @Nullable BoundedKeyMap<SemaphoreBulkhead> keys;

	// For a key's own bulkhead: its instance and its key; null in an instance.
	private final @Nullable SemaphoreBulkhead instance;

	private final @Nullable Object key;

	SemaphoreBulkhead(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = Checks.notNull(name, "name");
		this.config = Checks.notNull(config, "config");
		this.ticker = Checks.notNull(ticker, "ticker");
		this.scheduler = Checks.notNull(scheduler, "scheduler");
		this.permitted = new LongAdder();
		this.rejected = new LongAdder();
		this.events = new EventPublisher<>();
		this.keys = new BoundedKeyMap<>(config.maxKeys(), (key) -> new SemaphoreBulkhead(this, key), ticker);
		this.instance = null;
		this.key = null;
	}

	private SemaphoreBulkhead(SemaphoreBulkhead instance, Object key) {
		this.name = instance.name;
		this.ticker = instance.ticker;
		this.scheduler = instance.scheduler;
		this.config = instance.config;
		this.permitted = instance.permitted;
		this.rejected = instance.rejected;
		this.events = instance.events;
		this.keys = null;
		this.instance = instance;
		this.key = key;
	}

	@Override
	public Bulkhead forKey(Object key) {
		Checks.notNull(key, "key");
		if (this.keys == null) {
			throw new UnsupportedOperationException("The bulkhead of a key has no keys of its own");
		}
		SemaphoreBulkhead bulkhead = this.keys.get(key);
		if (bulkhead == null) {
			onRejected();
			throw new BulkheadFullException(this.name);
		}
		return bulkhead;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public BulkheadConfig config() {
		return (this.instance != null) ? this.instance.config : this.config;
	}

	private int limit() {
		return config().maxConcurrentCalls();
	}

	@Override
	public EventPublisher<BulkheadEvent> events() {
		return this.events;
	}

	@Override
	public void acquirePermission() {
		SemaphoreBulkhead target = this;
		int taken = target.take();
		while (taken == RETIRED) {
			target = target.live();
			taken = (target != null) ? target.take() : 0;
		}
		if (taken > 0) {
			onPermitted();
			return;
		}
		long waitNanos = Checks.toNanos(config().maxWaitDuration());
		if (target != null && waitNanos > 0 && !Thread.currentThread().isInterrupted()
				&& target.await(new Waiter(Thread.currentThread()), waitNanos)) {
			onPermitted();
			return;
		}
		onRejected();
		throw new BulkheadFullException(this.name);
	}

	@Override
	public boolean tryAcquirePermission() {
		SemaphoreBulkhead target = this;
		int taken = target.take();
		while (taken == RETIRED) {
			target = target.live();
			taken = (target != null) ? target.take() : 0;
		}
		if (taken > 0) {
			onPermitted();
			return true;
		}
		onRejected();
		return false;
	}

	/**
	 * Takes a place if one is free.
	 * @return 1 if taken, 0 if none is free, {@link #RETIRED} if this bulkhead was
	 * forgotten
	 */
	private int take() {
		int limit = limit();
		while (true) {
			int current = this.inFlight.get();
			if (current == RETIRED) {
				return RETIRED;
			}
			if (current >= limit) {
				return 0;
			}
			if (this.inFlight.compareAndSet(current, current + 1)) {
				return 1;
			}
		}
	}

	/**
	 * Waits for a place until it is given one, the alarm fires, or the thread is
	 * interrupted (its status kept); follows the key to its live bulkhead if this one is
	 * forgotten meanwhile.
	 * @return {@code true} if a place was taken
	 */
	private boolean await(Waiter waiter, long waitNanos) {
		Scheduler.Cancellable alarm = this.scheduler.schedule(waiter, waitNanos);
		SemaphoreBulkhead target = this;
		try {
			while (target != null) {
				ConcurrentLinkedQueue<Waiter> queue = target.waiters();
				queue.add(waiter);
				int taken;
				try {
					while ((taken = target.take()) == 0 && !waiter.expired && !Thread.currentThread().isInterrupted()) {
						LockSupport.park(target);
					}
				}
				finally {
					queue.remove(waiter);
				}
				if (taken == RETIRED) {
					target = target.live();
					continue;
				}
				// Whether served or leaving, pass a wake-up on while places are free.
				target.wakeWaiterIfFree();
				return taken > 0;
			}
			return false;
		}
		finally {
			alarm.cancel();
		}
	}

	private ConcurrentLinkedQueue<Waiter> waiters() {
		ConcurrentLinkedQueue<Waiter> queue = this.waiters;
		if (queue == null) {
			synchronized (this) {
				queue = this.waiters;
				if (queue == null) {
					queue = new ConcurrentLinkedQueue<>();
					this.waiters = queue;
				}
			}
		}
		return queue;
	}

	private void wakeWaiterIfFree() {
		ConcurrentLinkedQueue<Waiter> queue = this.waiters;
		if (queue != null && this.inFlight.get() < limit()) {
			Waiter first = queue.peek();
			if (first != null) {
				LockSupport.unpark(first.thread);
			}
		}
	}

	private void wakeAllWaiters() {
		ConcurrentLinkedQueue<Waiter> queue = this.waiters;
		if (queue != null) {
			for (Waiter waiter : queue) {
				LockSupport.unpark(waiter.thread);
			}
		}
	}

	@Override
	public void releasePermission() {
		SemaphoreBulkhead target = this;
		int after;
		while (true) {
			int current = target.inFlight.get();
			if (current == RETIRED) {
				// The bulkhead that granted the place is the key's live one.
				target = target.live();
				if (target == null) {
					throw new IllegalStateException("Bulkhead '" + this.name + "': no place to release");
				}
				continue;
			}
			if (current <= 0) {
				throw new IllegalStateException(
						"Bulkhead '" + this.name + "': releasePermission() without a place taken");
			}
			after = current - 1;
			if (target.inFlight.compareAndSet(current, after)) {
				break;
			}
		}
		ConcurrentLinkedQueue<Waiter> queue = target.waiters;
		if (queue != null) {
			Waiter first = queue.peek();
			if (first != null) {
				LockSupport.unpark(first.thread);
			}
		}
		if (after == 0 && target.instance != null) {
			target.instance.keys.forgetIfPressed(target.key, target);
		}
		if (this.events.hasListeners()) {
			this.events.publish(new BulkheadEvent(this.name, BulkheadEvent.Type.FINISHED));
		}
	}

	/**
	 * Retires this key's bulkhead if no call is in flight (the same as a new one), for
	 * the key map.
	 */
	@Override
	public long retire(long now) {
		while (true) {
			int current = this.inFlight.get();
			if (current == RETIRED) {
				return 0;
			}
			if (current != 0) {
				// Only a release can make it forgettable.
				return Long.MAX_VALUE;
			}
			if (this.inFlight.compareAndSet(0, RETIRED)) {
				// A waiter parked here follows the key to its live bulkhead.
				wakeAllWaiters();
				return 0;
			}
		}
	}

	@Override
	public boolean isRetired() {
		return this.inFlight.get() == RETIRED;
	}

	/**
	 * Returns the live bulkhead of this retired key's bulkhead, or {@code null} if the
	 * key map is full.
	 */
	private @Nullable SemaphoreBulkhead live() {
		return this.instance.keys.get(this.key);
	}

	/**
	 * Returns the figures. {@code availableConcurrentCalls} is below zero for a while
	 * after the limit was lowered below the number of calls in flight, so that
	 * {@link Metrics#activeCalls()} stays exact. For an instance with keys,
	 * {@code liveKeys} first forgets the bulkheads of keys with no call in flight (a
	 * sweep, linear in the number of keys).
	 */
	@Override
	public Metrics metrics() {
		long live = (this.keys != null) ? this.keys.liveKeys() : 0;
		int current = this.inFlight.get();
		int limit = limit();
		return new Metrics(limit, limit - ((current == RETIRED) ? 0 : current), this.permitted.sum(),
				this.rejected.sum(), live);
	}

	/**
	 * Changes the limit and the wait with calls in flight: they finish normally, and new
	 * calls are admitted only while fewer than the new limit are in flight. A caller
	 * already waiting keeps the deadline it started with. For a key's bulkhead, changes
	 * its instance (keys run with their instance's configuration).
	 */
	@Override
	public void reconfigure(BulkheadConfig config) {
		Checks.notNull(config, "config");
		if (this.instance != null) {
			this.instance.reconfigure(config);
			return;
		}
		this.config = config;
		// A raised limit has places for waiters.
		wakeAllWaiters();
		this.keys.maxKeys(config.maxKeys());
		this.keys.forEach(SemaphoreBulkhead::wakeAllWaiters);
	}

	private void onPermitted() {
		this.permitted.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new BulkheadEvent(this.name, BulkheadEvent.Type.PERMITTED));
		}
	}

	private void onRejected() {
		this.rejected.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new BulkheadEvent(this.name, BulkheadEvent.Type.REJECTED));
		}
	}

	@Override
	public String toString() {
		return "Bulkhead '" + this.name + "' " + config();
	}

	/**
	 * A caller waiting for a place, and the alarm that ends its wait.
	 */
	private static final class Waiter implements Runnable {

		final Thread thread;

		volatile boolean expired;

		Waiter(Thread thread) {
			this.thread = thread;
		}

		@Override
		public void run() {
			this.expired = true;
			LockSupport.unpark(this.thread);
		}

	}

}
