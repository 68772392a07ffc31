package dev.resilience.internal;

import dev.resilience.core.Ticker;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/*
 * Design.
 *
 * A ConcurrentHashMap from key to state, plus an AtomicInteger of taken slots. A new key
 * takes a slot with a CAS bounded by maxKeys inside computeIfAbsent, so under its bin's
 * lock: a second caller of the same key waits for the creation in progress instead of
 * being refused beside it. A slot is given back by whoever removes a state from the map
 * (ConcurrentHashMap.remove(key, state) answers true to exactly one thread), after the
 * removal. So map size <= slots <= maxKeys at every instant, whatever the number of
 * threads creating keys.
 *
 * Forgetting a state is two steps: the state retires itself (State.retire), atomically
 * with the operations that change it (one CAS on the state's own word, which every
 * acquire also CASes), and only then is it removed. A retired state never grants again:
 * an operation that finds it retired asks the map for the key's live state and carries
 * on there. So a caller that held a state across its forgetting (forKey, then acquire)
 * cannot use a copy that the next caller does not see, and a state is retired only when
 * it is the same as a fresh one (a full bucket, no call in flight), so nothing is lost:
 * the live state that replaces it starts where the retired one stood.
 *
 * When no slot is free, the caller sweeps (retires and removes every state that can go)
 * under a lock, waiting for a sweep in progress rather than giving up, so a new key is
 * refused only when a sweep that started after it asked found nothing to forget. Sweeps
 * cost O(size), so a sweep that found nothing remembers when the soonest state can go
 * without any event (a bucket refills with time): until then, and until something
 * happened that may make a state go sooner (changed(): a new state, a rate limiter's
 * permits given back, a reconfiguration), a refusal costs no sweep. States that become
 * forgettable by an event rather than by time (a bulkhead whose last call ended) retire
 * themselves on that event while the map is under pressure (full once, and not yet
 * drained below three quarters), so they never linger in a full map.
 */
/**
 * The per-key states of one instance (a bucket per user, a bulkhead per tenant), bounded
 * in memory whatever the number of distinct keys callers send.
 * <p>
 * A state is forgotten only when forgetting it loses nothing: when it is the same as a
 * fresh one (a rate limiter's bucket that has refilled, a bulkhead with no call in
 * flight). So expiry is exact and needs no setting. At most {@code maxKeys} keys hold a
 * state at any instant; a new key beyond that is refused ({@link #get(Object)} answers
 * {@code null}) only when none of the stored states could be forgotten.
 * <p>
 * For the primitives' per-key state; not meant for application code. Thread-safe; looking
 * up a known key is one {@link ConcurrentHashMap#get} and takes no lock.
 *
 * @param <V> the state type
 */
public final class BoundedKeyMap<V extends BoundedKeyMap.State> {

	private final ConcurrentHashMap<Object, V> states = new ConcurrentHashMap<>();

	private final AtomicInteger slots = new AtomicInteger();

	private final Function<Object, V> factory;

	private final Function<Object, @Nullable V> create = this::create;

	private final Ticker ticker;

	private volatile int maxKeys;

	// Set when a new key found no free slot; cleared once the map drained below three
	// quarters of maxKeys.
	private volatile boolean pressure;

	// Bumped by anything that may let a state be forgotten sooner than the last sweep
	// found.
	private final AtomicInteger changes = new AtomicInteger();

	private final ReentrantLock sweepLock = new ReentrantLock();

	// The last sweep that found nothing more to forget (guarded by sweepLock): at
	// cleanAt, with changes at cleanChanges, no state could go for cleanForNanos.
	private boolean clean;

	private long cleanAt;

	private long cleanForNanos;

	private int cleanChanges;

	/**
	 * Creates a map.
	 * @param maxKeys how many states to keep at most, at least 1
	 * @param factory creates the state of a new key
	 * @param ticker the time that states are retired at
	 */
	public BoundedKeyMap(int maxKeys, Function<Object, V> factory, Ticker ticker) {
		this.maxKeys = SettingValidation.atLeast(maxKeys, 1, "maxKeys");
		this.factory = Objects.requireNonNull(factory, "factory must not be null");
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
	}

	/**
	 * Returns the live (not retired) state of {@code key}, creating it if there is room.
	 * @param key the key
	 * @return the state, or {@code null} if {@code maxKeys} states are stored and none of
	 * them can be forgotten
	 */
	public @Nullable V get(Object key) {
		V state = this.states.get(key);
		if (state != null && !state.isRetired()) {
			return state;
		}
		return getSlowly(key, state);
	}

	private @Nullable V getSlowly(Object key, @Nullable V found) {
		V state = found;
		boolean swept = false;
		while (true) {
			if (state != null) {
				// Retired but not yet removed by whoever retired it: help.
				remove(key, state);
			}
			// The slot is taken under the key's bin lock, so a caller of the same key
			// waits for a creation in progress rather than being refused beside it.
			state = this.states.computeIfAbsent(key, this.create);
			if (state != null) {
				if (!state.isRetired()) {
					return state;
				}
				continue;
			}
			if (swept) {
				return null;
			}
			// No slot: forget what can be forgotten, then try once more.
			swept = !makeRoom();
		}
	}

