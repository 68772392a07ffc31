package dev.resilience.circuitbreaker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Type;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first rejection of each opening on {@link CircuitBreaker#stateEvents()}: exactly
 * one, after the opening's own event, however many threads are rejected at once, and
 * whether the rejections race the transition or come after it. Bounded in threads,
 * openings and time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@Tag("concurrency")
class CircuitBreakerStateEventsConcurrencyTests {

	private static final int THREADS = 8;

	private static final int OPENINGS = 100;

	private final FakeTicker ticker = new FakeTicker();

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS);

	@AfterEach
	void stopThreads() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(5, TimeUnit.SECONDS);
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("backend",
				CircuitBreakerConfig.builder()
					.slidingWindowSize(2)
					.minimumNumberOfCalls(2)
					.waitDurationInOpenState(Duration.ofSeconds(10))
					.build(),
				this.ticker, new ManualScheduler(this.ticker));
	}

	@Test
	void rejectionsRacingEveryOpeningPublishExactlyOneFirstRejectionAfterIt() throws Exception {
		CircuitBreaker breaker = breaker();
		List<CircuitBreakerEvent> events = Collections.synchronizedList(new ArrayList<>());
		breaker.stateEvents().onEvent(events::add);
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch started = new CountDownLatch(THREADS);
		List<Future<?>> callers = new ArrayList<>();
		for (int i = 0; i < THREADS; i++) {
			callers.add(this.executor.submit(() -> {
				started.countDown();
				while (running.get()) {
					try {
						breaker.acquirePermit().release();
					}
					catch (CallNotPermittedException ex) {
						// Expected while open.
					}
				}
				return null;
			}));
		}
		started.await();
		for (int opening = 1; opening <= OPENINGS; opening++) {
			// Alternate the ways in: the breaker's own opening and the manual ones.
			if (opening % 3 == 0) {
				breaker.transitionTo(State.FORCED_OPEN);
			}
			else if (opening % 3 == 1) {
				breaker.transitionTo(State.OPEN);
			}
			else {
				breaker.acquirePermit().onFailure(0, new IllegalStateException("boom"));
				breaker.acquirePermit().onFailure(0, new IllegalStateException("boom"));
			}
			// The callers are spinning: wait (bounded by the timeout) until this opening
			// published its first rejection, then close it.
			while (count(events, Type.NOT_PERMITTED) < opening) {
				Thread.onSpinWait();
			}
			breaker.transitionTo(State.CLOSED);
		}
		running.set(false);
		for (Future<?> caller : callers) {
			caller.get(10, TimeUnit.SECONDS);
		}
		List<CircuitBreakerEvent> published = List.copyOf(events);
		assertThat(count(published, Type.NOT_PERMITTED)).isEqualTo(OPENINGS);
		// Opening, first rejection, closing; as many times as there were openings.
		assertThat(published).hasSize(3 * OPENINGS);
		for (int i = 0; i < published.size(); i += 3) {
			assertThat(published.get(i).type()).isEqualTo(Type.STATE_TRANSITION);
			assertThat(published.get(i).toState()).isIn(State.OPEN, State.FORCED_OPEN);
			assertThat(published.get(i + 1).type()).as("event %d", i + 1).isEqualTo(Type.NOT_PERMITTED);
			assertThat(published.get(i + 1).cause()).isEqualTo(published.get(i).cause());
			assertThat(published.get(i + 2).toState()).isEqualTo(State.CLOSED);
		}
	}

	@Test
	void manyThreadsRejectedAtOnceAfterAnOpeningPublishOneFirstRejection() throws Exception {
		for (int round = 0; round < 20; round++) {
			CircuitBreaker breaker = breaker();
			List<CircuitBreakerEvent> events = Collections.synchronizedList(new ArrayList<>());
			breaker.stateEvents().onEvent(events::add);
			breaker.transitionTo(State.OPEN);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> callers = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				callers.add(this.executor.submit(() -> {
					start.await();
					for (int call = 0; call < 200; call++) {
						try {
							breaker.acquirePermit();
						}
						catch (CallNotPermittedException ex) {
							// Every call is rejected.
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> caller : callers) {
				caller.get(10, TimeUnit.SECONDS);
			}
			assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(THREADS * 200);
			assertThat(events).extracting(CircuitBreakerEvent::type)
				.containsExactly(Type.STATE_TRANSITION, Type.NOT_PERMITTED);
		}
	}

	private static long count(List<CircuitBreakerEvent> events, Type type) {
		synchronized (events) {
			return events.stream().filter((event) -> event.type() == type).count();
		}
	}

}
