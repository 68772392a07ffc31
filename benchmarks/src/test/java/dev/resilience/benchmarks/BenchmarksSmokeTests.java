package dev.resilience.benchmarks;

import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.RateLimitExceededException;
import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.core.CoarseTicker;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls every benchmark method a few times, outside JMH, to check that each one measures
 * what its name says (the call goes through, a rejection is a rejection of the expected
 * library). Nothing about time is asserted.
 */
@Timeout(60)
@Tag("slow")
class BenchmarksSmokeTests {

	private static final int CALLS = 30;

	@Test
	void circuitBreakerBenchmarksCallThroughAndOpenOnesReject() throws Throwable {
		CircuitBreakerBenchmark benchmark = new CircuitBreakerBenchmark();
		benchmark.setUp();
		for (int i = 0; i < CALLS; i++) {
			assertThat(benchmark.bare()).isEqualTo("ok");
			assertThat(benchmark.countWindow_ours()).isEqualTo("ok");
			assertThat(benchmark.countWindow_r4j()).isEqualTo("ok");
			assertThat(benchmark.countWindow_failsafe()).isEqualTo("ok");
			assertThat(benchmark.timeWindow_ours()).isEqualTo("ok");
			assertThat(benchmark.timeWindow_r4j()).isEqualTo("ok");
			assertThat(benchmark.timeWindow_failsafe()).isEqualTo("ok");
			assertThat(benchmark.open_ours()).isInstanceOf(CallNotPermittedException.class);
			assertThat(benchmark.open_oursCoarse()).isInstanceOf(CallNotPermittedException.class);
			assertThat(benchmark.open_r4j())
				.isInstanceOf(io.github.resilience4j.circuitbreaker.CallNotPermittedException.class);
			assertThat(benchmark.open_failsafe()).isInstanceOf(CircuitBreakerOpenException.class);
		}
	}

	@Test
	void failingBenchmarksFailOneCallInTenAndStayClosed() {
		CircuitBreakerBenchmark benchmark = new CircuitBreakerBenchmark();
		CircuitBreakerBenchmark.FailingBreakers breakers = new CircuitBreakerBenchmark.FailingBreakers();
		CircuitBreakerBenchmark.Failing ours = failing(breakers);
		CircuitBreakerBenchmark.Failing r4j = failing(breakers);
		CircuitBreakerBenchmark.Failing failsafe = failing(breakers);
		int[] failures = new int[3];
		for (int i = 0; i < 10 * CALLS; i++) {
			failures[0] += isFailure(benchmark.failing_ours(ours));
			failures[1] += isFailure(benchmark.failing_r4j(r4j));
			failures[2] += isFailure(benchmark.failing_failsafe(failsafe));
		}
		assertThat(failures).containsExactly(CALLS, CALLS, CALLS);
		assertThat(breakers.ours.state()).isEqualTo(dev.resilience.circuitbreaker.CircuitBreaker.State.CLOSED);
		assertThat(breakers.r4j.getState())
			.isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
	}

	private static CircuitBreakerBenchmark.Failing failing(CircuitBreakerBenchmark.FailingBreakers breakers) {
		CircuitBreakerBenchmark.Failing failing = new CircuitBreakerBenchmark.Failing();
		failing.setUp(breakers);
		return failing;
	}

	private static int isFailure(Object outcome) {
		if (outcome == FailingBackend.FAILURE) {
			return 1;
		}
		assertThat(outcome).isEqualTo("ok");
		return 0;
	}

	@Test
	void rateLimiterBenchmarksPermitOrRejectAsNamed() {
		RateLimiterBenchmark benchmark = new RateLimiterBenchmark();
		benchmark.setUp();
		for (int i = 0; i < CALLS; i++) {
			assertThat(benchmark.bare()).isEqualTo("ok");
			assertThat(benchmark.permitted_ours()).isEqualTo("ok");
			assertThat(benchmark.permitted_r4j()).isEqualTo("ok");
			assertThat(benchmark.permitted_failsafe()).isEqualTo("ok");
			assertThat(benchmark.limiting_ours()).isInstanceOf(RequestNotPermittedException.class);
			assertThat(benchmark.limiting_oursCoarse()).isInstanceOf(RequestNotPermittedException.class);
			assertThat(benchmark.limiting_r4j())
				.isInstanceOf(io.github.resilience4j.ratelimiter.RequestNotPermitted.class);
			assertThat(benchmark.limiting_failsafe()).isInstanceOf(RateLimitExceededException.class);
		}
	}

