package dev.resilience.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * A ticker that reads no clock on the call path: a background thread publishes the
 * machine's monotonic time every {@linkplain #resolution() resolution}, and
 * {@link #read()} returns the value last published (a field read, where
 * {@link System#nanoTime()} costs ~29 ns on the build machine). Made by
 * {@link Ticker#coarse(Duration)}.
 * <p>
 * <b>The guarantee.</b> A value read is never ahead of {@link System#nanoTime()}, and
 * never smaller than one read before it, on any thread (reads are monotonic). It lags the
 * real clock by the time since the last publication: one resolution while the refresh
 * thread keeps up (plus the operating system's timer slack, tens of microseconds on
 * Linux), more only when that thread is held up (CPU starvation, a stop-the-world pause,
 * which holds every thread). So a rate limiter on this ticker can only under-grant, by at
 * most the refill of the lag, never over-grant; a breaker's time window closes its
 * buckets up to one lag late; a measured duration (slow-call detection, adaptive limit
 * samples) is exact to one lag either way.
 * <p>
 * <b>Idle.</b> After {@value #IDLE_REFRESHES} publications without a read, the thread
 * parks until the next read, which then reads the clock itself (as precise as
 * {@link Ticker#system()}) and wakes it; an idle application costs no wake-ups. While
 * read, the thread wakes once per resolution (1,000 wake-ups per second at 1 ms).
 * <p>
 * <b>Lifecycle.</b> The thread (a daemon, named {@code resilience-coarse-ticker}) starts
 * with the ticker; {@link #close()} stops it, after which reads read the clock
 * themselves. Thread-safe.
 */
public final class CoarseTicker implements Ticker, AutoCloseable {

	/*
	 * Design. `now` only grows: every publication, the refresher's and a reader's, is a
	 * CAS to the maximum, so a read returns a value that was the maximum when it was
	 * read, and a later read (on any thread) one at least as large. A read marks `read`,
	 * writing only when it finds it clear, so readers write at most once per publication
	 * and do not contend on the line otherwise. The refresher clears `read` at each
	 * publication; when IDLE_REFRESHES pass with no read, it sets `asleep` and parks. A
	 * read that finds `asleep` reads the source, raises `now` to that and unparks the
	 * refresher; the refresher, once woken, publishes before it clears `asleep`, so a
	 * read that sees `asleep` clear sees a value published after the wake (volatile
	 * write, then read). A read that marks `read` just after the refresher decided to
	 * sleep returns the value of the last publication, one resolution old at most; the
	 * reads after it see `asleep`.
	 */

	/** Publications without a read after which the refresh thread parks. */
	public static final int IDLE_REFRESHES = 1000;

	private static final long MAX_RESOLUTION_NANOS = 1_000_000_000L;

	private static final VarHandle NOW;

	static {
		try {
			NOW = MethodHandles.lookup().findVarHandle(CoarseTicker.class, "now", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Ticker source;

	private final long resolutionNanos;

	private final int idleRefreshes;

	private volatile long now;

	private volatile boolean read;

	private volatile boolean asleep;

	private volatile boolean closed;

	// Written by the refresher only.
	private int idle;

	private final @Nullable Thread refresher;

	/**
	 * Creates a ticker over a source.
	 * @param source the clock it publishes
	 * @param resolutionNanos how often it publishes
	 * @param idleRefreshes publications without a read before the refresher parks
	 * @param start whether to start the refresh thread (tests drive {@link #refresh()})
	 */
	CoarseTicker(Ticker source, long resolutionNanos, int idleRefreshes, boolean start) {
		this.source = Objects.requireNonNull(source, "source must not be null");
		this.resolutionNanos = resolutionNanos;
		this.idleRefreshes = idleRefreshes;
		this.now = source.read();
		if (start) {
			Thread thread = new Thread(this::run, "resilience-coarse-ticker");
			thread.setDaemon(true);
			this.refresher = thread;
			thread.start();
		}
		else {
			this.refresher = null;
		}
	}

	static CoarseTicker of(Duration resolution) {
		Objects.requireNonNull(resolution, "resolution must not be null");
		if (resolution.isNegative() || resolution.isZero() || resolution.toNanos() > MAX_RESOLUTION_NANOS) {
			throw new IllegalArgumentException(
					"resolution must be above 0 and at most 1 s, was " + resolution + "; 1 ms is the usual choice");
		}
		return new CoarseTicker(Ticker.system(), resolution.toNanos(), IDLE_REFRESHES, true);
	}

	/**
	 * Returns the time last published, or the clock's own when the refresh thread is
	 * parked or stopped.
	 * @return the time in nanoseconds, never ahead of the clock, never below an earlier
	 * read
	 */
	@Override
	public long read() {
		if (this.asleep) {
			return readSource();
		}
		if (!this.read) {
			this.read = true;
		}
		return this.now;
	}

	/**
	 * Returns how often the time is published.
	 * @return the resolution
	 */
	public Duration resolution() {
		return Duration.ofNanos(this.resolutionNanos);
	}

	/**
	 * Stops the refresh thread; later reads read the clock themselves. Idempotent.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.asleep = true;
		Thread thread = this.refresher;
		if (thread != null) {
			LockSupport.unpark(thread);
		}
	}

	/** The refresh thread, {@code null} for a ticker without one (tests). */
	@Nullable Thread refresher() {
		return this.refresher;
	}

	/** Whether the refresh thread is parked (or stopped) and reads read the clock. */
	boolean isAsleep() {
		return this.asleep;
	}

	/**
	 * One publication: the refresher's step, called by tests on a ticker without a
	 * thread. Publishes the source's time; counts a publication without a read, and after
	 * {@code idleRefreshes} of them, sets asleep.
	 */
	void refresh() {
		raise(this.source.read());
		if (this.read) {
			this.read = false;
			this.idle = 0;
		}
		else if (++this.idle >= this.idleRefreshes) {
			this.asleep = true;
		}
	}

	/**
	 * The refresher woken by a read: publishes, then lets reads use the published time.
	 */
	void wake() {
		raise(this.source.read());
		this.idle = 0;
		this.read = false;
		if (!this.closed) {
			this.asleep = false;
		}
	}

	private void run() {
		while (!this.closed) {
			refresh();
			if (this.asleep) {
				LockSupport.park(this);
				// A read (or a spurious wake-up, which costs one idle period).
				wake();
			}
			else {
				LockSupport.parkNanos(this, this.resolutionNanos);
			}
		}
	}

	private long readSource() {
		long time = raise(this.source.read());
		if (!this.closed) {
			Thread thread = this.refresher;
			if (thread != null) {
				LockSupport.unpark(thread);
			}
		}
		return time;
	}

	/** Raises {@code now} to {@code time} if it is later; returns the new maximum. */
	private long raise(long time) {
		while (true) {
			long current = this.now;
			if (current - time >= 0) {
				return current;
			}
			if (NOW.compareAndSet(this, current, time)) {
				return time;
			}
		}
	}

}
