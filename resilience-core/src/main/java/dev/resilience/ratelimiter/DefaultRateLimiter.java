package dev.resilience.ratelimiter;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.internal.BoundedKeyMap;
import dev.resilience.internal.SettingValidation;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/*
 * Design: GCRA (the "virtual scheduling" form of a token bucket) on one AtomicLong.
 *
 * The state is the theoretical arrival time (tat), in ticker nanoseconds: the time at
 * which the bucket would be full again if nobody took a permit. With emission interval
 * T = limitRefreshPeriod / limitForPeriod and capacity C, a request for n permits at
 * time now computes base = max(tat, now), newTat = base + n*T and
 * wait = newTat - C*T - now: wait <= 0 grants at once, 0 < wait <= timeout reserves (the
 * caller waits), wait > timeout rejects without touching the state. One ticker read, one
 * CAS (retried on contention, never parked), no allocation. Refill is continuous: an idle
 * bucket restarts from now itself, so after a burst the next permit comes T later, and
 * over any window at most C + elapsed/T permits are granted.
 *
 * Exact rate. T is a fraction (1 s / 3 permits is 333,333,333.3 ns); rounding it to whole
 * nanoseconds would drift the long-run rate, and the state has no room for a fraction.
 * So "+ n*T" steps along a fixed grid: point m lies at origin + ceil(m * P / L), with
 * P / L the period over the limit in lowest terms. From base, which lies "offset" after
 * grid point j, base + n*T is grid point j + n plus the same offset. Consecutive points
 * are floor(T) or ceil(T) apart and any k steps add exactly k*T rounded to within one
 * nanosecond, so the rate is exact over any number of periods. Grid index and time
 * convert exactly (128-bit products where P * L overflows a long). Requiring T >= 1 ns
 * (RateLimiterConfig) keeps grid points distinct nanoseconds. When T is a whole number of
 * nanoseconds (P / L = T / 1) the grid is skipped: plain long arithmetic.
 *
 * Time is compared by subtraction (tat - now), so ticker overflow does not matter; the
 * config bounds C*T and the timeout so that tat - now stays far from overflow.
 *
 * The clock. A decision reads the ticker once and is taken as of that reading. A thread
 * descheduled between the reading and a CAS that still succeeds (nobody decided
 * meanwhile) charges its permits as of that earlier instant: from an idle bucket, it may
 * let them count as refilled up to the gap sooner, at most its own permits early. No
 * lock-free limiter that reads a clock can close that gap. A lost CAS retries at once with
 * the same reading: the retry's gap is nanoseconds, and a clock read per retry would only
 * slow contention down.
 *
 * Reconfiguration. The grid (config, rate in lowest terms, origin) lives in one volatile
 * immutable object. reconfigure() is serialized by a lock; it parks the state at the
 * SWITCHING value (never a real tat), computes the bucket level under the old grid,
 * publishes the new grid, then writes the tat that gives the same level under the new
 * one: clamped to the new capacity, a debt of permits reserved ahead clamped to what the
 * new timeout allows, and the fraction of the next permit carried over. Decisions read
 * the state before the grid and spin while it is SWITCHING (a few hundred nanoseconds of
 * arithmetic), so no decision combines a tat with the wrong grid: one that read the old
 * tat fails its CAS.
 *
 * Giving back. A caller that gives up waiting for reserved permits (a synchronous caller
 * interrupted, an asynchronous one cancelled) gives them back only while its reservation
 * is still the last one: one CAS from the tat it set back to the tat it found. If anyone
 * reserved behind it, its slot passes unused: moving the tat back then would free the
 * last slot, not its own, and two callers would share one. The reservation remembers the
 * grid it was made on and gives nothing back on another one. (A give back that read the
 * grid just before a reconfiguration to the same rate may still land after it; the same
 * rate keeps the grid's origin and the tat's offset, so the tat it restores means the
 * same level under both configurations, as if it had come first.)
 *
 * Keys. forKey() returns the bucket of one key from a BoundedKeyMap. A bucket retires
 * itself when it is full (CAS from a tat at or before now to RETIRED, never a real tat),
 * and a retired bucket is never decided on again: a decision that finds it goes to the
 * key's live bucket, which starts full, exactly where the retired one stood. A key's
 * bucket follows its instance's configuration: reconfigure() converts every stored
 * bucket, and a bucket made from the configuration of the moment before converts itself
 * on its first decision (one reference comparison per decision on a key).
 *
 * Rejections. A synchronous rejection throws the bucket's one RequestNotPermittedException
 * (made on its first rejection, again when the permit count changes), so that it allocates
 * nothing. Many calls on many threads throw it at once: it holds nothing of a call but the
 * permit count (final), and Throwable's mutable parts are off (no stack trace, no
 * suppression, its cause fixed at null). So its retry-after hint cannot be a field: it is
 * computed from the tat when asked, by the same arithmetic as the decision, as of that
 * moment (nanosUntil). It is of the public class itself, not a subclass: users, logs and
 * the meters' exception tags see its class name. A key map too full for a new key throws
 * the instance's one exception without a hint. Only an interrupted waiter, and the
 * reservations of the asynchronous path, make a rejection of their own.
 *
 * Reset. reset() fills the instance's bucket and every stored key's bucket in place
 * (under the bucket's reconfigure lock, parked at SWITCHING like a conversion, then set
 * to the ticker's now: a full bucket), then sweeps the keys, which retires the full
 * buckets by the usual CAS to RETIRED and removes them: a caller that held a key's
 * bucket across the reset goes to the key's live (new, full) bucket, as after any
 * forgetting. The grid is kept, so a decision that read the tat before the reset either
 * fails its CAS or read exactly the tat restored, which means the same level. A waiter's
 * give back needs the tat it set, which a reset replaced by an earlier one (its own
 * grant lay ahead of the clock): it gives nothing back, or, in the one case the restored
 * tat equals it, moves the tat back to one that is still not after now, so the bucket
 * stays full.
 */
