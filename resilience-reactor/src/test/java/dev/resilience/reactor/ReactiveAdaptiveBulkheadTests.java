package dev.resilience.reactor;

import java.time.Duration;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * An AIMD bulkhead behind the Reactor operator, on fake time: a failed or cancelled
 * {@code Mono} lowers the limit, a success does not, and the place comes back once.
 */
class ReactiveAdaptiveBulkheadTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final Bulkhead bulkhead = Bulkhead.of("adaptive",
			BulkheadConfig.builder()
				.limitAlgorithm(LimitAlgorithm.AIMD)
				.initialLimit(10)
				.timeout(Duration.ofSeconds(1))
				.build(),
			this.ticker, this.scheduler);

	private final ResilienceOperator<String> operator = ResilienceOperator
		.of(Pipeline.builder().bulkhead(this.bulkhead).build());

	private int limit() {
		return this.bulkhead.metrics().maxConcurrentCalls();
	}

	@Test
	void aFailedMonoLowersTheLimitAndASuccessfulOneDoesNot() {
		assertThat(Mono.just("ok").transformDeferred(this.operator).block()).isEqualTo("ok");
		assertThat(limit()).isEqualTo(10);
		assertThatIllegalStateException().isThrownBy(
				() -> Mono.<String>error(new IllegalStateException("boom")).transformDeferred(this.operator).block());
		assertThat(limit()).isEqualTo(9);
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
	}

	@Test
	void aMonoSlowerThanTheTimeoutLowersTheLimit() {
		Sinks.One<String> sink = Sinks.one();
		Disposable subscription = sink.asMono().transformDeferred(this.operator).subscribe();
		this.ticker.advance(Duration.ofMillis(1500));
		sink.tryEmitValue("late");
		assertThat(subscription.isDisposed()).isTrue();
		assertThat(limit()).isEqualTo(9);
	}

	@Test
	void aCancelledMonoGivesThePlaceBackOnceAsADrop() {
		Sinks.One<String> sink = Sinks.one();
		Disposable subscription = sink.asMono().transformDeferred(this.operator).subscribe();
		assertThat(this.bulkhead.metrics().activeCalls()).isEqualTo(1);
		subscription.dispose();
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
		assertThat(limit()).isEqualTo(9);
		sink.tryEmitValue("after the cancel");
		assertThat(this.bulkhead.metrics().activeCalls()).isZero();
		assertThat(limit()).isEqualTo(9);
	}

}
