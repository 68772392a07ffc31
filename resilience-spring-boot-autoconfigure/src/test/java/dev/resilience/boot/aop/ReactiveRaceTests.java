package dev.resilience.boot.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Many concurrent subscriptions whose completion, error and cancellation race on
 * different threads: afterwards no bulkhead place and no half-open trial slot is leaked
 * or given back twice, and every subscriber that did not cancel got exactly one terminal
 * signal.
 */
@org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactiveRaceTests {

	private static final int WORKERS = 4;

	private static final int ITERATIONS = 400;

	// Far more trial calls than the test makes, so the breaker stays half-open and its
	// free slots can be counted at the end.
	private static final int TRIALS = 10_000;

	private static final int PLACES = 2;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withBean(Racy.class)
		.withPropertyValues(
				"resilience.circuitbreaker.instances.race.permitted-number-of-calls-in-half-open-state=" + TRIALS,
				"resilience.bulkhead.instances.race.max-concurrent-calls=" + PLACES,
				"resilience.timeout.instances.race.timeout-duration=30s");

	private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);

	private final ExecutorService enders = Executors.newFixedThreadPool(WORKERS);

	@AfterEach
	void shutdown() throws InterruptedException {
		this.workers.shutdownNow();
		this.enders.shutdownNow();
		assertThat(this.workers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		assertThat(this.enders.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void racingCancelsCompletionsAndErrorsLeakNoPermitAndTerminateEverySubscriberOnce(boolean mono) {
		this.contextRunner.run((context) -> {
			Racy racy = context.getBean(Racy.class);
			dev.resilience.circuitbreaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class)
				.instance("race");
			dev.resilience.bulkhead.Bulkhead bulkhead = context.getBean(BulkheadRegistry.class).instance("race");
			breaker.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
			LongAdder cancelled = new LongAdder();
			LongAdder doubleTerminals = new LongAdder();
			LongAdder missingTerminals = new LongAdder();
			List<Future<?>> running = new ArrayList<>();
			for (int w = 0; w < WORKERS; w++) {
				running.add(this.workers.submit(() -> {
					for (int i = 0; i < ITERATIONS; i++) {
						race(racy, mono, cancelled, doubleTerminals, missingTerminals);
					}
					return null;
				}));
			}
			for (Future<?> worker : running) {
				worker.get(50, TimeUnit.SECONDS);
			}
			assertThat(doubleTerminals.sum()).as("subscribers with two terminal signals").isZero();
			assertThat(missingTerminals.sum()).as("subscribers that did not cancel and got no terminal").isZero();
			assertThat(cancelled.sum()).as("cancellations that raced").isPositive();
			assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(PLACES);
			// Every trial permit was recorded once or released once: exactly the
			// unrecorded ones are free.
			assertThat(breaker.state()).isEqualTo(dev.resilience.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
			int recorded = breaker.metrics().bufferedCalls();
			assertThat(recorded).isPositive();
			List<dev.resilience.circuitbreaker.CircuitBreaker.Permit> free = new ArrayList<>();
			for (int i = 0; i < TRIALS - recorded; i++) {
				free.add(breaker.acquirePermit());
			}
			assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
			free.forEach(dev.resilience.circuitbreaker.CircuitBreaker.Permit::release);
		});
	}

	private void race(Racy racy, boolean mono, LongAdder cancelled, LongAdder doubleTerminals,
			LongAdder missingTerminals) throws Exception {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		AtomicInteger terminals = new AtomicInteger();
		Runnable end;
		Disposable subscription;
		boolean fail = random.nextBoolean();
		if (mono) {
			Sinks.One<Integer> sink = Sinks.one();
			subscription = racy.one(sink.asMono())
				.subscribe(null, (ex) -> terminals.incrementAndGet(), terminals::incrementAndGet);
			end = fail ? () -> sink.tryEmitError(new IllegalStateException("down")) : () -> sink.tryEmitValue(1);
		}
		else {
			Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
			subscription = racy.many(sink.asFlux())
				.subscribe(null, (ex) -> terminals.incrementAndGet(), terminals::incrementAndGet);
			end = () -> {
				sink.tryEmitNext(1);
				if (fail) {
					sink.tryEmitError(new IllegalStateException("down"));
				}
				else {
					sink.tryEmitComplete();
				}
			};
		}
		boolean cancel = random.nextInt(3) > 0;
		Future<?> ending = this.enders.submit(end);
		if (cancel) {
			// Spin a little so that the cancellation lands anywhere around the end.
			for (int spin = random.nextInt(200); spin > 0; spin--) {
				Thread.onSpinWait();
			}
			subscription.dispose();
			cancelled.increment();
		}
		ending.get(10, TimeUnit.SECONDS);
		// The terminal signal, if any, was delivered on the ender's thread before the
		// future completed.
		if (terminals.get() > 1) {
			doubleTerminals.increment();
		}
		if (!cancel && terminals.get() != 1) {
			missingTerminals.increment();
		}
	}

	static class Racy {

		// A rejection by the full bulkhead ends a subscription too: it is part of the
		// race.
		@CircuitBreaker(name = "race")
		@dev.resilience.annotation.Timeout(name = "race")
		@Bulkhead(name = "race")
		public Flux<Integer> many(Flux<Integer> source) {
			return source;
		}

		@CircuitBreaker(name = "race")
		@dev.resilience.annotation.Timeout(name = "race")
		@Bulkhead(name = "race")
		public Mono<Integer> one(Mono<Integer> source) {
			return source;
		}

	}

}
