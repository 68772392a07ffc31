package dev.resilience.retry;

import java.io.IOException;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Retry#reset()}: the counters restart from zero and the budget is full again, the
 * configuration stays.
 */
class RetryResetTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@Test
	void resetZeroesTheCountersAndFillsTheBudget() {
		Retry retry = Retry.of("test",
				RetryConfig.builder().maxAttempts(2).budgetMaxTokens(10).budgetTokenRatio(1).build(), this.ticker,
				this.scheduler);
		for (int i = 0; i < 6; i++) {
			retry.onFailure(1, new IOException());
		}
		retry.onResult(1, "ok");
		retry.onFailure(2, new IOException());
		assertThat(retry.metrics().budgetTokens()).isLessThan(5.0);
		assertThat(retry.onFailure(1, new IOException())).as("the budget refuses").isEqualTo(Retry.NO_RETRY);

		retry.reset();

		assertThat(retry.metrics()).isEqualTo(new Retry.Metrics(0, 0, 0, 0, 10.0, 0));
		assertThat(retry.onFailure(1, new IOException())).as("the full budget allows a retry again")
			.isNotEqualTo(Retry.NO_RETRY);
		assertThat(retry.config().maxAttempts()).isEqualTo(2);
	}

	@Test
	void resetWithoutABudgetZeroesTheCounters() {
		Retry retry = Retry.of("test", RetryConfig.builder().maxAttempts(3).build(), this.ticker, this.scheduler);
		retry.onResult(1, "ok");
		retry.onResult(2, "ok");
		retry.onFailure(3, new IOException());
		assertThat(retry.metrics()).isEqualTo(new Retry.Metrics(1, 1, 0, 1, -1, 0));
		retry.reset();
		assertThat(retry.metrics()).isEqualTo(new Retry.Metrics(0, 0, 0, 0, -1, 0));
	}

	@Test
	void anExecutionInFlightCarriesOnAcrossTheReset() {
		Retry retry = Retry.of("test", RetryConfig.builder().maxAttempts(3).build(), this.ticker, this.scheduler);
		assertThat(retry.onFailure(1, new IOException())).isNotEqualTo(Retry.NO_RETRY);
		retry.reset();
		// Its caller owns the attempt number: the execution ends with its second attempt,
		// counted after the reset.
		assertThat(retry.onResult(2, "ok")).isEqualTo(Retry.NO_RETRY);
		assertThat(retry.metrics().successfulCallsWithRetry()).isEqualTo(1);
	}

}