final class DefaultRateLimiter implements RateLimiter, BoundedKeyMap.State {

	// The state while reconfigure() swaps the grid. A computed tat equal to it (or to
	// RETIRED) is moved a few nanoseconds later (conservative).
	private static final long SWITCHING = Long.MIN_VALUE;

	// The state of a key's bucket that was forgotten (see the design notes).
	private static final long RETIRED = Long.MIN_VALUE + 1;

	// decide()'s answer when the permits could be had within the timeout but not within
	// the caller's own, shorter bound: nothing is taken and nothing counted.
	private static final long BEYOND_BOUND = Long.MIN_VALUE + 2;

	// decide()'s answer when a forgotten bucket's key can get no live one (the key map is
	// full): a rejection without a retry-after hint.
	private static final long KEY_REFUSED = Long.MIN_VALUE;

	private static final long MAX_TIMEOUT_NANOS = RateLimiterConfig.MAX_REFILL_DURATION.toNanos();

	private final String name;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final AtomicLong tat;

	private volatile Grid grid;

	private final Object reconfigureLock = new Object();

	// A key's limiter shares its instance's counters and events, so that metrics stay per
	// instance and survive the key's bucket being forgotten.
	private final LongAdder permitted;

	private final LongAdder rejected;

	// Threads blocked in acquirePermission; touched only by a caller that has to wait.
	private final AtomicInteger waitingThreads;

	private final EventPublisher<RateLimiterEvent> events;

	// The buckets of keys (forKey); null in a key's own limiter.
	private final @Nullable BoundedKeyMap<DefaultRateLimiter> keys;

	// For a key's own limiter: its instance and its key; null in an instance.
	private final @Nullable DefaultRateLimiter instance;

	private final @Nullable Object key;

	// The exception of this bucket's rejections, for the permit count of the last one
	// (see the design notes); volatile for its publication.
	private volatile @Nullable RequestNotPermittedException rejection;

	// The exception of forKey's rejections when the key map is full (no retry-after
	// hint).
	private volatile @Nullable RequestNotPermittedException keysFull;

	DefaultRateLimiter(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = SettingValidation.notNull(name, "name");
		SettingValidation.notNull(config, "config");
		this.ticker = SettingValidation.notNull(ticker, "ticker");
		this.scheduler = SettingValidation.notNull(scheduler, "scheduler");
		long now = ticker.read();
		this.grid = new Grid(config, now);
		// Grid point 0 is now: the bucket starts full.
		this.tat = new AtomicLong(notSwitching(now));
		this.permitted = new LongAdder();
		this.rejected = new LongAdder();
		this.waitingThreads = new AtomicInteger();
		this.events = new EventPublisher<>();
		this.keys = new BoundedKeyMap<>(config.maxKeys(), (key) -> new DefaultRateLimiter(this, key), ticker);
		this.instance = null;
		this.key = null;
	}

