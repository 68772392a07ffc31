package dev.resilience.ratelimiter;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.core.BoundedKeyMap;
import dev.resilience.core.Checks;
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
 * A synchronous caller interrupted while it waits for its reserved permits gives them
 * back, so they are not lost to everyone.
 */
final class DefaultRateLimiter implements RateLimiter {

	// The state while reconfigure() swaps the grid. A computed tat equal to it is moved
	// one nanosecond later (conservative).
	private static final long SWITCHING = Long.MIN_VALUE;

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

	private final EventPublisher<RateLimiterEvent> events;

	// The buckets of keys (forKey); null in a key's own limiter.
	private final @Nullable BoundedKeyMap<DefaultRateLimiter> keys;

	DefaultRateLimiter(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		this.name = Checks.notNull(name, "name");
		Checks.notNull(config, "config");
		this.ticker = Checks.notNull(ticker, "ticker");
		this.scheduler = Checks.notNull(scheduler, "scheduler");
		long now = ticker.read();
		this.grid = new Grid(config, now);
		// Grid point 0 is now: the bucket starts full.
		this.tat = new AtomicLong(notSwitching(now));
		this.permitted = new LongAdder();
		this.rejected = new LongAdder();
		this.events = new EventPublisher<>();
		// A flood of new keys may start a sweep of refilled buckets at most once a
		// millisecond.
		this.keys = new BoundedKeyMap<>(config.maxKeys(), (key) -> new DefaultRateLimiter(this),
				DefaultRateLimiter::isFull, ticker, 1_000_000L);
	}

	private DefaultRateLimiter(DefaultRateLimiter instance) {
		this.name = instance.name;
		this.ticker = instance.ticker;
		this.scheduler = instance.scheduler;
		long now = this.ticker.read();
		this.grid = new Grid(instance.grid.config, now);
		this.tat = new AtomicLong(notSwitching(now));
		this.permitted = instance.permitted;
		this.rejected = instance.rejected;
		this.events = instance.events;
		this.keys = null;
	}

	@Override
	public RateLimiter forKey(Object key) {
		Checks.notNull(key, "key");
		if (this.keys == null) {
			throw new UnsupportedOperationException("The limiter of a key has no keys of its own");
		}
		DefaultRateLimiter limiter = this.keys.get(key);
		if (limiter == null) {
			onRejected(1);
			throw new RequestNotPermittedException(this.name, 0);
		}
		return limiter;
	}

	/**
	 * Tells whether the bucket is full, hence the same as a new one and safe to forget.
	 */
	private boolean isFull() {
		long current = this.tat.get();
		return current != SWITCHING && current - this.ticker.read() <= 0;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public RateLimiterConfig config() {
		return this.grid.config;
	}

	@Override
	public EventPublisher<RateLimiterEvent> events() {
		return this.events;
	}

	@Override
	public void acquirePermission(int permits) {
		long decision = decide(permits, true);
		if (decision < 0) {
			onRejected(permits);
			throw new RequestNotPermittedException(this.name, -decision);
		}
		if (decision > 0) {
			try {
				this.scheduler.sleep(decision);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				giveBack(permits);
				onRejected(permits);
				throw new RequestNotPermittedException(this.name, 0);
			}
		}
		onPermitted(permits);
	}

	@Override
	public boolean tryAcquirePermission(int permits) {
		if (decide(permits, false) < 0) {
			onRejected(permits);
			return false;
		}
		onPermitted(permits);
		return true;
	}

	@Override
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public long reservePermission(int permits) {
		long decision = decide(permits, true);
		if (decision < 0) {
			onRejected(permits);
			return REJECTED;
		}
		onPermitted(permits);
		return decision;
	}

	/**
	 * Takes permits if they can be had within the timeout (zero when {@code mayWait} is
	 * false).
	 * @return the wait in nanoseconds (zero or more) if taken, otherwise minus the wait
	 * until they could be had (less than zero)
	 */
	private long decide(int permits, boolean mayWait) {
		if (permits < 1) {
			throw new IllegalArgumentException("permits must be at least 1 but was " + permits);
		}
		long now = this.ticker.read();
		int spins = 0;
		while (true) {
			long current = this.tat.get();
			if (current == SWITCHING) {
				spins = awaitSwitch(spins);
				continue;
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
			}
			if (this.tat.compareAndSet(current, notSwitching(grid.advance(base, permits)))) {
				return Math.max(wait, 0);
			}
		}
	}

	/**
	 * Returns the permits of a caller that gave up waiting for them to the bucket (never
	 * beyond its capacity), so that the next callers can have them.
	 */
	private void giveBack(int permits) {
		long now = this.ticker.read();
		int spins = 0;
		while (true) {
			long current = this.tat.get();
			if (current == SWITCHING) {
				spins = awaitSwitch(spins);
				continue;
			}
			if (current - now <= 0) {
				return;
			}
			// Never below the present: the bucket must not hold more than C.
			long back = this.grid.advance(current, -permits);
			if (this.tat.compareAndSet(current, notSwitching((back - now > 0) ? back : now))) {
				return;
			}
		}
	}

	@Override
	public Metrics metrics() {
		long now = this.ticker.read();
		int spins = 0;
		long current;
		while ((current = this.tat.get()) == SWITCHING) {
			spins = awaitSwitch(spins);
		}
		return new Metrics(availablePermissions(this.grid, current, now), this.permitted.sum(), this.rejected.sum(),
				(this.keys != null) ? this.keys.size() : 0);
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
		Checks.notNull(config, "config");
		Grid rate = new Grid(config, 0);
		synchronized (this.reconfigureLock) {
			Grid old = this.grid;
			long current = this.tat.getAndSet(SWITCHING);
			long restored = current;
			try {
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
			}
			finally {
				this.tat.set(restored);
			}
		}
		if (this.keys != null) {
			this.keys.maxKeys(config.maxKeys());
			this.keys.forEach((limiter) -> limiter.reconfigure(config));
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
		return (tat != SWITCHING) ? tat : tat + 1;
	}

	@Override
	public String toString() {
		return "RateLimiter '" + this.name + "' " + this.grid.config;
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
			this.timeoutNanos = Math.min(Checks.toNanos(config.timeoutDuration()), MAX_TIMEOUT_NANOS);
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
