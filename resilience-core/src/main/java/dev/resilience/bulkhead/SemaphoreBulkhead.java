package dev.resilience.bulkhead;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.core.BoundedKeyMap;
import dev.resilience.core.Checks;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: a non-fair java.util.concurrent.Semaphore holds the free places. Taking one
 * without waiting is Semaphore.tryAcquire(), a CAS loop on the AQS state that never
 * parks; a caller allowed to wait first tries that, then tryAcquire(timeout), which parks
 * in the AQS queue (no monitor is held, so virtual threads do not pin). Non-fair: a newcomer
 * may take a place before a waiter that was woken for it, which keeps the fast path free of
 * queue checks; waits are bounded by maxWaitDuration anyway.
 *
 * Reconfiguration (serialized by a lock, never on the call path) changes the number of
 * permits by the difference between the limits: raising releases the difference at once;
 * lowering removes it with Semaphore.reducePermits (hence the subclass), which may drive
 * the count below zero while more calls are in flight than the new limit allows. Calls in
 * flight finish normally; new calls are refused until enough of them have released, so in
 * flight never exceeds the larger of the two limits, and after quiescence the free places
 * equal the new limit.
 */
final class SemaphoreBulkhead implements Bulkhead {

	private final String name;

	private final Permits permits;

	private volatile BulkheadConfig config;

	private final Object reconfigureLock = new Object();

	// A key's bulkhead shares its instance's counters and events, so that metrics stay
	// per
	// instance and survive the key's bulkhead being forgotten.
	private final LongAdder permitted;

	private final LongAdder rejected;

	private final EventPublisher<BulkheadEvent> events;

	// The bulkheads of keys (forKey); null in a key's own bulkhead.
	private final @Nullable BoundedKeyMap<SemaphoreBulkhead> keys;

	SemaphoreBulkhead(String name, BulkheadConfig config) {
		this.name = Checks.notNull(name, "name");
		this.config = Checks.notNull(config, "config");
		this.permits = new Permits(config.maxConcurrentCalls());
		this.permitted = new LongAdder();
		this.rejected = new LongAdder();
		this.events = new EventPublisher<>();
		// Sweeps need no spacing here: a bulkhead is only kept while a call of its key is
		// in flight, so a full map means that many calls really are in flight.
		this.keys = new BoundedKeyMap<>(config.maxKeys(), (key) -> new SemaphoreBulkhead(this),
				SemaphoreBulkhead::isIdle, Ticker.system(), 0);
	}

	private SemaphoreBulkhead(SemaphoreBulkhead instance) {
		this.name = instance.name;
		this.config = instance.config;
		this.permits = new Permits(this.config.maxConcurrentCalls());
		this.permitted = instance.permitted;
		this.rejected = instance.rejected;
		this.events = instance.events;
		this.keys = null;
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

	/**
	 * Tells whether no call is in flight, so that the bulkhead is the same as a new one.
	 */
	private boolean isIdle() {
		return this.permits.availablePermits() >= this.config.maxConcurrentCalls();
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public BulkheadConfig config() {
		return this.config;
	}

	@Override
	public EventPublisher<BulkheadEvent> events() {
		return this.events;
	}

	@Override
	public void acquirePermission() {
		if (this.permits.tryAcquire()) {
			onPermitted();
			return;
		}
		long waitNanos = Checks.toNanos(this.config.maxWaitDuration());
		if (waitNanos > 0) {
			try {
				if (this.permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
					onPermitted();
					return;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		onRejected();
		throw new BulkheadFullException(this.name);
	}

	@Override
	public boolean tryAcquirePermission() {
		if (this.permits.tryAcquire()) {
			onPermitted();
			return true;
		}
		onRejected();
		return false;
	}

	@Override
	public void releasePermission() {
		this.permits.release();
		if (this.events.hasListeners()) {
			this.events.publish(new BulkheadEvent(this.name, BulkheadEvent.Type.FINISHED));
		}
	}

	/**
	 * Returns the figures. {@code availableConcurrentCalls} is below zero for a while
	 * after the limit was lowered below the number of calls in flight, so that
	 * {@link Metrics#activeCalls()} stays exact; during a reconfiguration the limit and
	 * the free places may be read on either side of it.
	 */
	@Override
	public Metrics metrics() {
		return new Metrics(this.config.maxConcurrentCalls(), this.permits.availablePermits(), this.permitted.sum(),
				this.rejected.sum(), (this.keys != null) ? this.keys.size() : 0);
	}

	/**
	 * Changes the limit and the wait with calls in flight: they finish normally, and new
	 * calls are admitted only while fewer than the new limit are in flight. A caller
	 * already waiting keeps the wait it started with.
	 */
	@Override
	public void reconfigure(BulkheadConfig config) {
		Checks.notNull(config, "config");
		synchronized (this.reconfigureLock) {
			int delta = config.maxConcurrentCalls() - this.config.maxConcurrentCalls();
			this.config = config;
			if (delta > 0) {
				this.permits.release(delta);
			}
			else if (delta < 0) {
				this.permits.reducePermits(-delta);
			}
		}
		if (this.keys != null) {
			this.keys.maxKeys(config.maxKeys());
			this.keys.forEach((bulkhead) -> bulkhead.reconfigure(config));
		}
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
		return "Bulkhead '" + this.name + "' " + this.config;
	}

	/**
	 * A non-fair semaphore that exposes {@link #reducePermits(int)}.
	 */
	private static final class Permits extends Semaphore {

		private static final long serialVersionUID = 1L;

		Permits(int permits) {
			super(permits, false);
		}

		@Override
		protected void reducePermits(int reduction) {
			super.reducePermits(reduction);
		}

	}

}
