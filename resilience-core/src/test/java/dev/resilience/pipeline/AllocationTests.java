package dev.resilience.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.limit.LimitAlgorithm;
import dev.resilience.chaos.Chaos;
import dev.resilience.chaos.ChaosFault;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.chaos.ChaosRule;
import dev.resilience.chaos.ChaosRuleConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.core.Invoker;
import dev.resilience.core.ResilienceException;
import dev.resilience.deadline.Deadline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The success path of every primitive, and of the composed pipeline, allocates nothing: a
 * hundred thousand calls allocate less than a byte each, measured by the JVM's per-thread
 * allocation counter after a warm-up. (JMH with {@code -prof gc} in the benchmarks module
 * measures the same with compiled code.)
 */
class AllocationTests {

	// Long enough for the JIT to settle on its final code for the calls: after 20,000
	// calls, recompilations still happened during the measurement now and then, and
	// materialized objects that the final code never allocates (9 kB to 700 kB).
	private static final int WARM_UP = 1_000_000;

	private static final int CALLS = 100_000;

	private static final Invoker<String> IDENTITY = (context) -> context;

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private com.sun.management.ThreadMXBean threads;

	@BeforeEach
	void allocationCounterIsAvailable() {
		ThreadMXBean bean = ManagementFactory.getThreadMXBean();
		// HotSpot, on every JDK we build with, counts per-thread allocation: a JVM that
		// does
		// not fails these tests rather than skipping them.
		assertThat(bean).as("the JVM's thread bean").isInstanceOf(com.sun.management.ThreadMXBean.class);
		this.threads = (com.sun.management.ThreadMXBean) bean;
		assertThat(this.threads.isThreadAllocatedMemorySupported() && this.threads.isThreadAllocatedMemoryEnabled())
			.as("per-thread allocation counting is supported and enabled")
			.isTrue();
	}

	@Test
	void retrySuccessAllocatesNothing() {
		Retry retry = Retry.of("r", RetryConfig.ofDefaults(), this.ticker, this.scheduler);
		assertThat(allocatedBy(() -> retry.onResult(1, "ok"))).isLessThan(1_000);
	}

	@Test
	void rateLimiterPermitAllocatesNothing() {
		RateLimiter limiter = RateLimiter.of("l",
				RateLimiterConfig.builder()
					.limitForPeriod(1_000_000)
					.limitRefreshPeriod(Duration.ofNanos(1_000_000))
					.build(),
				this.ticker, this.scheduler);
		assertThat(allocatedBy(() -> {
			this.ticker.advance(1);
			limiter.acquirePermission(1);
		})).isLessThan(1_000);
	}

