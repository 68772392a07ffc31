package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import dev.resilience.core.Invoker;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Retry, circuit breaker, rate limiter and bulkhead around one call, in that order
 * (outermost first), ours against Resilience4j's and Failsafe's, in one JVM run, with a
 * bare call as the baseline. The success path, with the configurations of the
 * single-primitive benchmarks (count window of 100 calls, 10^9 permits per second, 100
 * places, 3 attempts).
 * <p>
 * Ours runs a {@link Pipeline} with a stateless {@link Invoker} and the backend as its
 * context, as the Spring interceptor does with a method invocation; Resilience4j's runs
 * its decorators nested once; Failsafe's an executor built once with the four policies.
 * With {@code -t 2} both threads share the same instances.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar PipelineBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar PipelineBenchmark -prof gc -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class PipelineBenchmark {

	private static final Invoker<Backend> CALL = Backend::call;

	private static final Duration SECOND = Duration.ofSeconds(1);

	private final Backend backend = new Backend();

	private final CheckedSupplier<String> checkedSupplier = this.backend::call;

	private Pipeline ours;

	private Pipeline oursCoarse;

	private Supplier<String> r4j;

	private FailsafeExecutor<String> failsafe;

	/**
	 * Creates the three stacks.
	 */
	@Setup
	public void setUp() {
		this.ours = ours();
		this.oursCoarse = oursBuilder(Clocks.COARSE).build();
		this.r4j = r4j(this.backend);

		this.failsafe = Failsafe.with(
				RetryPolicy.<String>builder()
					.withMaxAttempts(RetryBenchmark.MAX_ATTEMPTS)
					.withDelay(RetryBenchmark.WAIT)
					.build(),
				CircuitBreakerBenchmark.failsafeCountBreaker(),
				dev.failsafe.RateLimiter.<String>burstyBuilder(RateLimiterBenchmark.HUGE_LIMIT, SECOND).build(),
				dev.failsafe.Bulkhead.<String>builder(BulkheadBenchmark.PLACES).build());
	}

	/**
	 * Our four stages, outermost first, with the single-primitive benchmarks'
	 * configurations; shared with {@link DeadlineBenchmark}.
	 * @return the pipeline
	 */
	static Pipeline ours() {
		return oursBuilder().build();
	}

	/**
	 * The builder of {@link #ours()}, with new instances of the four primitives, for
	 * benchmarks that add to it ({@link ChaosBenchmark}).
	 * @return the builder
	 */
	static Pipeline.Builder oursBuilder() {
		return oursBuilder(Ticker.system());
	}

	/**
	 * The builder of {@link #ours()} with its primitives on a ticker.
	 * @param ticker the primitives' clock
	 * @return the builder
	 */
	static Pipeline.Builder oursBuilder(Ticker ticker) {
		Scheduler scheduler = Scheduler.system();
		return Pipeline.builder()
			.retry(Retry.of("bench",
					RetryConfig.builder()
						.maxAttempts(RetryBenchmark.MAX_ATTEMPTS)
						.waitDuration(RetryBenchmark.WAIT)
						.build(),
					ticker, scheduler))
			.circuitBreaker(CircuitBreaker.of("bench",
					CircuitBreakerBenchmark.oursConfig(SlidingWindowType.COUNT_BASED, 100), ticker, scheduler))
			.rateLimiter(RateLimiter.of("bench",
					RateLimiterBenchmark.oursConfig(RateLimiterBenchmark.HUGE_LIMIT, SECOND), ticker, scheduler))
			.bulkhead(Bulkhead.of("bench",
					BulkheadConfig.builder()
						.maxConcurrentCalls(BulkheadBenchmark.PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build(),
					ticker, scheduler));
	}

	/**
	 * Resilience4j's same four decorators around a backend; shared with
	 * {@link DeadlineBenchmark}.
	 * @param backend the call
	 * @return the decorated call
	 */
	static Supplier<String> r4j(Backend backend) {
		Supplier<String> bulkhead = io.github.resilience4j.bulkhead.Bulkhead
			.decorateSupplier(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
					io.github.resilience4j.bulkhead.BulkheadConfig.custom()
						.maxConcurrentCalls(BulkheadBenchmark.PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build()),
					backend::call);
		Supplier<String> rateLimiter = io.github.resilience4j.ratelimiter.RateLimiter
			.decorateSupplier(io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
					RateLimiterBenchmark.r4jConfig(RateLimiterBenchmark.HUGE_LIMIT, SECOND)), bulkhead);
		Supplier<String> circuitBreaker = io.github.resilience4j.circuitbreaker.CircuitBreaker
			.decorateSupplier(CircuitBreakerBenchmark.r4jCountBreaker("bench"), rateLimiter);
		return io.github.resilience4j.retry.Retry.decorateSupplier(io.github.resilience4j.retry.Retry.of("bench",
				io.github.resilience4j.retry.RetryConfig.custom()
					.maxAttempts(RetryBenchmark.MAX_ATTEMPTS)
					.waitDuration(RetryBenchmark.WAIT)
					.build()),
				circuitBreaker);
	}

	/**
	 * The unprotected call.
	 * @return the result
	 */
	@Benchmark
	public String bare() {
		return this.backend.call();
	}

	/**
	 * Ours.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object combined_ours() throws Throwable {
		return this.ours.execute(this.backend, CALL);
	}

	/**
	 * Ours, with the primitives on the coarse clock ({@code resilience.clock=coarse}).
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object combined_oursCoarse() throws Throwable {
		return this.oursCoarse.execute(this.backend, CALL);
	}

	/**
	 * Resilience4j's.
	 * @return the result
	 */
	@Benchmark
	public String combined_r4j() {
		return this.r4j.get();
	}

	/**
	 * Failsafe's.
	 * @return the result
	 */
	@Benchmark
	public String combined_failsafe() {
		return this.failsafe.get(this.checkedSupplier);
	}

}
