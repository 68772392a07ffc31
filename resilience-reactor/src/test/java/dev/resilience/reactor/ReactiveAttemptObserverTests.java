package dev.resilience.reactor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.pipeline.AttemptObserver;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator tells a pipeline's {@link AttemptObserver} of every attempt (each a
 * subscription of the source) with the subscription's call context: its start, and
 * exactly once its end, at an error, a completion, or a cancellation.
 */
class ReactiveAttemptObserverTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Recorder recorder = new Recorder();

	private Pipeline pipeline(int maxAttempts) {
		return Pipeline.builder()
			.retry(Retry.of("retry",
					RetryConfig.builder().maxAttempts(maxAttempts).waitDuration(Duration.ofMillis(100)).build(),
					this.ticker, this.scheduler))
			.attemptObserver(this.recorder)
			.build();
	}

	@Test
	void eachResubscriptionIsAnAttemptToldWithTheCallContext() {
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.fromCallable(() -> {
			if (subscriptions.incrementAndGet() < 3) {
				throw new IllegalStateException("down");
			}
			return "ok";
		});
		List<String> results = new CopyOnWriteArrayList<>();
		source.transformDeferred(ResilienceOperator.of(pipeline(3), (context) -> context.get("call")))
			.contextWrite(Context.of("call", "ctx"))
			.subscribe(results::add);
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(results).containsExactly("ok");
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 IllegalStateException", "start ctx 2",
				"end ctx 2 IllegalStateException", "start ctx 3", "end ctx 3 result");
	}

	@Test
	void anAttemptCancelledBeforeAnyElementEndsOnceAsCancelled() {
		Sinks.One<String> never = Sinks.one();
		Disposable subscription = never.asMono()
			.transformDeferred(ResilienceOperator.of(pipeline(3), (context) -> "ctx"))
			.subscribe();
		subscription.dispose();
		subscription.dispose();
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 CancellationException");
	}

	@Test
	void aStreamCancelledAfterAnElementEndsItsAttemptWithAResult() {
		Sinks.Many<String> elements = Sinks.many().multicast().onBackpressureBuffer();
		List<String> seen = new CopyOnWriteArrayList<>();
		Disposable subscription = elements.asFlux()
			.transformDeferred(ResilienceOperator.of(pipeline(3), (context) -> "ctx"))
			.subscribe(seen::add);
		elements.tryEmitNext("one");
		assertThat(this.recorder.log).containsExactly("start ctx 1");
		subscription.dispose();
		assertThat(seen).containsExactly("one");
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 result");
	}

	@Test
	void aStreamsAttemptEndsAtItsCompletion() {
		List<String> seen = Flux.just("one", "two")
			.transformDeferred(ResilienceOperator.<String>of(pipeline(3), (context) -> "ctx"))
			.collectList()
			.block();
		assertThat(seen).containsExactly("one", "two");
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 result");
	}

	/** Records what it is told; checks every token is ended once. */
	static final class Recorder implements AttemptObserver {

		final List<String> log = new CopyOnWriteArrayList<>();

		final List<Object> tokens = new CopyOnWriteArrayList<>();

		@Override
		public Object started(Object context, int attempt) {
			this.log.add("start " + context + " " + attempt);
			Object token = Integer.valueOf(attempt);
			this.tokens.add(token);
			return token;
		}

		@Override
		public void ended(Object context, @Nullable Object token, @Nullable Throwable failure) {
			assertThat(this.tokens.remove(token)).as("the token of a started attempt, ended once").isTrue();
			this.log.add("end " + context + " " + token + " "
					+ ((failure == null) ? "result" : failure.getClass().getSimpleName()));
		}

	}

}
