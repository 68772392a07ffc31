package dev.resilience.timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Timeout#reset()}: the counters restart from zero; calls in flight keep their
 * deadlines.
 */
class TimeoutResetTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Timeout timeout = Timeout.of("test",
			TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).build(), this.ticker, this.scheduler);

	@Test
	void resetZeroesTheCounters() throws Throwable {
		this.timeout.execute(() -> "ok");
		this.timeout.onFailure(new IllegalStateException());
		this.timeout.onTimeout(new TimeoutExceededException("test", Duration.ofSeconds(1), null));
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(1, 1, 1));
		this.timeout.reset();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 0, 0));
	}

	@Test
	void aCallInFlightKeepsItsDeadlineAndIsCountedAfterTheReset() {
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> result = this.timeout.executeAsync(() -> call);
		this.timeout.reset();
		assertThat(this.scheduler.pendingTasks()).as("the deadline is still armed").isEqualTo(1);
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(result).isCompletedExceptionally();
		assertThat(this.timeout.metrics()).isEqualTo(new Timeout.Metrics(0, 0, 1));
	}

}
