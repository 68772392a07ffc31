package dev.resilience.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryMinimumWaitTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private Retry retry(RetryConfig.MinimumWait minimumWait) {
		RetryConfig config = RetryConfig.builder()
			.maxAttempts(3)
			.waitDuration(Duration.ofMillis(100))
			.exponentialMaxWaitDuration(Duration.ofSeconds(5))
			.retryOnResult("retry-after"::equals)
			.minimumWait(minimumWait)
			.build();
		return Retry.of("test", config, this.ticker, this.scheduler);
	}

	@Test
	void aLongerLeastWaitReplacesTheComputedOne() {
		Retry retry = retry((result, failure) -> 2 * SECOND);
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(2 * SECOND);
		assertThat(retry.onResult(1, "retry-after")).isEqualTo(2 * SECOND);
	}

	@Test
	void aShorterLeastWaitLeavesTheComputedOne() {
		Retry retry = retry((result, failure) -> 1);
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
	}

	@Test
	void theHookSeesTheResultOrTheFailure() {
		IOException thrown = new IOException();
		Retry retry = retry((result, failure) -> (failure == thrown || "retry-after".equals(result)) ? 3 * SECOND : 0);
		assertThat(retry.onFailure(1, thrown)).isEqualTo(3 * SECOND);
		assertThat(retry.onResult(1, "retry-after")).isEqualTo(3 * SECOND);
		assertThat(retry.onFailure(1, new IOException())).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
	}

	@Test
	void aLeastWaitAboveTheCapEndsTheExecutionWithItsOutcome() {
		Retry retry = retry((result, failure) -> 6 * SECOND);
		assertThat(retry.onResult(1, "retry-after")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.onFailure(2, new IOException())).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isEqualTo(1);
		assertThat(retry.metrics().failedCallsWithRetry()).isEqualTo(1);
	}

	@Test
	void theHookIsKeptByFrom() {
		RetryConfig.MinimumWait hook = (result, failure) -> 0;
		RetryConfig base = RetryConfig.builder().minimumWait(hook).build();
		assertThat(RetryConfig.from(base).build().minimumWait()).isSameAs(hook);
		assertThat(RetryConfig.ofDefaults().minimumWait()).isNull();
	}

}