	private DefaultRateLimiter(DefaultRateLimiter instance, Object key) {
		this.name = instance.name;
		this.ticker = instance.ticker;
		this.scheduler = instance.scheduler;
		long now = this.ticker.read();
		this.grid = new Grid(instance.grid.config, now);
		this.tat = new AtomicLong(notSwitching(now));
		this.permitted = instance.permitted;
		this.rejected = instance.rejected;
		this.waitingThreads = instance.waitingThreads;
		this.events = instance.events;
		this.keys = null;
		this.instance = instance;
		this.key = key;
	}

	@Override
	public RateLimiter forKey(Object key) {
		SettingValidation.notNull(key, "key");
		if (this.keys == null) {
			throw new UnsupportedOperationException("The limiter of a key has no keys of its own");
		}
		DefaultRateLimiter limiter = this.keys.get(key);
		if (limiter == null) {
			onRejected(1);
			RequestNotPermittedException keysFull = this.keysFull;
			if (keysFull == null) {
				keysFull = new RequestNotPermittedException(this.name, 0);
				this.keysFull = keysFull;
			}
			throw keysFull;
		}
		return limiter;
	}

	/**
	 * Retires this key's bucket if it is full (the same as a new one), for the key map.
	 */
	@Override
	public long retire(long now) {
		int spins = 0;
		while (true) {
			long current = this.tat.get();
			if (current == RETIRED) {
				return 0;
			}
			if (current == SWITCHING) {
				spins = awaitSwitch(spins);
				continue;
			}
			long ahead = current - now;
			if (ahead > 0) {
				return ahead;
			}
			if (this.tat.compareAndSet(current, RETIRED)) {
				return 0;
			}
		}
	}

	@Override
	public boolean isRetired() {
		return this.tat.get() == RETIRED;
	}

