package dev.resilience.bulkhead;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import dev.resilience.internal.BoundedKeyMap;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.limit.AdaptiveLimit;
import dev.resilience.limit.LimitConfig;
import org.jspecify.annotations.Nullable;

/*
 * Design: one AtomicLong per bulkhead holds the calls in flight (low 32 bits) and the
 * version of the limit they were counted under (bits 32 to 62); the limit itself is a
 * volatile (version, config) pair on the instance, which a key's bulkhead reads too, so a
 * key always runs with its instance's current limit and reconfiguration copies nothing.
 * Taking a place is a CAS from n to n + 1 while n is below the limit of the word's
 * version; giving it back is a CAS from n to n - 1. Neither parks, locks or allocates.
 *
 * The version makes a decision and a reconfiguration linearizable: reconfigure() publishes
 * a new (version, config) and then moves the word to the new version, and any operation
 * that finds the word on an older version than the limit it read moves it first. So a
 * take that read the old limit can only succeed before anyone has acted on the new one:
 * its CAS fails once the word moved. (The limit read after the word is never older than
 * the word's version: whoever moved the word read that limit before.)
 *
 * A version only moves forward: current() never moves a word to an older version than
 * the one it is on (versions wrap at 31 bits; "older" is within half the range), and
 * every spin that moves a word re-reads the limit, so a word never goes back to a limit
 * that a newer one replaced meanwhile.
 *
 * Adaptive limits: the instance's Limit also holds its AdaptiveLimit, and its
 * maxConcurrentCalls is that limit's value when the Limit was published. A release with a
 * sample (releasePermission(start, failed)) gives the place back first, then feeds the
 * sample to the AdaptiveLimit; if its integer value now differs from the published one,
 * the releaser republishes: a CAS of the limit field from the Limit it read to a new one
 * (version + 1, the value re-read from the AdaptiveLimit), retried until the published
 * value equals the AdaptiveLimit's, so republishers that read the value out of order
 * converge on the latest one; then it moves the word forward as reconfigure() does. No
 * lock: reconfigure() also publishes by CAS, so the two never lose each other's Limit.
 * A new Limit is allocated only when the integer limit changes; a sample that leaves it
 * unchanged allocates nothing, and a fixed bulkhead never reads the clock. A key's
 * bulkhead shares its instance's AdaptiveLimit (keys run with their instance's limit, as
 * with reconfigure): its samples move the instance's limit, its in-flight count is the
 * key's own. LIMIT_CHANGED is published (only with listeners) when a republished limit
 * is more than 10 % away from the limit of the last such event, tracked in an
 * AtomicInteger so that racing republishers report a change once.
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
 * retires itself when nothing is in flight (CAS from 0 in flight to RETIRED, the sign bit,
 * which no acquire can pass); a retired bulkhead grants nothing: its operations go to the
 * key's live bulkhead.
 * A release on a retired one goes there too, rightly: the bulkhead that granted the place
 * has a call in flight, so it is not retired and is the key's live one. While the key map
 * is under pressure, a key's bulkhead whose last call ends retires itself at once.
 *
 * Rejections throw the instance's one BulkheadFullException (a key's too), made on the
 * first rejection and kept in a volatile field: it holds nothing of a call (no stack
 * trace, no suppression, its cause fixed at null), so any number of threads can throw it
 * at once and a rejection allocates nothing.
 *
 * Reset zeroes the counters and sweeps the keys: it never writes a state word, so the
 * calls in flight and their places are exactly what they were, and every release still
 * finds the bulkhead that granted its place.
 */
final class SemaphoreBulkhead implements Bulkhead, BoundedKeyMap.State {

	// take()'s answer, and the state word, of a forgotten key's bulkhead.
	private static final int RETIRED = Integer.MIN_VALUE;

	private static final long RETIRED_STATE = Long.MIN_VALUE;

	private static final long IN_FLIGHT = 0xFFFF_FFFFL;

	private static final int VERSION_MASK = 0x7FFF_FFFF;

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	// Calls in flight and the limit's version, or RETIRED_STATE (see the design notes).
	private final AtomicLong state;

	private volatile @Nullable ConcurrentLinkedQueue<Waiter> waiters;

	// The instance's; a key's bulkhead reads its instance's instead. Written by CAS
	// (LIMIT).
	private volatile Limit limit;

	private static final VarHandle LIMIT;

