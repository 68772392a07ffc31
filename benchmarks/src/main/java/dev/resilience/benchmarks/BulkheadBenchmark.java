package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
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
 * The semaphore bulkhead, ours against Resilience4j's and Failsafe's, in one JVM run,
 * with a bare call as the baseline: the success path with 100 places and no wait
 * ({@code permitted_*}), and the rejection of a full bulkhead of one place taken at setup
 * ({@code full_*}; the exception is returned, not thrown out of the benchmark). Ours
 * takes and gives back its place as the interceptor does, Resilience4j's runs a supplier
 * decorated once, Failsafe's an executor built once. With {@code -t 2} both threads share
 * the same bulkheads.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar BulkheadBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar BulkheadBenchmark -prof gc -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class BulkheadBenchmark {

	/** Places, more than any benchmark uses. */
	static final int PLACES = 100;

	private final Backend backend = new Backend();

	private final CheckedSupplier<String> checkedSupplier = this.backend::call;

	Bulkhead ours;

	private Supplier<String> r4j;

	private FailsafeExecutor<String> failsafe;

	Bulkhead oursFull;

	private Supplier<String> r4jFull;

	private FailsafeExecutor<String> failsafeFull;

	/**
	 * Creates the bulkheads.
	 */
	@Setup
	public void setUp() {
		this.ours = Bulkhead.of("bench",
				BulkheadConfig.builder().maxConcurrentCalls(PLACES).maxWaitDuration(Duration.ZERO).build());
		this.r4j = io.github.resilience4j.bulkhead.Bulkhead
			.decorateSupplier(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
					io.github.resilience4j.bulkhead.BulkheadConfig.custom()
						.maxConcurrentCalls(PLACES)
						.maxWaitDuration(Duration.ZERO)
						.build()),
					this.backend::call);
		this.failsafe = Failsafe.with(dev.failsafe.Bulkhead.<String>builder(PLACES).build());

		this.oursFull = Bulkhead.of("full",
				BulkheadConfig.builder().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
		this.oursFull.acquirePermission();
		io.github.resilience4j.bulkhead.Bulkhead r4jFullBulkhead = io.github.resilience4j.bulkhead.Bulkhead.of("full",
				io.github.resilience4j.bulkhead.BulkheadConfig.custom()
					.maxConcurrentCalls(1)
					.maxWaitDuration(Duration.ZERO)
					.build());
		r4jFullBulkhead.acquirePermission();
		this.r4jFull = io.github.resilience4j.bulkhead.Bulkhead.decorateSupplier(r4jFullBulkhead, this.backend::call);
		dev.failsafe.Bulkhead<String> failsafeFullBulkhead = dev.failsafe.Bulkhead.<String>builder(1).build();
		if (!failsafeFullBulkhead.tryAcquirePermit()) {
			throw new IllegalStateException("Failsafe's bulkhead gave no place");
		}
		this.failsafeFull = Failsafe.with(failsafeFullBulkhead);
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
	 */
	@Benchmark
	public String permitted_ours() {
		return PermitProtocol.bulkhead(this.ours, this.backend);
	}

	/**
	 * Resilience4j's.
	 * @return the result
	 */
	@Benchmark
	public String permitted_r4j() {
		return this.r4j.get();
	}

	/**
	 * Failsafe's.
	 * @return the result
	 */
	@Benchmark
	public String permitted_failsafe() {
		return this.failsafe.get(this.checkedSupplier);
	}

	/**
	 * Ours, full: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object full_ours() {
		try {
			return PermitProtocol.bulkhead(this.oursFull, this.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Resilience4j's, full: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object full_r4j() {
		try {
			return this.r4jFull.get();
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Failsafe's, full: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object full_failsafe() {
		try {
			return this.failsafeFull.get(this.checkedSupplier);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

}
