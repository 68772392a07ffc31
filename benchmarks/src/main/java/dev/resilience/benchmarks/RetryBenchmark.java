package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
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
 * The retry, ours against Resilience4j's and Failsafe's, in one JVM run, with a bare call
 * as the baseline: the success path (no failure, so no retry), 3 attempts at most, 500 ms
 * apart. Ours runs the attempt loop as the pipeline does, asking the retry after each
 * attempt; Resilience4j's runs a supplier decorated once, Failsafe's an executor built
 * once. With {@code -t 2} both threads share the same retries.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar RetryBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar RetryBenchmark -prof gc -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class RetryBenchmark {

	static final int MAX_ATTEMPTS = 3;

	static final Duration WAIT = Duration.ofMillis(500);

	private final Backend backend = new Backend();

	private final CheckedSupplier<String> checkedSupplier = this.backend::call;

	private Retry ours;

	private Supplier<String> r4j;

	private FailsafeExecutor<String> failsafe;

	/**
	 * Creates the retries.
	 */
	@Setup
	public void setUp() {
		this.ours = Retry.of("bench", RetryConfig.builder().maxAttempts(MAX_ATTEMPTS).waitDuration(WAIT).build());
		this.r4j = io.github.resilience4j.retry.Retry.decorateSupplier(io.github.resilience4j.retry.Retry.of("bench",
				io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(MAX_ATTEMPTS).waitDuration(WAIT).build()),
				this.backend::call);
		this.failsafe = Failsafe
			.with(RetryPolicy.<String>builder().withMaxAttempts(MAX_ATTEMPTS).withDelay(WAIT).build());
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
	 * @throws InterruptedException never here: no attempt fails
	 */
	@Benchmark
	public String succeeding_ours() throws InterruptedException {
		return PermitProtocol.retry(this.ours, this.backend);
	}

	/**
	 * Resilience4j's.
	 * @return the result
	 */
	@Benchmark
	public String succeeding_r4j() {
		return this.r4j.get();
	}

	/**
	 * Failsafe's.
	 * @return the result
	 */
	@Benchmark
	public String succeeding_failsafe() {
		return this.failsafe.get(this.checkedSupplier);
	}

}