	static {
		try {
			LIMIT = MethodHandles.lookup().findVarHandle(SemaphoreBulkhead.class, "limit", Limit.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	// The limit of the last LIMIT_CHANGED event (the initial limit to start); the
	// instance's, shared by its keys.
	private final AtomicInteger lastReportedLimit;

	// Creates an instance's AdaptiveLimit (AdaptiveLimit::of; a test may move its own).
	private final Function<LimitConfig, AdaptiveLimit> limits;

	private final Object reconfigureLock = new Object();

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

	// The instance's exception for every rejection (see the design notes); on the
	// instance only. Volatile for its publication: Throwable's fields are not final.
	private volatile @Nullable BulkheadFullException rejection;

	SemaphoreBulkhead(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler) {
		this(name, config, ticker, scheduler, AdaptiveLimit::of);
	}

	/**
	 * For tests: {@code limits} creates the adaptive limit of an adaptive configuration.
	 */
	SemaphoreBulkhead(String name, BulkheadConfig config, Ticker ticker, Scheduler scheduler,
			Function<LimitConfig, AdaptiveLimit> limits) {
		this.name = SettingValidation.notNull(name, "name");
		this.limits = SettingValidation.notNull(limits, "limits");
		SettingValidation.notNull(config, "config");
		this.limit = Limit.of(0, config, config.isAdaptive() ? limits.apply(config.limit()) : null);
		this.lastReportedLimit = new AtomicInteger(this.limit.maxConcurrentCalls);
		this.state = new AtomicLong();
		this.ticker = SettingValidation.notNull(ticker, "ticker");
		this.scheduler = SettingValidation.notNull(scheduler, "scheduler");
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
		this.limits = instance.limits;
		this.lastReportedLimit = instance.lastReportedLimit;
		this.limit = instance.limit;
		this.state = new AtomicLong(versioned(0, this.limit.version));
		this.permitted = instance.permitted;
		this.rejected = instance.rejected;
		this.events = instance.events;
		this.keys = null;
		this.instance = instance;
		this.key = key;
	}

	@Override
	public Bulkhead forKey(Object key) {
		SettingValidation.notNull(key, "key");
		if (this.keys == null) {
			throw new UnsupportedOperationException("The bulkhead of a key has no keys of its own");
		}
		SemaphoreBulkhead bulkhead = this.keys.get(key);
		if (bulkhead == null) {
			onRejected();
			throw rejection();
		}
		return bulkhead;
	}

	/**
	 * Returns the instance's one exception for its rejections (and its keys'), made on
	 * the first one (see the design notes).
	 */
	private BulkheadFullException rejection() {
		SemaphoreBulkhead owner = (this.instance != null) ? this.instance : this;
		BulkheadFullException rejection = owner.rejection;
		if (rejection == null) {
			// A race makes two, equal; one of them stays.
			rejection = new BulkheadFullException(this.name);
			owner.rejection = rejection;
		}
		return rejection;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public BulkheadConfig config() {
		return limit().config;
	}

	private Limit limit() {
		return (this.instance != null) ? this.instance.limit : this.limit;
	}

	private static int inFlight(long state) {
		return (int) (state & IN_FLIGHT);
	}

	private static int version(long state) {
		return (int) (state >>> 32) & VERSION_MASK;
	}

	private static long versioned(long state, int version) {
		return (state & IN_FLIGHT) | ((long) version << 32);
	}

	/**
	 * Moves the state word to the limit's version if it is on an older one; never to an
	 * older one (the caller then re-reads the limit).
	 * @return {@code true} if the word was on the limit's version already
	 */
	private boolean current(long state, Limit limit) {
		int version = version(state);
		if (version == limit.version) {
			return true;
		}
		if (newer(limit.version, version)) {
			this.state.compareAndSet(state, versioned(state, limit.version));
		}
		return false;
	}

	// Whether version a is after b, versions wrapping at 31 bits.
	private static boolean newer(int a, int b) {
		int ahead = (a - b) & VERSION_MASK;
		return ahead != 0 && ahead < (1 << 30);
	}

	/**
	 * Moves this bulkhead's word to the latest limit's version, re-reading the limit
	 * (read after the word, so never older than it) until the word is on it.
	 */
	private void advance() {
		while (true) {
			long current = this.state.get();
			if (current == RETIRED_STATE || current(current, limit())) {
				return;
			}
			Thread.onSpinWait();
		}
	}

	@Override
	public EventPublisher<BulkheadEvent> events() {
		return this.events;
	}

	@Override
	public void acquirePermission() {
		if (takeFollowingTheKey()) {
			onPermitted();
			return;
		}
		long waitNanos = SettingValidation.toNanos(config().maxWaitDuration());
		if (waitNanos > 0 && !Thread.currentThread().isInterrupted()
				&& await(new Waiter(Thread.currentThread()), waitNanos)) {
			onPermitted();
			return;
		}
		onRejected();
		throw rejection();
	}

	@Override
	public boolean acquirePermission(long maxWaitNanos) {
		if (takeFollowingTheKey()) {
			onPermitted();
			return true;
		}
		long configured = SettingValidation.toNanos(config().maxWaitDuration());
		long waitNanos = Math.max(0, Math.min(configured, maxWaitNanos));
		if (waitNanos > 0 && !Thread.currentThread().isInterrupted()
				&& await(new Waiter(Thread.currentThread()), waitNanos)) {
			onPermitted();
			return true;
		}
		if (waitNanos < configured && !Thread.currentThread().isInterrupted()) {
			return false;
		}
		onRejected();
		throw rejection();
	}

	@Override
	public boolean tryAcquirePermission() {
		if (takeFollowingTheKey()) {
			onPermitted();
			return true;
		}
		onRejected();
		return false;
	}

	/**
	 * Takes a place here, or in the key's live bulkhead if this one was forgotten.
	 * @return {@code true} if taken
	 */
	private boolean takeFollowingTheKey() {
		SemaphoreBulkhead target = this;
		int taken;
		while ((taken = target.take()) == RETIRED) {
			target = target.live();
			if (target == null) {
				// The key map is full: the key has no live bulkhead now.
				return false;
			}
		}
		return taken > 0;
	}

	/**
	 * Takes a place if one is free.
	 * @return 1 if taken, 0 if none is free, {@link #RETIRED} if this bulkhead was
	 * forgotten
	 */
	private int take() {
		while (true) {
			long current = this.state.get();
			if (current == RETIRED_STATE) {
				return RETIRED;
			}
			Limit limit = limit();
			if (!current(current, limit)) {
				continue;
			}
			if (inFlight(current) >= limit.maxConcurrentCalls) {
				return 0;
			}
			if (this.state.compareAndSet(current, current + 1)) {
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
		long current = this.state.get();
		if (queue != null && current != RETIRED_STATE && inFlight(current) < limit().maxConcurrentCalls) {
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
		release();
	}

	@Override
	public long sampleStart() {
		// A fixed bulkhead reads no clock.
		return (limit().adaptive != null) ? this.ticker.read() : 0;
	}

	@Override
	public void releasePermission(long sampleStart, boolean failed) {
		AdaptiveLimit adaptive = limit().adaptive;
		int inFlight = release();
		if (adaptive != null) {
			adaptive.onSample(this.ticker.read() - sampleStart, inFlight, failed);
			SemaphoreBulkhead owner = (this.instance != null) ? this.instance : this;
			if (adaptive.limit() != owner.limit.maxConcurrentCalls) {
				owner.republish();
			}
		}
	}

	/**
	 * Publishes the AdaptiveLimit's value as a new Limit if it differs from the published
	 * one, lock-free (see the design notes); on the instance. Also called by tests that
	 * move their own AdaptiveLimit.
	 */
	void republish() {
		while (true) {
			Limit current = this.limit;
			AdaptiveLimit adaptive = current.adaptive;
			if (adaptive == null) {
				return;
			}
			int value = adaptive.limit();
			if (value == current.maxConcurrentCalls) {
				return;
			}
			Limit next = new Limit((current.version + 1) & VERSION_MASK, current.config, adaptive, value);
			if (LIMIT.compareAndSet(this, current, next)) {
				advance();
				if (value > current.maxConcurrentCalls) {
					// A raised limit has places for waiters.
					wakeWaiterIfFree();
				}
				reportLimitChange(value);
				// Loop: the value may have moved again meanwhile.
			}
		}
	}

	private void reportLimitChange(int value) {
		while (true) {
			int last = this.lastReportedLimit.get();
			// More than 10 %: |value - last| / last > 0.1, in integers.
			if ((long) Math.abs(value - last) * 10 <= last) {
				return;
			}
			if (this.lastReportedLimit.compareAndSet(last, value)) {
				if (this.events.hasListeners()) {
					this.events.publish(new BulkheadEvent(this.name, BulkheadEvent.Type.LIMIT_CHANGED, last, value));
				}
				return;
			}
		}
	}

	/**
	 * Gives a place back.
	 * @return the calls in flight before, the one released included
	 */
	private int release() {
		SemaphoreBulkhead target = this;
		int after;
		while (true) {
			long current = target.state.get();
			if (current == RETIRED_STATE) {
				// The bulkhead that granted the place is the key's live one.
				target = target.live();
				if (target == null) {
					throw new IllegalStateException("Bulkhead '" + this.name + "': no place to release");
				}
				continue;
			}
			if (inFlight(current) == 0) {
				throw new IllegalStateException(
						"Bulkhead '" + this.name + "': releasePermission() without a place taken");
			}
			after = inFlight(current) - 1;
			if (target.state.compareAndSet(current, current - 1)) {
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
		return after + 1;
	}

	/**
	 * Retires this key's bulkhead if no call is in flight (the same as a new one), for
	 * the key map.
	 */
	@Override
	public long retire(long now) {
		while (true) {
			long current = this.state.get();
			if (current == RETIRED_STATE) {
				return 0;
			}
			if (inFlight(current) != 0) {
				// Only a release can make it forgettable.
				return Long.MAX_VALUE;
			}
			if (this.state.compareAndSet(current, RETIRED_STATE)) {
				// A waiter parked here follows the key to its live bulkhead.
				wakeAllWaiters();
				return 0;
			}
		}
	}

	@Override
	public boolean isRetired() {
		return this.state.get() == RETIRED_STATE;
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
		while (true) {
			// The free places of one instant: the calls in flight and their limit.
			long current = this.state.get();
			Limit limit = limit();
			if (current != RETIRED_STATE && !current(current, limit)) {
				continue;
			}
			int max = limit.maxConcurrentCalls;
			int inFlight = (current == RETIRED_STATE) ? 0 : inFlight(current);
			return new Metrics(max, max - inFlight, this.permitted.sum(), this.rejected.sum(), live);
		}
	}

	/**
	 * Changes the limit and the wait with calls in flight: they finish normally, and new
	 * calls are admitted only while fewer than the new limit are in flight. A caller
	 * already waiting keeps the deadline it started with. For a key's bulkhead, changes
	 * its instance (keys run with their instance's configuration). An adaptive limit
	 * whose {@link LimitConfig} is unchanged keeps what it learned; a different one (or a
	 * switch from fixed) starts anew at its {@code initialLimit}.
	 */
	@Override
	public void reconfigure(BulkheadConfig config) {
		SettingValidation.notNull(config, "config");
		if (this.instance != null) {
			this.instance.reconfigure(config);
			return;
		}
		synchronized (this.reconfigureLock) {
			Limit current;
			Limit next;
			do {
				current = this.limit;
				AdaptiveLimit adaptive = null;
				if (config.isAdaptive()) {
					adaptive = (current.adaptive != null && current.adaptive.config().equals(config.limit()))
							? current.adaptive : this.limits.apply(config.limit());
				}
				next = Limit.of((current.version + 1) & VERSION_MASK, config, adaptive);
			}
			// A republisher may have published meanwhile: CAS, never overwrite.
			while (!LIMIT.compareAndSet(this, current, next));
			if (next.adaptive != current.adaptive) {
				this.lastReportedLimit.set(next.maxConcurrentCalls);
			}
			// Decisions taken on the old limit fail their CAS from now on; advance()
			// re-reads the limit, so it never moves the word back to `next` once a
			// newer limit was published.
			advance();
		}
		// A raised limit has places for waiters.
		wakeAllWaiters();
		this.keys.maxKeys(config.maxKeys());
		this.keys.forEach(SemaphoreBulkhead::wakeAllWaiters);
	}

	/**
	 * Zeroes the counters and forgets idle keys; never touches a state word, so calls in
	 * flight keep their places (see the design notes).
	 */
	@Override
	public void reset() {
		if (this.instance != null) {
			this.instance.reset();
			return;
		}
		// A sweep retires exactly the keys with no call in flight (the CAS from 0 in
		// flight to RETIRED), the same protocol as any sweep: a call racing with it
		// either took its place first (the key stays) or follows to the live bulkhead.
		this.keys.sweep();
		this.permitted.reset();
		this.rejected.reset();
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
	 * A limit and its version (see the design notes); for an adaptive limit, the
	 * AdaptiveLimit and its value when published. Immutable.
	 */
	private static final class Limit {

		final int version;

		final BulkheadConfig config;

		final @Nullable AdaptiveLimit adaptive;

		final int maxConcurrentCalls;

		Limit(int version, BulkheadConfig config, @Nullable AdaptiveLimit adaptive, int maxConcurrentCalls) {
			this.version = version;
			this.config = config;
			this.adaptive = adaptive;
			this.maxConcurrentCalls = maxConcurrentCalls;
		}

		static Limit of(int version, BulkheadConfig config, @Nullable AdaptiveLimit adaptive) {
			return new Limit(version, config, adaptive,
					(adaptive != null) ? adaptive.limit() : config.maxConcurrentCalls());
		}

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