	private @Nullable V create(Object key) {
		if (!takeSlot()) {
			return null;
		}
		// A fresh state can be forgotten at once: a sweep that found nothing no longer
		// says so.
		this.changes.incrementAndGet();
		return this.factory.apply(key);
	}

	private boolean takeSlot() {
		while (true) {
			int taken = this.slots.get();
			if (taken >= this.maxKeys) {
				return false;
			}
			if (this.slots.compareAndSet(taken, taken + 1)) {
				return true;
			}
		}
	}

	private void remove(Object key, V state) {
		if (this.states.remove(key, state)) {
			int taken = this.slots.decrementAndGet();
			if (this.pressure && taken < this.maxKeys - this.maxKeys / 4) {
				this.pressure = false;
				// States that go by an event no longer retire themselves.
				this.changes.incrementAndGet();
			}
		}
	}

	/**
	 * Frees slots for new keys if any stored state can be forgotten.
	 * @return {@code true} if a slot is free now (another caller may take it first)
	 */
	private boolean makeRoom() {
		// Before the sweep reads the states: a state that becomes forgettable by an
		// event after the sweep looked at it sees the pressure and retires itself.
		this.pressure = true;
		this.sweepLock.lock();
		try {
			if (this.slots.get() < this.maxKeys) {
				return true;
			}
			long now = this.ticker.read();
			if (this.clean && this.cleanChanges == this.changes.get() && now - this.cleanAt < this.cleanForNanos) {
				return false;
			}
			sweepLocked(now);
			return this.slots.get() < this.maxKeys;
		}
		finally {
			this.sweepLock.unlock();
		}
	}

	private int sweepLocked(long now) {
		int changesBefore = this.changes.get();
		long soonest = Long.MAX_VALUE;
		int dropped = 0;
		for (var entry : this.states.entrySet()) {
			V state = entry.getValue();
			long wait = state.retire(now);
			if (wait <= 0) {
				remove(entry.getKey(), state);
				dropped++;
			}
			else {
				soonest = Math.min(soonest, wait);
			}
		}
		this.clean = true;
		this.cleanAt = now;
		this.cleanForNanos = soonest;
		this.cleanChanges = changesBefore;
		return dropped;
	}

	/**
	 * Forgets every state that can be forgotten without loss.
	 * @return how many were forgotten
	 */
	public int sweep() {
		this.sweepLock.lock();
		try {
			return sweepLocked(this.ticker.read());
		}
		finally {
			this.sweepLock.unlock();
		}
	}

	/**
	 * Forgets {@code state} of {@code key} if it can be forgotten now, while the map is
	 * under pressure; for states that become forgettable by an event (a bulkhead whose
	 * last call ended), called on that event.
	 * @param key the key
	 * @param state its state
	 */
	public void forgetIfPressed(Object key, V state) {
		if (this.pressure && state.retire(0) <= 0) {
			remove(key, state);
		}
	}

	/**
	 * Says that a state may have become forgettable sooner than the last sweep found (a
	 * rate limiter's permits given back, a reconfiguration).
	 */
	public void changed() {
		this.changes.incrementAndGet();
	}

	/**
	 * Returns how many keys hold a state now, without forgetting any.
	 * @return the number of stored states
	 */
	public int size() {
		return this.states.size();
	}

	/**
	 * Forgets what can be forgotten, then returns how many keys hold a state that differs
	 * from a fresh one. Costs a sweep (linear in the number of keys): for metrics, not
	 * for the call path.
	 * @return the number of live keys
	 */
	public int liveKeys() {
		sweep();
		return size();
	}

	/**
	 * Returns the most states kept.
	 * @return the bound
	 */
	public int maxKeys() {
		return this.maxKeys;
	}

	/**
	 * Changes the bound; above a lowered bound, new keys are refused until enough states
	 * have been forgotten.
	 * @param maxKeys the new bound, at least 1
	 */
	public void maxKeys(int maxKeys) {
		this.maxKeys = SettingValidation.atLeast(maxKeys, 1, "maxKeys");
		changed();
	}

	/**
	 * Applies {@code action} to every stored state (a reconfiguration, say). States added
	 * while it runs may or may not be seen.
	 * @param action the action
	 */
	public void forEach(java.util.function.Consumer<V> action) {
		this.states.values().forEach(action);
	}

	/**
	 * A per-key state that can retire itself, atomically with the operations that change
	 * it, once it is the same as a fresh one. A retired state is never used again: its
	 * operations go to the key's live state ({@link #get(Object)}).
	 */
	public interface State {

		/**
		 * Retires this state if it is the same as a fresh one.
		 * @param now the ticker reading to judge by
		 * @return zero or less if it is retired (now or before); otherwise the
		 * nanoseconds after {@code now} before it could be retired if nothing else
		 * happens, {@link Long#MAX_VALUE} if only an event can make it retirable
		 */
		long retire(long now);

		/**
		 * Tells whether this state was retired.
		 * @return {@code true} once retired
		 */
		boolean isRetired();

	}

}
