package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.resilience.core.Invoker;
import dev.resilience.deadline.Deadline;
import dev.resilience.pipeline.Pipeline;
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
 * deadline on the thread (the feature unused: one volatile read per call and per stage
 * that may wait, while no deadline was ever entered in the JVM, as in this benchmark's
 * own fork; a thread-local read after that), and with a deadline current that leaves
 * plenty of time (each stage that may wait reads the clock for what is left), against
 * Resilience4j's same stack (which has no deadlines) in the same run.
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
		this.ours = PipelineBenchmark.ours();
		this.r4j = PipelineBenchmark.r4j(this.backend);
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
