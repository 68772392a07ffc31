package dev.resilience.pipeline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * An AIMD bulkhead behind a pipeline, on fake time: every outcome gives the place back
 * once with its sample, and failures, timeouts and cancels move the limit.
 */
class AdaptiveBulkheadStageTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Bulkhead bulkhead = Bulkhead.of("adaptive",
			BulkheadConfig.builder()
				.limitAlgorithm(LimitAlgorithm.AIMD)
				.initialLimit(10)
				.timeout(Duration.ofSeconds(1))
				.build(),
			this.ticker, this.scheduler);

	private final Pipeline pipeline = Pipeline.builder().bulkhead(this.bulkhead).build();

	private int limit() {
		return this.bulkhead.metrics().maxConcurrentCalls();
	}

	@Test
	void aSynchronousFailureLowersTheLimitAndASuccessDoesNot() throws Throwable {
		assertThat(this.pipeline.execute("ok", (context) -> context)).isEqualTo("ok");
		assertThat(limit()).as("one in flight of 10: app-limited").isEqualTo(10);
		assertThatIllegalStateException().isThrownBy(() -> this.pipeline.execute("x", (context) -> {
			throw new IllegalStateException("boom");
		}));
		assertThat(limit()).isEqualTo(9);
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
	}

	@Test
	void aSynchronousCallSlowerThanTheTimeoutLowersTheLimit() throws Throwable {
		this.pipeline.execute("slow", (context) -> {
			this.ticker.advance(Duration.ofMillis(1500));
			return context;
		});
		assertThat(limit()).isEqualTo(9);
	}

	@Test
	void anExceptionallyCompletedFutureLowersTheLimit() {
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<Object> result = this.pipeline.executeAsync("x", (context) -> call);
		assertThat(this.bulkhead.metrics().activeCalls()).isEqualTo(1);
		call.completeExceptionally(new IllegalStateException("boom"));
		assertThat(result).isCompletedExceptionally();
		assertThat(limit()).isEqualTo(9);
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
		CompletableFuture<String> ok = new CompletableFuture<>();
		this.pipeline.executeAsync("x", (context) -> ok);
		ok.complete("ok");
		assertThat(limit()).isEqualTo(9);
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
	}

	@Test
	void aCancelledFutureGivesThePlaceBackOnceAsADrop() {
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<Object> result = this.pipeline.executeAsync("x", (context) -> call);
		result.cancel(true);
		assertThat(limit()).isEqualTo(9);
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
		call.complete("late");
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
		assertThat(limit()).isEqualTo(9);
	}

}