	@Test
	void eventBufferBenchmarksKeepTheEventsOnlyWhereTheirNamesSay() {
		EventBufferBenchmark benchmark = new EventBufferBenchmark();
		benchmark.setUp();
		try {
			for (int i = 0; i < CALLS; i++) {
				assertThat(benchmark.unobserved_ours()).isEqualTo("ok");
				assertThat(benchmark.buffered_ours()).isEqualTo("ok");
				assertThat(benchmark.unobserved_r4j()).isEqualTo("ok");
				assertThat(benchmark.buffered_r4j()).isEqualTo("ok");
			}
			// Nobody listens to the unobserved breaker, so it creates no event; the
			// buffered ones keep one per call.
			assertThat(benchmark.oursUnobserved.events().hasListeners()).isFalse();
			assertThat(benchmark.oursBuffered.events().hasListeners()).isTrue();
			assertThat(benchmark.oursBuffered.metrics().totalSuccessfulCalls()).isEqualTo(CALLS);
			assertThat(benchmark.r4jEvents.getBufferedEventsStream().count()).isEqualTo(CALLS);
		}
		finally {
			benchmark.tearDown();
		}
	}

	@Test
	void adaptiveBulkheadBenchmarksCallThroughAndGiveEveryPlaceBack() {
		AdaptiveBulkheadBenchmark benchmark = new AdaptiveBulkheadBenchmark();
		benchmark.setUp();
		for (int i = 0; i < CALLS; i++) {
			assertThat(benchmark.bare()).isEqualTo("ok");
			assertThat(benchmark.fixed_ours()).isEqualTo("ok");
			assertThat(benchmark.aimd_ours()).isEqualTo("ok");
			assertThat(benchmark.gradient2_ours()).isEqualTo("ok");
			assertThat(benchmark.vegas_ours()).isEqualTo("ok");
			assertThat(benchmark.semaphore_r4j()).isEqualTo("ok");
		}
		for (dev.resilience.bulkhead.Bulkhead bulkhead : new dev.resilience.bulkhead.Bulkhead[] { benchmark.fixed,
				benchmark.aimd, benchmark.gradient2, benchmark.vegas }) {
			assertThat(bulkhead.config().isAdaptive()).isEqualTo(bulkhead != benchmark.fixed);
			assertThat(bulkhead.metrics().activeCalls()).isZero();
			assertThat(bulkhead.metrics().totalPermittedCalls()).isEqualTo(CALLS);
			// One call in flight of 100: app-limited, the limit stays.
			assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(AdaptiveBulkheadBenchmark.PLACES);
		}
	}

	@Test
	void bulkheadRetryAndPipelineBenchmarksCallThrough() throws Throwable {
		BulkheadBenchmark bulkhead = new BulkheadBenchmark();
		bulkhead.setUp();
		RetryBenchmark retry = new RetryBenchmark();
		retry.setUp();
		PipelineBenchmark pipeline = new PipelineBenchmark();
		pipeline.setUp();
		for (int i = 0; i < CALLS; i++) {
			assertThat(bulkhead.permitted_ours()).isEqualTo("ok");
			assertThat(bulkhead.permitted_r4j()).isEqualTo("ok");
			assertThat(bulkhead.permitted_failsafe()).isEqualTo("ok");
			assertThat(bulkhead.full_ours()).isInstanceOf(BulkheadFullException.class);
			assertThat(bulkhead.full_r4j()).isInstanceOf(io.github.resilience4j.bulkhead.BulkheadFullException.class);
			assertThat(bulkhead.full_failsafe()).isInstanceOf(dev.failsafe.BulkheadFullException.class);
			assertThat(retry.succeeding_ours()).isEqualTo("ok");
			assertThat(retry.succeeding_r4j()).isEqualTo("ok");
			assertThat(retry.succeeding_failsafe()).isEqualTo("ok");
			assertThat(pipeline.combined_ours()).isEqualTo("ok");
			assertThat(pipeline.combined_r4j()).isEqualTo("ok");
			assertThat(pipeline.combined_failsafe()).isEqualTo("ok");
		}
		// Every place was given back.
		assertThat(bulkhead.ours.metrics().availableConcurrentCalls()).isEqualTo(BulkheadBenchmark.PLACES);
		// The full one's place is still the one taken at setup: a rejection gives none
		// back.
		assertThat(bulkhead.oursFull.metrics().availableConcurrentCalls()).isZero();
		assertThat(bulkhead.oursFull.metrics().totalRejectedCalls()).isEqualTo(CALLS);
	}

