package dev.resilience.boot.actuate.endpoint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/*
 * The last `capacity` events of one instance, lock-free.
 *
 * A writer claims the next sequence number with one getAndIncrement and stores its event
 * in slot (sequence % capacity) with a compare-and-set that never replaces a newer event
 * by an older one (a writer that stalled between claiming and storing loses its event
 * rather than overwriting a newer one). Nothing blocks and nothing grows: the ring holds
 * at most `capacity` events.
 *
 * A reader reads the next sequence number, then the slots of the last `capacity`
 * sequence numbers, and keeps only the events whose sequence is the one expected in that
 * slot: a slot whose writer has not stored yet, or that a writer has already reused, is
 * skipped. The snapshot is therefore in sequence order, without duplicates, and may miss
 * events written while it was read, which is all a view of recent events needs.
 */
final class EventRing {

	private final AtomicReferenceArray<@Nullable RecordedEvent> slots;

	private final AtomicLong next = new AtomicLong();

	EventRing(int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
		}
		this.slots = new AtomicReferenceArray<>(capacity);
	}

	int capacity() {
		return this.slots.length();
	}

	void add(Instant timestamp, ResilienceEvent event, @Nullable String bulkheadType) {
		long sequence = this.next.getAndIncrement();
		RecordedEvent recorded = RecordedEvent.of(sequence, timestamp, event, bulkheadType);
		int index = (int) (sequence % this.slots.length());
		while (true) {
			RecordedEvent current = this.slots.get(index);
			if (current != null && current.sequence > sequence) {
				return;
			}
			if (this.slots.compareAndSet(index, current, recorded)) {
				return;
			}
		}
	}

	List<RecordedEvent> snapshot() {
		long end = this.next.get();
		int capacity = this.slots.length();
		long start = Math.max(0, end - capacity);
		List<RecordedEvent> result = new ArrayList<>((int) (end - start));
		for (long sequence = start; sequence < end; sequence++) {
			RecordedEvent event = this.slots.get((int) (sequence % capacity));
			if (event != null && event.sequence == sequence) {
				result.add(event);
			}
		}
		return result;
	}

}
