package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What deadlines cost on the success path: the four-stage pipeline of
 * {@link PipelineBenchmark} (retry, circuit breaker, rate limiter, bulkhead) with no
 * deadline on the thread (the feature unused: one thread-local read per call and per
 * stage that may wait), and with a deadline current that leaves plenty of time (each
 * stage that may wait reads the clock for what is left), against Resilience4j's same
 * stack (which has no deadlines) in the same run.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar DeadlineBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Thread)
public class DeadlineBenchmark {

	private static final Invoker<Backend> CALL = Backend::call;

	private static final Duration SECOND = Duration.ofSeconds(1);

	private final Backend backend = new Backend();

	Pipeline ours;

	private Supplier<String> r4j;

	// The deadline current on the benchmark thread for withDeadline_ours.
	private Deadline.Scope scope;

	private boolean inScope;

	/**
	 * Creates both stacks.
	 */
	@Setup
	public void setUp() {
		this.ours = Pipeline.builder()
			.retry(Retry.of("bench",
					RetryConfig.builder()
						.maxAttempts(RetryBenchmark.MAX_ATTEMPTS)
						.waitDuration(RetryBenchmark.WAIT)
						.build()))
			.circuitBreaker(
					CircuitBreaker.of("bench", CircuitBreakerBenchmark.oursConfig(SlidingWindowType.COUNT_BASED, 100)))
			.rateLimiter(
					RateLimiter.of("bench", RateLimiterBenchmark.oursConfig(RateLimiterBenchmark.HUGE_LIMIT, SECOND)))
			.bulkhead(Bulkhead.of("bench",
					BulkheadConfig.builder()
						.maxConcurrentCalls(BulkheadBenchmark.PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build()))
			.build();
		Supplier<String> bulkhead = io.github.resilience4j.bulkhead.Bulkhead
			.decorateSupplier(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
					io.github.resilience4j.bulkhead.BulkheadConfig.custom()
						.maxConcurrentCalls(BulkheadBenchmark.PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build()),
					this.backend::call);
		Supplier<String> rateLimiter = io.github.resilience4j.ratelimiter.RateLimiter
			.decorateSupplier(io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
					RateLimiterBenchmark.r4jConfig(RateLimiterBenchmark.HUGE_LIMIT, SECOND)), bulkhead);
		Supplier<String> circuitBreaker = io.github.resilience4j.circuitbreaker.CircuitBreaker
			.decorateSupplier(CircuitBreakerBenchmark.r4jCountBreaker("bench"), rateLimiter);
		this.r4j = io.github.resilience4j.retry.Retry.decorateSupplier(io.github.resilience4j.retry.Retry.of("bench",
				io.github.resilience4j.retry.RetryConfig.custom()
					.maxAttempts(RetryBenchmark.MAX_ATTEMPTS)
					.waitDuration(RetryBenchmark.WAIT)
					.build()),
				circuitBreaker);
	}

	/**
	 * Ours, no deadline current.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object noDeadline_ours() throws Throwable {
		leaveDeadline();
		return this.ours.execute(this.backend, CALL);
	}

	/**
	 * Ours, under a deadline an hour away (never binding).
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object withDeadline_ours() throws Throwable {
		enterDeadline();
		return this.ours.execute(this.backend, CALL);
	}

	/**
	 * Resilience4j's, which has no deadline.
	 * @return the result
	 */
	@Benchmark
	public String combined_r4j() {
		return this.r4j.get();
	}

	// The scope is entered once per trial, on the benchmark thread (State.Thread), and
	// left by the benchmarks that need none, so that neither pays for entering it.
	void enterDeadline() {
		if (!this.inScope) {
			this.scope = Deadline.enter(Deadline.after(Duration.ofHours(1)));
			this.inScope = true;
		}
	}

	void leaveDeadline() {
		if (this.inScope) {
			this.scope.close();
			this.inScope = false;
		}
	}

	/**
	 * Leaves the deadline, if entered.
	 */
	@TearDown
	public void tearDown() {
		leaveDeadline();
	}

}
