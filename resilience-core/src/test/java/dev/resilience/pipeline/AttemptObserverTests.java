package dev.resilience.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline's {@link AttemptObserver} is told of every attempt of its retry: its start,
 * with its number, and exactly once its end, with what it failed with, synchronously and
 * asynchronously, for attempts an inner stage rejects and for an attempt cut short by a
 * cancel.
 */
class AttemptObserverTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Recorder recorder = new Recorder();

	private Retry retry(int maxAttempts) {
		return Retry.of("retry",
				RetryConfig.builder().maxAttempts(maxAttempts).waitDuration(Duration.ofMillis(100)).build(),
				this.ticker, this.scheduler);
	}

	@Test
	void eachSynchronousAttemptStartsNumberedAndEndsOnceWithItsFailure() throws Throwable {
		Pipeline pipeline = Pipeline.builder().retry(retry(3)).attemptObserver(this.recorder).build();
		AtomicInteger calls = new AtomicInteger();
		// The manual scheduler's sleeps advance the fake time without blocking.
		Object result = pipeline.execute("ctx", (context) -> {
			if (calls.incrementAndGet() < 3) {
				throw new IllegalStateException("down " + calls.get());
			}
			return "ok";
		});
		assertThat(result).isEqualTo("ok");
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 IllegalStateException: down 1",
				"start ctx 2", "end ctx 2 IllegalStateException: down 2", "start ctx 3", "end ctx 3 result");
	}

	@Test
	void anAttemptAnInnerStageRejectsIsAnAttemptToo() {
		CircuitBreaker breaker = CircuitBreaker.of("breaker", CircuitBreakerConfig.ofDefaults(), this.ticker,
				this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		Pipeline pipeline = Pipeline.builder()
			.retry(retry(3))
			.circuitBreaker(breaker)
			.attemptObserver(this.recorder)
			.build();
		org.assertj.core.api.Assertions.assertThatExceptionOfType(CallNotPermittedException.class)
			.isThrownBy(() -> pipeline.execute("ctx", (context) -> "never"));
		// A rejection is not retried by default: one attempt.
		assertThat(this.recorder.log).hasSize(2).first().isEqualTo("start ctx 1");
		assertThat(this.recorder.log.get(1)).startsWith("end ctx 1 CallNotPermittedException");
	}

	@Test
	void eachAsynchronousAttemptEndsWhenItsStageCompletesBeforeTheNextStarts() {
		Pipeline pipeline = Pipeline.builder().retry(retry(3)).attemptObserver(this.recorder).build();
		List<CompletableFuture<Object>> stages = new CopyOnWriteArrayList<>();
		CompletableFuture<@Nullable Object> result = pipeline.executeAsync("ctx", (context) -> {
			CompletableFuture<Object> stage = new CompletableFuture<>();
			stages.add(stage);
			return stage;
		});
		assertThat(this.recorder.log).containsExactly("start ctx 1");
		stages.get(0).completeExceptionally(new IllegalStateException("down"));
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 IllegalStateException: down");
		this.scheduler.advance(Duration.ofMillis(100));
		assertThat(this.recorder.log).hasSize(3).last().isEqualTo("start ctx 2");
		stages.get(1).complete("ok");
		assertThat(result).isCompletedWithValue("ok");
		assertThat(this.recorder.log).hasSize(4).last().isEqualTo("end ctx 2 result");
	}

	@Test
	void anAttemptCutShortByACancelEndsOnceAsCancelledAndNoOtherStarts() {
		Pipeline pipeline = Pipeline.builder().retry(retry(3)).attemptObserver(this.recorder).build();
		CompletableFuture<@Nullable Object> result = pipeline.executeAsync("ctx",
				(context) -> new CompletableFuture<>());
		result.cancel(true);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(this.recorder.log).containsExactly("start ctx 1", "end ctx 1 CancellationException");
		assertThat(this.recorder.tokens).hasSize(1);
	}

	@Test
	void theTokenOfAnAttemptIsHandedBackAtItsEnd() throws Throwable {
		Pipeline pipeline = Pipeline.builder().retry(retry(2)).attemptObserver(this.recorder).build();
		AtomicInteger calls = new AtomicInteger();
		pipeline.execute("ctx", (context) -> {
			if (calls.incrementAndGet() == 1) {
				throw new IllegalStateException("down");
			}
			return "ok";
		});
		assertThat(this.recorder.ended).containsExactlyElementsOf(this.recorder.tokens);
	}

	@Test
	void withoutARetryTheObserverIsNeverCalled() throws Throwable {
		Pipeline pipeline = Pipeline.builder().attemptObserver(this.recorder).build();
		assertThat(pipeline.execute("ctx", (context) -> "ok")).isEqualTo("ok");
		assertThat(pipeline.executeAsync("ctx", (context) -> CompletableFuture.completedFuture("ok")))
			.isCompletedWithValue("ok");
		assertThat(this.recorder.log).isEmpty();
		assertThat(pipeline.attemptObserver()).isSameAs(this.recorder);
	}

	@Test
	void aPipelineWithoutObserverHasNone() {
		assertThat(Pipeline.builder().retry(retry(2)).build().attemptObserver()).isNull();
		org.assertj.core.api.Assertions.assertThatNullPointerException()
			.isThrownBy(() -> Pipeline.builder().attemptObserver(null));
	}

	/** Records what it is told. */
	static final class Recorder implements AttemptObserver {

		final List<String> log = new CopyOnWriteArrayList<>();

		final List<Object> tokens = new CopyOnWriteArrayList<>();

		final List<Object> ended = new CopyOnWriteArrayList<>();

		@Override
		public Object started(Object context, int attempt) {
			this.log.add("start " + context + " " + attempt);
			Object token = new Object();
			this.tokens.add(token);
			return token;
		}

		@Override
		public void ended(Object context, @Nullable Object token, @Nullable Throwable failure) {
			this.ended.add(token);
			int attempt = this.tokens.indexOf(token) + 1;
			this.log.add(
					"end " + context + " " + attempt + " "
							+ ((failure == null) ? "result" : failure.getClass().getSimpleName()
									+ ((failure instanceof CancellationException || failure.getMessage() == null) ? ""
											: ": " + failure.getMessage())));
		}

	}

}
