package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-instance ring of recent events: bounded, in order, without duplicates, also
 * under concurrent writers and readers.
 */
class EventRingTests {

	@Test
	void keepsTheLastEventsInOrder() {
		EventRing ring = new EventRing(3);
		assertThat(ring.snapshot()).isEmpty();
		List<CircuitBreakerEvent> events = events(5);
		ring.add(Instant.EPOCH, events.get(0), null);
		ring.add(Instant.EPOCH, events.get(1), null);
		assertThat(ring.snapshot()).extracting((event) -> event.sequence).containsExactly(0L, 1L);
		for (int i = 2; i < 5; i++) {
			ring.add(Instant.EPOCH, events.get(i), null);
		}
		assertThat(ring.snapshot()).extracting((event) -> event.sequence).containsExactly(2L, 3L, 4L);
		assertThat(ring.snapshot()).extracting(EventRingTests::failureMessage)
			.containsExactly("call 2", "call 3", "call 4");
	}

	@Test
	void aRingByIdKeepsTheLatestEventsAndGivesThoseAfterAPosition() {
		EventRing ring = EventRing.byId(3);
		List<CircuitBreakerEvent> events = events(5);
		for (int i = 0; i < 5; i++) {
			// Positions claimed from the ring by id, sequences from elsewhere.
			ring.store(RecordedEvent.of(100 + i, ring.claim(), Instant.EPOCH, events.get(i), null));
		}
		assertThat(ring.snapshot()).extracting((event) -> event.id).containsExactly(2L, 3L, 4L);
		assertThat(ring.after(2)).extracting((event) -> event.id).containsExactly(3L, 4L);
		assertThat(ring.after(0)).extracting((event) -> event.id).containsExactly(2L, 3L, 4L);
		assertThat(ring.after(4)).isEmpty();
		assertThat(ring.after(Long.MAX_VALUE)).isEmpty();
		assertThat(ring.after(Long.MIN_VALUE)).hasSize(3);
	}

	@Test
	void cutsLongFailureMessages() {
		EventRing ring = new EventRing(1);
		String message = "x".repeat(RecordedEvent.MAX_MESSAGE_LENGTH + 100);
		CircuitBreaker breaker = CircuitBreaker.of("long", CircuitBreakerConfig.ofDefaults());
		breaker.events().onEvent((event) -> ring.add(Instant.EPOCH, event, null));
		breaker.acquirePermit().onFailure(0, new IOException(message));
		assertThat(failureMessage(ring.snapshot().get(0))).hasSize(RecordedEvent.MAX_MESSAGE_LENGTH + 3)
			.endsWith("x...");
	}

	@Test
	@Timeout(10)
	void staysBoundedOrderedAndFreeOfDuplicatesUnderConcurrentWriters() throws Exception {
		int capacity = 64;
		int writers = 6;
		int eventsPerWriter = 20_000;
		EventRing ring = new EventRing(capacity);
		CircuitBreakerEvent event = events(1).get(0);
		ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
		try {
			CountDownLatch start = new CountDownLatch(1);
			AtomicBoolean writing = new AtomicBoolean(true);
			List<Future<?>> futures = new ArrayList<>();
			for (int w = 0; w < writers; w++) {
				futures.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < eventsPerWriter; i++) {
						ring.add(Instant.EPOCH, event, null);
					}
					return null;
				}));
			}
			Future<Integer> reader = executor.submit(() -> {
				start.await();
				int snapshots = 0;
				while (writing.get()) {
					assertOrderedAndBounded(ring.snapshot(), capacity);
					snapshots++;
				}
				return snapshots;
			});
			start.countDown();
			for (Future<?> future : futures) {
				future.get(10, TimeUnit.SECONDS);
			}
			writing.set(false);
			assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
		}
		finally {
			executor.shutdownNow();
		}
		// Once the writers are done, a newer event always won its slot: exactly the last
		// `capacity` events are there.
		long total = (long) writers * eventsPerWriter;
		assertThat(ring.snapshot()).extracting((recorded) -> recorded.sequence)
			.containsExactlyElementsOf(LongStream.range(total - capacity, total).boxed().toList());
	}

	private static void assertOrderedAndBounded(List<RecordedEvent> snapshot, int capacity) {
		assertThat(snapshot).hasSizeLessThanOrEqualTo(capacity);
		for (int i = 1; i < snapshot.size(); i++) {
			assertThat(snapshot.get(i).sequence).isGreaterThan(snapshot.get(i - 1).sequence);
		}
	}

	private static String failureMessage(RecordedEvent event) {
		Map<?, ?> failure = (Map<?, ?>) event.details().get("failure");
		return (String) failure.get("message");
	}

	/** Real events from a circuit breaker: failures "call 0", "call 1", ... */
	private static List<CircuitBreakerEvent> events(int count) {
		List<CircuitBreakerEvent> events = new ArrayList<>();
		CircuitBreaker breaker = CircuitBreaker.of("ring",
				CircuitBreakerConfig.builder().failureRateThreshold(100).minimumNumberOfCalls(100).build());
		breaker.events().onEvent(events::add);
		for (int i = 0; i < count; i++) {
			breaker.acquirePermit().onFailure(0, new IOException("call " + i));
		}
		return events;
	}

}
