package dev.resilience.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.pipeline.PipelineTests.Mode;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A user predicate that throws is a defect of the predicate, not an outcome of the call:
 * the execution ends (synchronously and asynchronously alike) with the call's own
 * outcome, the predicate's exception suppressed on a failure, and the primitive stays
 * consistent (no trial slot leaked, nothing retried).
 */
class ThrowingPredicatesTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private static final IllegalStateException BROKEN = new IllegalStateException("broken predicate");

	private Retry retry(RetryConfig.Builder config) {
		return Retry.of("retry", config.maxAttempts(3).waitDuration(Duration.ofMillis(100)).build(), this.ticker,
				this.scheduler);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aThrowingRetryOnResultPredicateEndsTheExecutionWithTheResult(Mode mode) throws Throwable {
		Retry retry = retry(RetryConfig.builder().retryOnResult((result) -> {
			throw BROKEN;
		}));
		AtomicInteger calls = new AtomicInteger();
		Pipeline pipeline = Pipeline.builder().retry(retry).build();
		assertThat(mode.run(pipeline, () -> "value" + calls.incrementAndGet(), this.scheduler)).isEqualTo("value1");
		assertThat(calls).hasValue(1);
		assertThat(retry.metrics().successfulCallsWithoutRetry()).isOne();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aThrowingRetryExceptionPredicateEndsTheExecutionWithTheFailure(Mode mode) {
		Retry retry = retry(RetryConfig.builder().retryOnExceptionPredicate((failure) -> {
			throw BROKEN;
		}));
		AtomicInteger calls = new AtomicInteger();
		Pipeline pipeline = Pipeline.builder().retry(retry).build();
		IOException failure = new IOException("down");
		assertThatThrownBy(() -> mode.run(pipeline, () -> {
			calls.incrementAndGet();
			throw failure;
		}, this.scheduler)).isSameAs(failure).satisfies((ex) -> assertThat(ex.getSuppressed()).contains(BROKEN));
		assertThat(calls).hasValue(1);
		assertThat(retry.metrics().failedCallsWithoutRetry()).isOne();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aThrowingRecordFailurePredicateGivesTheHalfOpenTrialBack(Mode mode) throws Throwable {
		CircuitBreaker breaker = CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder()
					.permittedNumberOfCallsInHalfOpenState(1)
					.recordFailurePredicate((failure) -> {
						throw BROKEN;
					})
					.build(),
				this.ticker, this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).build();
		IOException failure = new IOException("down");
		assertThatThrownBy(() -> mode.run(pipeline, () -> {
			throw failure;
		}, this.scheduler)).isSameAs(failure).satisfies((ex) -> assertThat(ex.getSuppressed()).contains(BROKEN));
		// The single trial slot is free again: the next call is a trial, not a rejection.
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
		assertThat(breaker.metrics().totalIgnoredCalls()).isOne();
		assertThat(mode.run(pipeline, () -> "recovered", this.scheduler)).isEqualTo("recovered");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aThrowingRecordResultPredicateReturnsTheResultAndGivesTheTrialBack(Mode mode) throws Throwable {
		AtomicInteger tests = new AtomicInteger();
		CircuitBreaker breaker = CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(1).recordResult((result) -> {
					if (tests.incrementAndGet() == 1) {
						throw BROKEN;
					}
					return false;
				}).build(), this.ticker, this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).build();
		assertThat(mode.run(pipeline, () -> "value", this.scheduler)).isEqualTo("value");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
		assertThat(breaker.metrics().totalIgnoredCalls()).isOne();
		assertThat(mode.run(pipeline, () -> "value", this.scheduler)).isEqualTo("value");
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
	}

}
