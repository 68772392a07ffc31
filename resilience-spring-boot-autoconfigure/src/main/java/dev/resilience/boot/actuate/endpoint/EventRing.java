package dev.resilience.boot.actuate.endpoint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/*
 * The last `capacity` events of one instance (or, numbered by id, of every instance),
 * lock-free.
 *
 * A writer claims the next position with one getAndIncrement and stores its event in
 * slot (position % capacity) with a compare-and-set that never replaces a newer event by
 * an older one (a writer that stalled between claiming and storing loses its event
 * rather than overwriting a newer one). Nothing blocks and nothing grows: the ring holds
 * at most `capacity` events.
 *
 * A reader reads the next position, then the slots of the last `capacity` positions (or
 * of those after a given one), and keeps only the events whose position is the one
 * expected in that slot: a slot whose writer has not stored yet, or that a writer has
 * already reused, is skipped. The snapshot is therefore in position order, without
 * duplicates, and may miss events written while it was read, which is all a view of
 * recent events needs.
 *
 * An instance's ring numbers its events by RecordedEvent.sequence; the ring of every
 * instance (RecentEvents' latest events) by RecordedEvent.id, the position claimed from
 * it with claim() before the event is built.
 */
final class EventRing {

	private final AtomicReferenceArray<@Nullable RecordedEvent> slots;

	private final AtomicLong next = new AtomicLong();

	private final boolean byId;

	EventRing(int capacity) {
		this(capacity, false);
	}

	private EventRing(int capacity, boolean byId) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
		}
		this.slots = new AtomicReferenceArray<>(capacity);
		this.byId = byId;
	}

	/**
	 * Returns a ring whose events are positioned by their {@link RecordedEvent#id id},
	 * claimed from it with {@link #claim()}.
	 * @param capacity the most recent events kept
	 * @return the ring
	 */
	static EventRing byId(int capacity) {
		return new EventRing(capacity, true);
	}

	int capacity() {
		return this.slots.length();
	}

	void add(Instant timestamp, ResilienceEvent event, @Nullable String bulkheadType) {
		store(RecordedEvent.of(claim(), -1, timestamp, event, bulkheadType));
	}

	/**
	 * Claims the next position, for an event to {@link #store(RecordedEvent) store}.
	 * @return the position, from 0
	 */
	long claim() {
		return this.next.getAndIncrement();
	}

	/**
	 * Stores an event at the position it carries, claimed from this ring.
	 * @param recorded the event
	 */
	void store(RecordedEvent recorded) {
		long position = positionOf(recorded);
		int index = (int) (position % this.slots.length());
		while (true) {
			RecordedEvent current = this.slots.get(index);
			if (current != null && positionOf(current) > position) {
				return;
			}
			if (this.slots.compareAndSet(index, current, recorded)) {
				return;
			}
		}
	}

	private long positionOf(RecordedEvent event) {
		return this.byId ? event.id : event.sequence;
	}

	List<RecordedEvent> snapshot() {
		return after(-1);
	}

	/**
	 * Returns the kept events whose position is after {@code position}, in position
	 * order.
	 * @param position the last position the caller has, or {@code -1} for all kept
	 * @return the events
	 */
	List<RecordedEvent> after(long position) {
		long end = this.next.get();
		if (position >= end - 1) {
			return new ArrayList<>(0);
		}
		int capacity = this.slots.length();
		long start = Math.max(Math.max(0, end - capacity), position + 1);
		List<RecordedEvent> result = new ArrayList<>((int) Math.max(0, end - start));
		for (long expected = start; expected < end; expected++) {
			RecordedEvent event = this.slots.get((int) (expected % capacity));
			if (event != null && positionOf(event) == expected) {
				result.add(event);
			}
		}
		return result;
	}

}
