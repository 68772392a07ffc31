package dev.resilience.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.chaos.Chaos;
import dev.resilience.chaos.ChaosEvent;
import dev.resilience.chaos.ChaosFault;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.chaos.ChaosRule;
import dev.resilience.chaos.ChaosRuleConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.CheckedSupplier;
import dev.resilience.deadline.Deadline;
import dev.resilience.fallback.Fallback;
import dev.resilience.pipeline.PipelineTests.Mode;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chaos stage in the pipeline: every fault, synchronously and asynchronously with the
 * same assertions, against the real breaker, retry, timeout, bulkhead and fallback, on
 * fake time.
 */
class PipelineChaosTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final AtomicInteger calls = new AtomicInteger();

	private final CheckedSupplier<Object> real = () -> {
		this.calls.incrementAndGet();
		return "real";
	};

	@ParameterizedTest
	@EnumSource(Mode.class)
	void anExceptionFaultIsRetriedCountedByTheBreakerAndAnsweredByTheFallbackForItsType(Mode mode) throws Throwable {
		ChaosRule rule = ChaosRule.of("boom", exception(1.0));
		Chaos chaos = site(rule);
		List<ChaosEvent> events = new ArrayList<>();
		chaos.events().onEvent(events::add);
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder()
			.retry(retry(3))
			.circuitBreaker(breaker)
			.fallback(Fallback.of(IOException.class,
					(context, failure) -> "fallback for " + failure.getMessage() + ", injected "
							+ Chaos.isInjected(failure)))
			.chaos(chaos)
			.build();
		assertThat(mode.run(pipeline, this.real, this.scheduler))
			.isEqualTo("fallback for chaos: rule boom, injected true");
		assertThat(this.calls).hasValue(0);
		// Three attempts, three injections, each a failure for the breaker.
		assertThat(rule.injections()).isEqualTo(3);
		assertThat(events).hasSize(3).allSatisfy((event) -> assertThat(event.rule()).isEqualTo("boom"));
		assertThat(breaker.metrics().failedCalls()).isEqualTo(3);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void exceptionFaultsOpenTheBreaker(Mode mode) throws Throwable {
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder()
			.circuitBreaker(breaker)
			.chaos(site(ChaosRule.of("boom", exception(1.0))))
			.build();
		for (int i = 0; i < 4; i++) {
			assertThatThrownBy(() -> mode.run(pipeline, this.real, this.scheduler)).isInstanceOf(IOException.class);
		}
		assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(this.calls).hasValue(0);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aLatencyFaultLongerThanTheTimeoutTripsItAndTheCallIsNotMade(Mode mode) throws Throwable {
		ChaosRule rule = ChaosRule.of("slow", latency(Duration.ofSeconds(2)));
		Pipeline pipeline = Pipeline.builder().timeout(timeout(Duration.ofSeconds(1))).chaos(site(rule)).build();
		assertThatExceptionOfType(TimeoutExceededException.class)
			.isThrownBy(() -> mode.run(pipeline, this.real, this.scheduler))
			.satisfies((ex) -> assertThat(ex.instanceName()).isEqualTo("timeout"));
		assertThat(this.calls).hasValue(0);
		assertThat(rule.injections()).isEqualTo(1);
		// Nothing is left scheduled: the asynchronous start was cancelled by the timeout.
		assertThat(this.scheduler.pendingTasks()).isZero();
		// The deadline's interrupt does not outlive the call.
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void aSynchronousLatencyIsASleepThatTheTimeoutInterruptsAtItsDeadline() {
		Pipeline pipeline = Pipeline.builder()
			.timeout(timeout(Duration.ofSeconds(1)))
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofSeconds(2)))))
			.build();
		assertThatExceptionOfType(TimeoutExceededException.class)
			.isThrownBy(() -> pipeline.execute(this.real, CheckedSupplier::get))
			.withCauseInstanceOf(InterruptedException.class);
		assertThat(this.scheduler.sleeps()).containsExactly(Duration.ofSeconds(2));
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void anInterruptDuringASynchronousLatencyStopsTheCallAndIsKept() {
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofSeconds(2)))))
			.build();
		Thread.currentThread().interrupt();
		try {
			assertThatExceptionOfType(InterruptedException.class)
				.isThrownBy(() -> pipeline.execute(this.real, CheckedSupplier::get));
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.calls).hasValue(0);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aLatencyFaultShorterThanTheTimeoutDelaysTheRealCall(Mode mode) throws Throwable {
		Pipeline pipeline = Pipeline.builder()
			.timeout(timeout(Duration.ofSeconds(1)))
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofMillis(300)))))
			.build();
		long start = this.ticker.read();
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("real");
		assertThat(this.calls).hasValue(1);
		// Slept, or scheduled and driven in steps of 10 ms.
		assertThat(this.ticker.read() - start).isBetween(Duration.ofMillis(300).toNanos(),
				Duration.ofMillis(310).toNanos());
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void anAsynchronousLatencyBlocksNoThreadAndIsScheduledOnTheSitesScheduler() {
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofMillis(300)))))
			.build();
		CompletableFuture<Object> result = pipeline.executeAsync(this.real, PipelineChaosTests::async);
		assertThat(result).isNotDone();
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		this.scheduler.advance(Duration.ofMillis(299));
		assertThat(this.calls).hasValue(0);
		this.scheduler.advance(Duration.ofMillis(1));
		assertThat(result).isCompletedWithValue("real");
		assertThat(this.scheduler.sleeps()).isEmpty();
	}

	@Test
	void anAsynchronousLatencyStartsTheCallWithTheCallersDeadlineCurrent() throws Exception {
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofMillis(300)))))
			.build();
		AtomicReference<Deadline> seen = new AtomicReference<>();
		CompletableFuture<Object> result = Deadline.within(Duration.ofDays(1),
				() -> pipeline.executeAsync(this.real, (call) -> {
					seen.set(Deadline.current());
					return async(call);
				}));
		assertThat(Deadline.current()).isNull();
		this.scheduler.advance(Duration.ofMillis(300));
		assertThat(result).isCompletedWithValue("real");
		assertThat(seen.get()).isNotNull();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aResultFaultReplacesTheCallAndIsASuccessForTheBreaker(Mode mode) throws Throwable {
		CircuitBreaker breaker = breaker();
		ChaosRule rule = ChaosRule.of("stale",
				ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "from chaos").build());
		Pipeline pipeline = Pipeline.builder().circuitBreaker(breaker).chaos(site(rule)).build();
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("from chaos");
		assertThat(this.calls).hasValue(0);
		assertThat(rule.injections()).isEqualTo(1);
		assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
	}

	@Test
	void anAsynchronousResultThatIsAStageIsTheCallsOutcome() {
		CompletableFuture<String> later = new CompletableFuture<>();
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("staged", ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> later).build())))
			.build();
		CompletableFuture<Object> result = pipeline.executeAsync(this.real, PipelineChaosTests::async);
		assertThat(result).isNotDone();
		later.complete("staged");
		assertThat(result).isCompletedWithValue("staged");
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void aNullResultIsReturned() throws Throwable {
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("nothing", ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> null).build())))
			.build();
		assertThat(pipeline.execute(this.real, CheckedSupplier::get)).isNull();
		assertThat(pipeline.executeAsync(this.real, PipelineChaosTests::async)).isCompletedWithValue(null);
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void theChaosStageIsInnermostWhateverTheOrderAndIsNotOneOfTheStages() {
		Bulkhead bulkhead = Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		Chaos chaos = site(ChaosRule.of("slow", latency(Duration.ofSeconds(2))));
		Pipeline pipeline = Pipeline.builder()
			.order(Pipeline.Stage.BULKHEAD, Pipeline.Stage.TIMEOUT, Pipeline.Stage.RATE_LIMITER,
					Pipeline.Stage.CIRCUIT_BREAKER, Pipeline.Stage.RETRY)
			.bulkhead(bulkhead)
			.timeout(timeout(Duration.ofSeconds(1)))
			.chaos(chaos)
			.build();
		assertThat(pipeline.stages()).containsExactly(Pipeline.Stage.BULKHEAD, Pipeline.Stage.TIMEOUT);
		assertThat(pipeline.chaos()).isSameAs(chaos);
		CompletableFuture<Object> result = pipeline.executeAsync(this.real, PipelineChaosTests::async);
		// The injected latency holds the bulkhead's place, as a slow call would...
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero();
		// ...and counts against the timeout inside it.
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(result).isCompletedExceptionally();
		assertThatThrownBy(result::join).hasCauseInstanceOf(TimeoutExceededException.class);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		assertThat(this.calls).hasValue(0);
	}

	@Test
	void aCancelDuringAnAsynchronousLatencyLeavesNothingScheduledAndMakesNoCall() {
		Bulkhead bulkhead = Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		Pipeline pipeline = Pipeline.builder()
			.retry(retry(3))
			.bulkhead(bulkhead)
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofSeconds(5)))))
			.build();
		CompletableFuture<Object> result = pipeline.executeAsync(this.real, PipelineChaosTests::async);
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		assertThat(result.cancel(true)).isTrue();
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(this.calls).hasValue(0);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void rulesReplacedOrReconfiguredAtRunTimeApplyToTheNextCall(Mode mode) throws Throwable {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(1));
		Pipeline pipeline = Pipeline.builder().chaos(chaos).build();
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("real");
		ChaosRule rule = ChaosRule.of("boom", exception(1.0));
		chaos.rules(List.of(rule));
		assertThatThrownBy(() -> mode.run(pipeline, this.real, this.scheduler)).isInstanceOf(IOException.class);
		rule.reconfigure(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "changed").build());
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("changed");
		rule.reconfigure(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "off").enabled(false).build());
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("real");
		chaos.rules(List.of());
		assertThat(mode.run(pipeline, this.real, this.scheduler)).isEqualTo("real");
		assertThat(this.calls).hasValue(3);
		assertThat(rule.injections()).isEqualTo(2);
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void withAFixedSeedARuleAtRateThreeTenthsFailsExactlyTheExpectedCalls(Mode mode) throws Throwable {
		ChaosRandom reference = ChaosRandom.seeded(16);
		Set<Integer> expected = new HashSet<>();
		for (int call = 0; call < 100; call++) {
			if (reference.nextDouble() < 0.3) {
				expected.add(call);
			}
		}
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(16));
		ChaosRule rule = ChaosRule.of("flaky", exception(0.3));
		chaos.rules(List.of(rule));
		Pipeline pipeline = Pipeline.builder().chaos(chaos).build();
		Set<Integer> failed = new HashSet<>();
		for (int call = 0; call < 100; call++) {
			try {
				mode.run(pipeline, this.real, this.scheduler);
			}
			catch (IOException ex) {
				failed.add(call);
			}
		}
		assertThat(failed).isEqualTo(expected);
		assertThat(rule.injections()).isEqualTo(expected.size());
		assertThat(this.calls).hasValue(100 - expected.size());
		assertThat(expected).hasSizeBetween(15, 45);
	}

	@Test
	void withoutChaosThePipelineHasNoChaosStage() throws Throwable {
		Pipeline pipeline = Pipeline.builder().timeout(timeout(Duration.ofSeconds(1))).build();
		assertThat(pipeline.chaos()).isNull();
		assertThat(pipeline.stages()).containsExactly(Pipeline.Stage.TIMEOUT);
		assertThat(pipeline.execute(this.real, CheckedSupplier::get)).isEqualTo("real");
	}

	private Chaos site(ChaosRule... rules) {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(1));
		chaos.rules(List.of(rules));
		return chaos;
	}

	private static ChaosRuleConfig exception(double rate) {
		return ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
			.exception(() -> new IOException("chaos: rule boom"))
			.rate(rate)
			.build();
	}

	private static ChaosRuleConfig latency(Duration latency) {
		return ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(latency).build();
	}

	private static CompletableFuture<Object> async(CheckedSupplier<Object> call) {
		try {
			return CompletableFuture.completedFuture(call.get());
		}
		catch (Throwable ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private Retry retry(int maxAttempts) {
		return Retry.of("retry",
				RetryConfig.builder().maxAttempts(maxAttempts).waitDuration(Duration.ofMillis(100)).build(),
				this.ticker, this.scheduler);
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder().slidingWindowSize(4).minimumNumberOfCalls(4).build(), this.ticker,
				this.scheduler);
	}

	private Timeout timeout(Duration duration) {
		return Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(duration).build(), this.ticker,
				this.scheduler);
	}

}
