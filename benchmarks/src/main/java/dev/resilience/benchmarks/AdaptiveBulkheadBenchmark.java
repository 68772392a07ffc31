package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.limit.LimitAlgorithm;
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
 * The cost of an adaptive limit (issue 17): our semaphore bulkhead with a fixed limit and
 * with an AIMD, Gradient2 and Vegas limit, against Resilience4j's semaphore bulkhead, in
 * one JVM run, with a bare call as the baseline. Each of ours runs the stage's protocol:
 * take a place, {@code sampleStart()}, the call, {@code releasePermission(start, false)};
 * an adaptive one reads the system ticker twice and feeds the sample to its algorithm, a
 * fixed one reads no clock. Every limit starts at 100 (max 200) and the calls in flight
 * (one per thread) stay far below half of it, so the adaptive limits are app-limited: the
 * success path with an unchanged limit, the common case. With {@code -t 2} both threads
 * share the bulkheads (and contend for the algorithm's try-lock).
 * <p>
 * Run it from the repository root, after {@code ./mvnw -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar AdaptiveBulkheadBenchmark -prof gc -wi 3 -i 5 -f 1
 * java -jar benchmarks/target/benchmarks.jar AdaptiveBulkheadBenchmark -prof gc -wi 3 -i 5 -f 1 -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class AdaptiveBulkheadBenchmark {

	/** The limit at start, and the fixed limit. */
	static final int PLACES = 100;

	private final Backend backend = new Backend();

	Bulkhead fixed;

	Bulkhead aimd;

	Bulkhead gradient2;

	Bulkhead vegas;

	private Supplier<String> r4j;

	/**
	 * Creates the bulkheads.
	 */
	@Setup
	public void setUp() {
		this.fixed = Bulkhead.of("fixed", BulkheadConfig.builder().maxConcurrentCalls(PLACES).build());
		this.aimd = adaptive(LimitAlgorithm.AIMD);
		this.gradient2 = adaptive(LimitAlgorithm.GRADIENT2);
		this.vegas = adaptive(LimitAlgorithm.VEGAS);
		this.r4j = io.github.resilience4j.bulkhead.Bulkhead
			.decorateSupplier(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
					io.github.resilience4j.bulkhead.BulkheadConfig.custom()
						.maxConcurrentCalls(PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build()),
					this.backend::call);
	}

	private static Bulkhead adaptive(LimitAlgorithm algorithm) {
		return Bulkhead.of(algorithm.name().toLowerCase(),
				BulkheadConfig.builder().limitAlgorithm(algorithm).initialLimit(PLACES).maxLimit(2 * PLACES).build());
	}

	private String sampled(Bulkhead bulkhead) {
		bulkhead.acquirePermission();
		long start = bulkhead.sampleStart();
		boolean failed = true;
		try {
			String result = this.backend.call();
			failed = false;
			return result;
		}
		finally {
			bulkhead.releasePermission(start, failed);
		}
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
	 * Ours, fixed limit.
	 * @return the result
	 */
	@Benchmark
	public String fixed_ours() {
		return sampled(this.fixed);
	}

	/**
	 * Ours, AIMD.
	 * @return the result
	 */
	@Benchmark
	public String aimd_ours() {
		return sampled(this.aimd);
	}

	/**
	 * Ours, Gradient2.
	 * @return the result
	 */
	@Benchmark
	public String gradient2_ours() {
		return sampled(this.gradient2);
	}

	/**
	 * Ours, Vegas.
	 * @return the result
	 */
	@Benchmark
	public String vegas_ours() {
		return sampled(this.vegas);
	}

	/**
	 * Resilience4j's semaphore bulkhead (fixed).
	 * @return the result
	 */
	@Benchmark
	public String semaphore_r4j() {
		return this.r4j.get();
	}

}