	@Test
	void chaosBenchmarksCallThroughWithSitesThatAffectNoCall() throws Throwable {
		ChaosBenchmark benchmark = new ChaosBenchmark();
		benchmark.setUp();
		for (int i = 0; i < CALLS; i++) {
			assertThat(benchmark.bare()).isEqualTo("ok");
			assertThat(benchmark.withoutChaos_ours()).isEqualTo("ok");
			assertThat(benchmark.chaosNoRule_ours()).isEqualTo("ok");
			assertThat(benchmark.chaosDisabledRule_ours()).isEqualTo("ok");
			assertThat(benchmark.chaosRuleAtRateZero_ours()).isEqualTo("ok");
			assertThat(benchmark.withoutChaos_r4j()).isEqualTo("ok");
		}
		// Each site has what its name says, and affected no call.
		assertThat(benchmark.noRule.rules()).isEmpty();
		assertThat(benchmark.disabledRule.rules()).singleElement()
			.satisfies((rule) -> assertThat(rule.config().enabled()).isFalse());
		assertThat(benchmark.rateZero.rules()).singleElement().satisfies((rule) -> {
			assertThat(rule.config().enabled()).isTrue();
			assertThat(rule.config().rate()).isZero();
			assertThat(rule.injections()).isZero();
		});
	}

	@Test
	void annotationBenchmarksGoThroughTheirProxies() {
		AnnotationBenchmark benchmark = new AnnotationBenchmark();
		benchmark.setUp();
		try {
			for (int i = 0; i < CALLS; i++) {
				assertThat(benchmark.bare()).isEqualTo("ok");
				assertThat(benchmark.noopInterceptor()).isEqualTo("ok");
				assertThat(benchmark.circuitBreaker_ours()).isEqualTo("ok");
				assertThat(benchmark.circuitBreaker_r4j()).isEqualTo("ok");
				assertThat(benchmark.stack_ours()).isEqualTo("ok");
				assertThat(benchmark.stack_oursCoarse()).isEqualTo("ok");
				assertThat(benchmark.stack_r4j()).isEqualTo("ok");
			}
			assertThat(benchmark.coarseContext.getBean(Ticker.class)).isInstanceOf(CoarseTicker.class);
			assertThat(benchmark.oursContext.getBean(Ticker.class)).isSameAs(Ticker.system());
			// Both configured alike, or one of them would be measured waiting.
			assertThat(benchmark.oursContext.getBean(RateLimiterRegistry.class)
				.instance(AnnotationBenchmark.NAME)
				.config()
				.limitForPeriod()).isEqualTo(RateLimiterBenchmark.HUGE_LIMIT);
			assertThat(benchmark.r4jContext.getBean(io.github.resilience4j.ratelimiter.RateLimiterRegistry.class)
				.rateLimiter(AnnotationBenchmark.NAME)
				.getRateLimiterConfig()
				.getLimitForPeriod()).isEqualTo(RateLimiterBenchmark.HUGE_LIMIT);
			assertThat(benchmark.oursContext.getBean(BulkheadRegistry.class)
				.instance(AnnotationBenchmark.NAME)
				.metrics()
				.availableConcurrentCalls()).isEqualTo(BulkheadBenchmark.PLACES);
			assertThat(benchmark.r4jContext.getBean(io.github.resilience4j.bulkhead.BulkheadRegistry.class)
				.bulkhead(AnnotationBenchmark.NAME)
				.getMetrics()
				.getAvailableConcurrentCalls()).isEqualTo(BulkheadBenchmark.PLACES);
		}
		finally {
			benchmark.tearDown();
		}
	}

	@Test
	void deadlineBenchmarkRunsItsCallsWithAndWithoutADeadlineCurrent() throws Throwable {
		DeadlineBenchmark benchmark = new DeadlineBenchmark();
		benchmark.setUp();
		try {
			for (int i = 0; i < CALLS; i++) {
				assertThat(benchmark.noDeadline_ours()).isEqualTo("ok");
				assertThat(dev.resilience.deadline.Deadline.current()).isNull();
				assertThat(benchmark.withDeadline_ours()).isEqualTo("ok");
				assertThat(dev.resilience.deadline.Deadline.remaining())
					.hasValueSatisfying((left) -> assertThat(left).isGreaterThan(java.time.Duration.ofMinutes(59)));
				assertThat(benchmark.combined_r4j()).isEqualTo("ok");
			}
		}
		finally {
			benchmark.tearDown();
		}
		assertThat(dev.resilience.deadline.Deadline.current()).isNull();
		assertThat(benchmark.ours.circuitBreaker().metrics().totalSuccessfulCalls()).isEqualTo(2L * CALLS);
	}

}
