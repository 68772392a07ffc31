package dev.resilience.core;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The per-key states of one instance (a bucket per user, a bulkhead per tenant), bounded
 * in memory whatever the number of distinct keys callers send.
 * <p>
 * A state is dropped only when dropping it loses nothing: when it is {@code droppable} (a
 * rate limiter's bucket that has refilled, a bulkhead with no call in flight), because
 * such a state is indistinguishable from a new one. So expiry is exact and needs no
 * setting: a key lives exactly as long as its state differs from a fresh one.
 * <p>
 * When {@code maxKeys} states exist and a new key arrives, droppable states are swept
 * (one thread at a time, at most once per {@code minSweepInterval} so that a flood of new
 * keys cannot turn into a flood of sweeps). If none can be dropped, {@link #get(Object)}
 * answers {@code null} and the caller rejects the call: a flood of distinct keys is
 * refused rather than allowed to exhaust the heap, while known keys are served as before.
 * <p>
 * Thread-safe. The size may exceed {@code maxKeys} by the number of threads creating keys
 * at the same instant.
 *
 * @param <V> the state type
 */
public final class BoundedKeyMap<V> {

	private final ConcurrentHashMap<Object, V> states = new ConcurrentHashMap<>();

	private volatile int maxKeys;

	private final Function<Object, V> factory;

	private final Predicate<V> droppable;

	private final Ticker ticker;

	private final long minSweepIntervalNanos;

	private final ReentrantLock sweepLock = new ReentrantLock();

	private volatile long lastSweep;

	/**
	 * Creates a map.
	 * @param maxKeys how many states to keep at most, at least 1
	 * @param factory creates the state of a new key
	 * @param droppable tells whether a state may be forgotten without loss
	 * @param ticker the time source that spaces sweeps
	 * @param minSweepIntervalNanos the least time between two sweeps started by new keys
	 */
	public BoundedKeyMap(int maxKeys, Function<Object, V> factory, Predicate<V> droppable, Ticker ticker,
			long minSweepIntervalNanos) {
		this.maxKeys = Checks.atLeast(maxKeys, 1, "maxKeys");
		this.factory = Objects.requireNonNull(factory, "factory must not be null");
		this.droppable = Objects.requireNonNull(droppable, "droppable must not be null");
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		this.minSweepIntervalNanos = minSweepIntervalNanos;
		this.lastSweep = ticker.read() - minSweepIntervalNanos;
	}

	/**
	 * Returns the state of {@code key}, creating it if there is room.
	 * @param key the key
	 * @return the state, or {@code null} if the map is full of states that cannot be
	 * dropped
	 */
	public @Nullable V get(Object key) {
		V state = this.states.get(key);
		if (state != null) {
			return state;
		}
		if (this.states.size() >= this.maxKeys && !makeRoom()) {
			return null;
		}
		return this.states.computeIfAbsent(key, this.factory);
	}

	private boolean makeRoom() {
		long now = this.ticker.read();
		if (now - this.lastSweep >= this.minSweepIntervalNanos && this.sweepLock.tryLock()) {
			try {
				this.lastSweep = now;
				sweep();
			}
			finally {
				this.sweepLock.unlock();
			}
		}
		return this.states.size() < this.maxKeys;
	}

	/**
	 * Drops every state that can be dropped without loss.
	 * @return how many were dropped
	 */
	public int sweep() {
		int dropped = 0;
		for (var entry : this.states.entrySet()) {
			V state = entry.getValue();
			if (this.droppable.test(state) && this.states.remove(entry.getKey(), state)) {
				dropped++;
			}
		}
		return dropped;
	}

	/**
	 * Returns how many keys have a state.
	 * @return the number of live keys
	 */
	public int size() {
		return this.states.size();
	}

	/**
	 * Returns the most states kept.
	 * @return the bound
	 */
	public int maxKeys() {
		return this.maxKeys;
	}

	/**
	 * Changes the bound; states above a lowered bound are dropped as they become
	 * droppable.
	 * @param maxKeys the new bound, at least 1
	 */
	public void maxKeys(int maxKeys) {
		this.maxKeys = Checks.atLeast(maxKeys, 1, "maxKeys");
	}

	/**
	 * Applies {@code action} to every state (a reconfiguration, say).
	 * @param action the action
	 */
	public void forEach(Consumer<V> action) {
		this.states.values().forEach(action);
	}

}