	/**
	 * Returns the live bucket of this retired key's bucket, or {@code null} if the key
	 * map is full.
	 */
	private @Nullable DefaultRateLimiter live() {
		return this.instance.keys.get(this.key);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public RateLimiterConfig config() {
		// A key's bucket runs with its instance's configuration (see syncConfig).
		return (this.instance != null) ? this.instance.grid.config : this.grid.config;
	}

	@Override
	public EventPublisher<RateLimiterEvent> events() {
		return this.events;
	}

	@Override
	public void acquirePermission(int permits) {
		acquire(permits, Long.MAX_VALUE);
	}

	@Override
	public boolean acquirePermission(int permits, long maxWaitNanos) {
		return acquire(permits, Math.max(0, maxWaitNanos));
	}

	/**
	 * Takes permits, waiting up to the timeout or {@code bound}, whichever is shorter.
	 * @return {@code false} only when the wait would have been longer than {@code bound}
	 * but within the timeout (never with {@code Long.MAX_VALUE})
	 */
	private boolean acquire(int permits, long bound) {
		// At once first, so that a grant without a wait allocates nothing.
		long decision = decide(permits, false, null, bound);
		if (decision < 0 && mayWaitAfter(decision)) {
			Waiting waiting = new Waiting(permits);
			decision = decide(permits, true, waiting, bound);
			if (decision == BEYOND_BOUND) {
				return false;
			}
			if (decision < 0) {
				onRejected(permits);
				throw rejection(permits);
			}
			this.waitingThreads.incrementAndGet();
			try {
				this.scheduler.sleep(decision);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				waiting.cancel();
				onRejected(permits);
				throw new RequestNotPermittedException(this.name, 0);
			}
			finally {
				this.waitingThreads.decrementAndGet();
			}
		}
		else if (decision < 0) {
			onRejected(permits);
			throw rejection(permits);
		}
		onPermitted(permits);
		return true;
	}

	@Override
	public @Nullable Reservation reserve(int permits, long maxWaitNanos) {
		long bound = Math.max(0, maxWaitNanos);
		// At once first, so that a grant without a wait allocates nothing.
		long decision = decide(permits, false, null, bound);
		if (decision >= 0) {
			onPermitted(permits);
			return Reservation.NOW;
		}
		if (!mayWaitAfter(decision)) {
			onRejected(permits);
			return Reservation.refused(retryAfter(decision));
		}
		Waiting waiting = new Waiting(permits);
		decision = decide(permits, true, waiting, bound);
		if (decision == BEYOND_BOUND) {
			return null;
		}
		if (decision < 0) {
			onRejected(permits);
			return Reservation.refused(retryAfter(decision));
		}
		onPermitted(permits);
		return (decision > 0) ? waiting : Reservation.NOW;
	}

	@Override
	public boolean tryAcquirePermission(int permits) {
		if (decide(permits, false, null, Long.MAX_VALUE) < 0) {
			onRejected(permits);
			return false;
		}
		onPermitted(permits);
		return true;
	}

	@Override
	public Reservation reserve(int permits) {
		// Never null without a bound of the caller's own.
		return Objects.requireNonNull(reserve(permits, Long.MAX_VALUE));
	}

	@Override
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public long reservePermission(int permits) {
		long decision = decide(permits, true, null, Long.MAX_VALUE);
		if (decision < 0) {
			onRejected(permits);
			return REJECTED;
		}
		onPermitted(permits);
		return decision;
	}

	/**
	 * Returns the exception of this bucket's rejections of {@code permits}; a race, or a
	 * rejection of another count, makes a new one.
	 */
	private RequestNotPermittedException rejection(int permits) {
		DefaultRateLimiter bucket = this;
		if (this.tat.get() == RETIRED) {
			// The key's live bucket decided (decide() went to it); its hint is the one.
			DefaultRateLimiter live = live();
			if (live != null) {
				bucket = live;
			}
		}
		RequestNotPermittedException rejection = bucket.rejection;
		if (rejection == null || rejection.permits() != permits) {
			rejection = new RequestNotPermittedException(bucket, permits);
			bucket.rejection = rejection;
		}
		return rejection;
	}

	/**
	 * Returns how long from now until {@code permits} could be had at once, by the
	 * decision's own arithmetic; takes nothing. {@code 0} if they could be had now, or if
	 * the bucket is being reconfigured or was retired (a retired bucket was full).
	 */
	long nanosUntil(int permits) {
		long now = this.ticker.read();
		long current = this.tat.get();
		if (current == SWITCHING || current == RETIRED || current - now <= 0) {
			return 0;
		}
		Grid grid = this.grid;
		return Math.max(0, grid.advance(current, permits - grid.capacity) - now);
	}

	/**
	 * Tells whether a refusal at once ({@code decision} below zero) could still be a
	 * grant after a wait within the timeout: if not, it is the answer, and no reservation
	 * is made for a second decision that would refuse too.
	 */
	private boolean mayWaitAfter(long decision) {
		return decision != KEY_REFUSED && -decision <= this.grid.timeoutNanos;
	}

	private static long retryAfter(long decision) {
		return (decision == KEY_REFUSED) ? 0 : -decision;
	}

	/**
	 * Takes permits if they can be had within the timeout (zero when {@code mayWait} is
	 * false).
	 * @param waiting filled in when the permits are taken with a wait, so that they can
	 * be given back; or {@code null}
	 * @param boundNanos the caller's own bound on the wait ({@code Long.MAX_VALUE}: none)
	 * @return the wait in nanoseconds (zero or more) if taken, otherwise minus the wait
	 * until they could be had (less than zero), {@link #KEY_REFUSED}, or
	 * {@link #BEYOND_BOUND} (nothing taken)
	 */
	private long decide(int permits, boolean mayWait, @Nullable Waiting waiting, long boundNanos) {
		if (permits < 1) {
			throw new IllegalArgumentException("permits must be at least 1 but was " + permits);
		}
		if (this.instance != null && this.grid.config != this.instance.grid.config) {
			syncConfig();
		}
		// Once per decision: a lost CAS retries at once, so its state is newer by
		// nanoseconds and a second clock read (tens of them) would only slow contention.
		long now = this.ticker.read();
		int spins = 0;
		while (true) {
			long current = this.tat.get();
			if (current == SWITCHING) {
				spins = awaitSwitch(spins);
				continue;
			}
			if (current == RETIRED) {
				DefaultRateLimiter live = live();
				return (live != null) ? live.decide(permits, mayWait, waiting, boundNanos) : KEY_REFUSED;
			}
			// Read after the state: if a newer grid pairs with an older tat, the CAS
			// below fails, since reconfigure() replaced that tat.
			Grid grid = this.grid;
			if (permits > grid.capacity) {
				throw new IllegalArgumentException("permits (" + permits + ") must not exceed the burst capacity ("
						+ grid.capacity + ") of RateLimiter '" + this.name + "'");
			}
			boolean ahead = current - now > 0;
			long base = ahead ? current : now;
			long wait = 0;
			if (ahead) {
				// Wait until newTat - C*T, when enough has been refilled for our last
				// permit. (Idle, the bucket is full and n <= C permits are there now.)
				wait = grid.advance(base, permits - grid.capacity) - now;
				if (wait > (mayWait ? grid.timeoutNanos : 0)) {
					return -wait;
				}
				if (wait > boundNanos) {
					// The limit would have waited; the caller's own bound (its deadline)
					// does not.
					return BEYOND_BOUND;
				}
			}
			long next = notSwitching(grid.advance(base, permits));
			if (this.tat.compareAndSet(current, next)) {
				if (wait > 0 && waiting != null) {
					waiting.taken(this, grid, current, next, wait);
				}
				return Math.max(wait, 0);
			}
		}
	}

	/**
	 * Gives back the permits of a reservation if it is still the last one (see the design
	 * notes).
	 */
	private boolean giveBack(Waiting waiting) {
		int spins = 0;
		while (true) {
			long current = this.tat.get();
			if (current == SWITCHING) {
				spins = awaitSwitch(spins);
				continue;
			}
			if (current != waiting.tat || this.grid != waiting.grid) {
				return false;
			}
			if (this.tat.compareAndSet(current, waiting.previous)) {
				if (this.instance != null) {
					// The bucket may be full sooner than a sweep of the keys found.
					this.instance.keys.changed();
				}
				return true;
			}
		}
	}

	/**
	 * Converts a key's bucket made from an older configuration of its instance.
	 */
	private void syncConfig() {
		if (isRetired()) {
			// Never decided on again; its live bucket follows the configuration instead.
			return;
		}
		RateLimiterConfig current = this.instance.grid.config;
		synchronized (this.reconfigureLock) {
			if (this.grid.config != current) {
				convert(current);
			}
		}
		// The bucket's level moved: it may be full sooner than a sweep found.
		this.instance.keys.changed();
	}

	/**
	 * Returns the figures; for an instance with keys, {@code liveKeys} first forgets the
	 * buckets that have refilled (a sweep, linear in the number of keys).
	 */
	@Override
	public Metrics metrics() {
		long live = (this.keys != null) ? this.keys.liveKeys() : 0;
		long now = this.ticker.read();
		int spins = 0;
		long current;
		while ((current = this.tat.get()) == SWITCHING) {
			spins = awaitSwitch(spins);
		}
		// A forgotten key's bucket was full, as its next one starts.
		long available = (current == RETIRED) ? this.grid.capacity : availablePermissions(this.grid, current, now);
		return new Metrics(available, this.permitted.sum(), this.rejected.sum(), live, this.waitingThreads.get());
	}

	private static long availablePermissions(Grid grid, long current, long now) {
		long base = (current - now > 0) ? current : now;
		// n permits are available if base + (n - C)*T <= now, stepping along the grid.
		long index = grid.floorIndex(base);
		long offset = base - grid.time(index);
		return grid.floorIndex(now - offset) - index + grid.capacity;
	}

	/**
	 * Changes the rate, capacity and timeout at once, keeping the number of available
	 * permits (clamped to the new capacity; a debt of permits reserved ahead is kept, up
	 * to what the new timeout allows) and the progress towards the next permit. Callers
	 * already waiting keep the waits they were given.
	 */
	@Override
	public void reconfigure(RateLimiterConfig config) {
		SettingValidation.notNull(config, "config");
		if (this.instance != null) {
			// A key's bucket runs with its instance's configuration.
			this.instance.reconfigure(config);
			return;
		}
		convert(config);
		this.keys.maxKeys(config.maxKeys());
		this.keys.forEach(DefaultRateLimiter::syncConfig);
	}

	/**
	 * Moves this bucket to {@code config}, keeping its level (see reconfigure).
	 */
	private void convert(RateLimiterConfig config) {
		Grid rate = new Grid(config, 0);
		synchronized (this.reconfigureLock) {
			Grid old = this.grid;
			long current = this.tat.getAndSet(SWITCHING);
			long restored = current;
			try {
				if (current == RETIRED) {
					// A forgotten key's bucket: its live bucket is reconfigured instead.
					return;
				}
				long now = this.ticker.read();
				// The level as availablePermissions() computes it, keeping the parts.
				long base = (current - now > 0) ? current : now;
				long index = old.floorIndex(base);
				long offset = base - old.time(index);
				long present = old.floorIndex(now - offset);
				long level = present - index + old.capacity;
				Grid next;
				if (rate.period == old.period && rate.limit == old.limit) {
					// Same rate: keep the grid and the offset, so nothing moves.
					next = rate.withOrigin(old.origin);
				}
				else {
					// Carry the progress towards the next permit over, scaled to the new
					// interval: the new grid's point 0 lies that far before now.
					long progress = (now - offset) - old.time(present);
					long carried = (long) (progress * (rate.intervalNanos() / old.intervalNanos()));
					carried = Math.max(0, Math.min(carried, rate.time(1) - rate.origin - 1));
					next = rate.withOrigin(now - carried);
					present = 0;
					offset = 0;
				}
				long maxDebt = next.floorIndex(next.origin + next.timeoutNanos);
				long newLevel = Math.max(Math.min(level, next.capacity), -maxDebt);
				this.grid = next;
				restored = notSwitching(next.time(present + next.capacity - newLevel) + offset);
				if (restored == current && newLevel == next.capacity) {
					// A full bucket is full at any tat not after now: restore another
					// one, so
					// that a decision that read this tat before the switch fails its CAS
					// instead of applying the old grid's arithmetic to the new one.
					restored = notSwitching(current - 1);
				}
			}
			finally {
				this.tat.set(restored);
			}
		}
	}

	@Override
	public void reset() {
		if (this.instance != null) {
			this.instance.reset();
			return;
		}
		refill();
		this.keys.forEach(DefaultRateLimiter::refill);
		// Every refilled bucket is full now: the sweep retires and removes them all
		// (except a key that took permits again meanwhile, after the reset).
		this.keys.sweep();
		this.permitted.reset();
		this.rejected.reset();
	}

	/**
	 * Makes this bucket full, keeping its grid (see the design notes).
	 */
	private void refill() {
		synchronized (this.reconfigureLock) {
			long current = this.tat.getAndSet(SWITCHING);
			long restored = current;
			try {
				if (current != RETIRED) {
					// Any tat not after now is a full bucket.
					restored = notSwitching(this.ticker.read());
				}
			}
			finally {
				this.tat.set(restored);
			}
		}
	}

	private void onPermitted(int permits) {
		this.permitted.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new RateLimiterEvent(this.name, RateLimiterEvent.Type.PERMITTED, permits));
		}
	}

	private void onRejected(int permits) {
		this.rejected.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new RateLimiterEvent(this.name, RateLimiterEvent.Type.REJECTED, permits));
		}
	}

	private static int awaitSwitch(int spins) {
		// reconfigure() holds SWITCHING for a few hundred nanoseconds of arithmetic;
		// yield
		// now and then in case its thread was descheduled meanwhile.
		if ((spins & 63) == 63) {
			Thread.yield();
		}
		else {
			Thread.onSpinWait();
		}
		return spins + 1;
	}

	private static long notSwitching(long tat) {
		return (tat == SWITCHING) ? tat + 2 : (tat == RETIRED) ? tat + 1 : tat;
	}

	@Override
	public String toString() {
		return "RateLimiter '" + this.name + "' " + this.grid.config;
	}

	/**
	 * The reservation of a caller that waits for its permits: what it needs to give them
	 * back (see the design notes). Filled in once by the decision that took them, before
	 * the caller sees it.
	 */
	private static final class Waiting implements Reservation {

		private final int permits;

		private final AtomicBoolean cancelled = new AtomicBoolean();

		// Written last and read first, so that whoever sees it sees the rest.
		private volatile @Nullable DefaultRateLimiter owner;

		private @Nullable Grid grid;

		private long previous;

		private long tat;

		private long waitNanos;

		Waiting(int permits) {
			this.permits = permits;
		}

		void taken(DefaultRateLimiter owner, Grid grid, long previous, long tat, long waitNanos) {
			this.grid = grid;
			this.previous = previous;
			this.tat = tat;
			this.waitNanos = waitNanos;
			this.owner = owner;
		}

		@Override
		public boolean isGranted() {
			return true;
		}

		@Override
		public long waitNanos() {
			return this.waitNanos;
		}

		@Override
		public boolean cancel() {
			// Once: a second give back could free a slot someone else took meanwhile.
			DefaultRateLimiter owner = this.owner;
			return owner != null && this.cancelled.compareAndSet(false, true) && owner.giveBack(this);
		}

		@Override
		public String toString() {
			return "Reservation of " + this.permits + " permit(s) in " + this.waitNanos + " ns";
		}

	}

	/**
	 * The emission grid of one configuration: point {@code m} lies at
	 * {@code origin + ceil(m * period / limit)}, with {@code period / limit} the emission
	 * interval in lowest terms ({@code period >= limit}, so points are distinct
	 * nanoseconds). Immutable.
	 */
	static final class Grid {

		final RateLimiterConfig config;

		final int capacity;

		final long timeoutNanos;

		final long origin;

		final long period;

		final long limit;

		Grid(RateLimiterConfig config, long origin) {
			this.config = config;
			this.capacity = config.effectiveBurstCapacity();
			this.timeoutNanos = Math.min(SettingValidation.toNanos(config.timeoutDuration()), MAX_TIMEOUT_NANOS);
			this.origin = origin;
			long periodNanos = config.limitRefreshPeriod().toNanos();
			long gcd = gcd(periodNanos, config.limitForPeriod());
			this.period = periodNanos / gcd;
			this.limit = config.limitForPeriod() / gcd;
		}

		private Grid(Grid rate, long origin) {
			this.config = rate.config;
			this.capacity = rate.capacity;
			this.timeoutNanos = rate.timeoutNanos;
			this.origin = origin;
			this.period = rate.period;
			this.limit = rate.limit;
		}

		Grid withOrigin(long origin) {
			return new Grid(this, origin);
		}

		/**
		 * Returns the index of the last grid point at or before {@code time}.
		 */
		long floorIndex(long time) {
			long elapsed = time - this.origin;
			if (this.limit == 1) {
				return Math.floorDiv(elapsed, this.period);
			}
			long periods = Math.floorDiv(elapsed, this.period);
			long rest = elapsed - periods * this.period;
			return periods * this.limit + mulDivFloor(rest, this.limit, this.period);
		}

		/**
		 * Returns {@code base + permits * T}, stepping along the grid from base's offset
		 * after its grid point; {@code permits} may be negative.
		 */
		long advance(long base, long permits) {
			if (this.limit == 1) {
				return base + permits * this.period;
			}
			long index = floorIndex(base);
			return base + (time(index + permits) - time(index));
		}

		/**
		 * Returns the time of grid point {@code index}.
		 */
		long time(long index) {
			if (this.limit == 1) {
				return this.origin + index * this.period;
			}
			long periods = Math.floorDiv(index, this.limit);
			long rest = index - periods * this.limit;
			return this.origin + periods * this.period + mulDivCeil(rest, this.period, this.limit);
		}

		double intervalNanos() {
			return (double) this.period / this.limit;
		}

		private static long gcd(long a, long b) {
			while (b != 0) {
				long t = a % b;
				a = b;
				b = t;
			}
			return a;
		}

	}

	/**
	 * Returns {@code floor(x * y / d)} exactly, for {@code x, y >= 0}, {@code d > 0} and
	 * a result that fits in a long; the product may overflow a long.
	 */
	static long mulDivFloor(long x, long y, long d) {
		long high = Math.multiplyHigh(x, y);
		long low = x * y;
		if (high == 0 && low >= 0) {
			return low / d;
		}
		// 128-bit product: estimate in floating point, then correct exactly.
		long quotient = (long) ((double) x * (double) y / (double) d);
		while (compareProduct(quotient, d, high, low) > 0) {
			quotient--;
		}
		while (compareProduct(quotient + 1, d, high, low) <= 0) {
			quotient++;
		}
		return quotient;
	}

	/**
	 * Returns {@code ceil(x * y / d)} exactly, under the conditions of
	 * {@link #mulDivFloor}.
	 */
	static long mulDivCeil(long x, long y, long d) {
		long high = Math.multiplyHigh(x, y);
		long low = x * y;
		if (high == 0 && low >= 0) {
			long quotient = low / d;
			return (quotient * d == low) ? quotient : quotient + 1;
		}
		long quotient = mulDivFloor(x, y, d);
		return (compareProduct(quotient, d, high, low) == 0) ? quotient : quotient + 1;
	}

	/**
	 * Compares {@code a * b} with the 128-bit number {@code high:low}; all non-negative.
	 */
	private static int compareProduct(long a, long b, long high, long low) {
		long productHigh = Math.multiplyHigh(a, b);
		if (productHigh != high) {
			return Long.compare(productHigh, high);
		}
		return Long.compareUnsigned(a * b, low);
	}

}
