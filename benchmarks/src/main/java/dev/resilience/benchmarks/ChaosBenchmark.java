package dev.resilience.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.resilience.chaos.Chaos;
import dev.resilience.chaos.ChaosFault;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.chaos.ChaosRule;
import dev.resilience.chaos.ChaosRuleConfig;
import dev.resilience.core.Invoker;
import dev.resilience.core.Scheduler;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a chaos site costs a call it does not affect: {@link PipelineBenchmark}'s four
 * stages (retry, circuit breaker, rate limiter, bulkhead) without chaos, with a chaos
 * site that has no rule, with one whose only rule is disabled, and with one whose only
 * rule is enabled at rate 0 (it draws a number per call and never hits), against
 * Resilience4j's same four decorators, in one JVM run, with a bare call as the baseline.
 * Without a rule (or with only disabled ones) the expected cost is one volatile read;
 * with a rule at rate 0, one draw from {@link ChaosRandom#system()} more; none allocates.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar ChaosBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class ChaosBenchmark {

	private static final Invoker<Backend> CALL = Backend::call;

	private final Backend backend = new Backend();

	private Pipeline withoutChaos;

	Chaos noRule;

	private Pipeline withChaosNoRule;

	Chaos disabledRule;

	private Pipeline withChaosDisabledRule;

	Chaos rateZero;

	private Pipeline withChaosRuleAtRateZero;

	private Supplier<String> r4j;

	/**
	 * Creates the stacks.
	 */
	@Setup
	public void setUp() {
		this.withoutChaos = PipelineBenchmark.ours();
		this.noRule = site();
		this.withChaosNoRule = PipelineBenchmark.oursBuilder().chaos(this.noRule).build();
		this.disabledRule = site(ChaosRule.of("disabled", exception().enabled(false).build()));
		this.withChaosDisabledRule = PipelineBenchmark.oursBuilder().chaos(this.disabledRule).build();
		this.rateZero = site(ChaosRule.of("rate-zero", exception().rate(0.0).build()));
		this.withChaosRuleAtRateZero = PipelineBenchmark.oursBuilder().chaos(this.rateZero).build();
		this.r4j = PipelineBenchmark.r4j(this.backend);
	}

	private static Chaos site(ChaosRule... rules) {
		Chaos chaos = Chaos.of("bench", Scheduler.system(), ChaosRandom.system());
		chaos.rules(List.of(rules));
		return chaos;
	}

	private static ChaosRuleConfig.Builder exception() {
		return ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(() -> new IOException("chaos: bench"));
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
	 * Our pipeline without chaos.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object withoutChaos_ours() throws Throwable {
		return this.withoutChaos.execute(this.backend, CALL);
	}

	/**
	 * Our pipeline with a chaos site that has no rule.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object chaosNoRule_ours() throws Throwable {
		return this.withChaosNoRule.execute(this.backend, CALL);
	}

	/**
	 * Our pipeline with a chaos site whose only rule is disabled.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object chaosDisabledRule_ours() throws Throwable {
		return this.withChaosDisabledRule.execute(this.backend, CALL);
	}

	/**
	 * Our pipeline with a chaos site whose only rule is enabled at rate 0.
	 * @return the result
	 * @throws Throwable never here: nothing fails
	 */
	@Benchmark
	public Object chaosRuleAtRateZero_ours() throws Throwable {
		return this.withChaosRuleAtRateZero.execute(this.backend, CALL);
	}

	/**
	 * Resilience4j's four decorators.
	 * @return the result
	 */
	@Benchmark
	public String withoutChaos_r4j() {
		return this.r4j.get();
	}

}