	@Test
	void bulkheadPermitAllocatesNothing() {
		Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.ofDefaults());
		assertThat(allocatedBy(() -> {
			bulkhead.acquirePermission();
			bulkhead.releasePermission();
		})).isLessThan(1_000);
	}

	@Test
	void adaptiveBulkheadPermitWithAnUnchangedLimitAllocatesNothing() {
		// AIMD with one call in flight of 25 is app-limited; Gradient2 and Vegas are
		// pinned (min = max): each runs its whole update, and the limit stays.
		for (BulkheadConfig config : new BulkheadConfig[] {
				BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).initialLimit(25).build(),
				BulkheadConfig.builder()
					.limitAlgorithm(LimitAlgorithm.GRADIENT2)
					.initialLimit(25)
					.minLimit(25)
					.maxLimit(25)
					.build(),
				BulkheadConfig.builder()
					.limitAlgorithm(LimitAlgorithm.VEGAS)
					.initialLimit(25)
					.minLimit(25)
					.maxLimit(25)
					.build() }) {
			Bulkhead bulkhead = Bulkhead.of("b", config, this.ticker, this.scheduler);
			assertThat(allocatedBy(() -> {
				bulkhead.acquirePermission();
				long start = bulkhead.sampleStart();
				this.ticker.advance(1_000);
				bulkhead.releasePermission(start, false);
			})).as(config.limit().algorithm().name()).isLessThan(1_000);
			assertThat(bulkhead.metrics().maxConcurrentCalls()).isEqualTo(25);
		}
	}

	@Test
	void composedPipelineWithAnAdaptiveBulkheadAllocatesNothing() {
		Pipeline pipeline = Pipeline.builder()
			.bulkhead(Bulkhead.of("b", BulkheadConfig.builder().limitAlgorithm(LimitAlgorithm.AIMD).build(),
					this.ticker, this.scheduler))
			.build();
		assertThat(allocatedByCalls(pipeline)).isLessThan(1_000);
	}

	@Test
	void composedPipelineAllocatesNothing() {
		Pipeline pipeline = composed();
		assertThat(allocatedByCalls(pipeline)).isLessThan(1_000);
	}

	@Test
	void composedPipelineUnderADeadlineThatLeavesTimeAllocatesNothing() throws Exception {
		Pipeline pipeline = composed();
		// The stages read the deadline and the ticker, and take their permits within what
		// is left: none of it may allocate.
		Deadline.within(Duration.ofDays(1), () -> {
			assertThat(allocatedByCalls(pipeline)).isLessThan(1_000);
			return null;
		});
	}

	@ParameterizedTest
	@EnumSource(Site.class)
	void composedPipelineWithAChaosSiteThatAffectsNoCallAllocatesNothing(Site site) {
		Chaos chaos = Chaos.of("site", this.scheduler, site.random());
		chaos.rules(site.rules());
		Pipeline pipeline = composed(Pipeline.builder().chaos(chaos));
		assertThat(allocatedByCalls(pipeline)).isLessThan(1_000);
		assertThat(chaos.rules()).allSatisfy((rule) -> assertThat(rule.injections()).isZero());
	}

	@Test
	void openBreakerRejectionAllocatesNothing() {
		CircuitBreaker breaker = breakerIn(CircuitBreaker.State.OPEN);
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = breaker::acquirePermit;
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	@Test
	void forcedOpenBreakerRejectionAllocatesNothing() {
		CircuitBreaker breaker = breakerIn(CircuitBreaker.State.FORCED_OPEN);
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = breaker::acquirePermit;
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	@Test
	void halfOpenBreakerWithEveryTrialTakenRejectsWithoutAllocating() {
		CircuitBreaker breaker = CircuitBreaker.of("c",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(1).build(), this.ticker,
				this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		breaker.acquirePermit();
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = breaker::acquirePermit;
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	@Test
	void rateLimiterRejectionWithoutATimeoutAllocatesNothing() {
		RateLimiter limiter = drainedLimiter(RateLimiterConfig.builder().timeoutDuration(Duration.ZERO));
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = () -> limiter.acquirePermission(1);
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	@Test
	void rateLimiterRejectionBeyondItsDefaultTimeoutAllocatesNothing() {
		// The wait (an hour) is beyond the default timeout: refused without a
		// reservation.
		RateLimiter limiter = drainedLimiter(RateLimiterConfig.builder());
		ThrowingCall call = () -> limiter.acquirePermission(1);
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	/** A limiter of one permit per hour, taken. */
	private RateLimiter drainedLimiter(RateLimiterConfig.Builder builder) {
		RateLimiter limiter = RateLimiter.of("l",
				builder.limitForPeriod(1).limitRefreshPeriod(Duration.ofHours(1)).build(), this.ticker, this.scheduler);
		limiter.acquirePermission(1);
		return limiter;
	}

	@Test
	void fullBulkheadRejectionAllocatesNothing() {
		Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		bulkhead.acquirePermission();
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = bulkhead::acquirePermission;
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	@Test
	void pipelineRejectedByAnOpenBreakerAllocatesNothing() {
		CircuitBreaker breaker = breakerIn(CircuitBreaker.State.OPEN);
		Pipeline pipeline = composed(Pipeline.builder(), breaker);
		// Made once: a capturing lambda per call would be the test's allocation.
		ThrowingCall call = () -> pipeline.execute("context", IDENTITY);
		assertThat(allocatedBy(() -> rejected(call))).isLessThan(1_000);
	}

	private CircuitBreaker breakerIn(CircuitBreaker.State state) {
		CircuitBreaker breaker = CircuitBreaker.of("c", CircuitBreakerConfig.ofDefaults(), this.ticker, this.scheduler);
		breaker.transitionTo(state);
		return breaker;
	}

	/** Runs a call that must be rejected. */
	private static void rejected(ThrowingCall call) {
		try {
			call.run();
		}
		catch (ResilienceException ex) {
			if (!ex.isRejection()) {
				throw new AssertionError(ex);
			}
			return;
		}
		catch (Throwable ex) {
			throw new AssertionError(ex);
		}
		throw new AssertionError("not rejected");
	}

	@FunctionalInterface
	private interface ThrowingCall {

		void run() throws Throwable;

	}

	private Pipeline composed() {
		return composed(Pipeline.builder());
	}

	private Pipeline composed(Pipeline.Builder builder) {
		return composed(builder,
				CircuitBreaker.of("c", CircuitBreakerConfig.ofDefaults(), this.ticker, this.scheduler));
	}

	/** Retry, {@code breaker}, a rate limiter nobody exhausts and a bulkhead. */
	private Pipeline composed(Pipeline.Builder builder, CircuitBreaker breaker) {
		return builder.retry(Retry.of("r", RetryConfig.ofDefaults(), this.ticker, this.scheduler))
			.circuitBreaker(breaker)
			.rateLimiter(RateLimiter.of("l",
					RateLimiterConfig.builder()
						.limitForPeriod(1_000_000)
						.limitRefreshPeriod(Duration.ofNanos(1_000_000))
						.build(),
					this.ticker, this.scheduler))
			.bulkhead(Bulkhead.of("b", BulkheadConfig.ofDefaults()))
			.build();
	}

	/**
	 * Chaos sites whose rules affect no call: the cost is a volatile read (and, for an
	 * enabled rule, a draw), never an allocation.
	 */
	enum Site {

		NO_RULE {
			@Override
			List<ChaosRule> rules() {
				return List.of();
			}
		},

		DISABLED_RULE {
			@Override
			List<ChaosRule> rules() {
				return List.of(ChaosRule.of("off", exception().enabled(false).build()));
			}
		},

		RULE_AT_RATE_ZERO {
			@Override
			List<ChaosRule> rules() {
				return List.of(ChaosRule.of("zero", exception().rate(0.0).build()));
			}
		},

		RULE_AT_RATE_ZERO_SEEDED {
			@Override
			List<ChaosRule> rules() {
				return List.of(ChaosRule.of("zero", exception().rate(0.0).build()));
			}

			@Override
			ChaosRandom random() {
				return ChaosRandom.seeded(1);
			}
		};

		abstract List<ChaosRule> rules();

		ChaosRandom random() {
			return ChaosRandom.system();
		}

		static ChaosRuleConfig.Builder exception() {
			return ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(() -> new IOException("chaos: rule"));
		}

	}

	/** What successful calls of a pipeline allocate, the ticker moving between them. */
	private long allocatedByCalls(Pipeline pipeline) {
		return allocatedBy(() -> {
			this.ticker.advance(1);
			try {
				pipeline.execute("context", IDENTITY);
			}
			catch (Throwable ex) {
				throw new AssertionError(ex);
			}
		});
	}

	private long allocatedBy(Runnable call) {
		for (int i = 0; i < WARM_UP; i++) {
			call.run();
		}
		long thread = Thread.currentThread().getId();
		long before = this.threads.getThreadAllocatedBytes(thread);
		for (int i = 0; i < CALLS; i++) {
			call.run();
		}
		return this.threads.getThreadAllocatedBytes(thread) - before;
	}

}
