package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
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
 * The rate limiter, ours against Resilience4j's and Failsafe's, in one JVM run, with a
 * bare call as the baseline:
 * <ul>
 * <li>{@code permitted_*}: the success path under a limit no benchmark reaches (10^9
 * permits per second);</li>
 * <li>{@code limiting_*}: a limit of one permit per hour, taken at the first call, and no
 * wait allowed, so every call measured is a rejection (the exception is returned, not
 * thrown out of the benchmark);</li>
 * <li>{@code *_oursCoarse}: ours on the coarse clock
 * ({@code resilience.clock=coarse}).</li>
 * </ul>
 * Ours takes its permit as the interceptor does ({@code acquirePermission(1)}),
 * Resilience4j's runs a supplier decorated once, Failsafe's (bursty, Resilience4j's
 * model) an executor built once. With {@code -t 2} both threads share the same limiters.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar RateLimiterBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar RateLimiterBenchmark -prof gc -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class RateLimiterBenchmark {

	/** Permits per second that no benchmark reaches. */
	static final int HUGE_LIMIT = 1_000_000_000;

	private static final Duration SECOND = Duration.ofSeconds(1);

	private static final Duration HOUR = Duration.ofHours(1);

	private final Backend backend = new Backend();

	private final Supplier<String> supplier = this.backend::call;

	private final CheckedSupplier<String> checkedSupplier = this.backend::call;

	private RateLimiter oursPermitted;

	private RateLimiter oursCoarsePermitted;

	private RateLimiter oursLimiting;

	private RateLimiter oursCoarseLimiting;

	private Supplier<String> r4jPermitted;

	private Supplier<String> r4jLimiting;

	private FailsafeExecutor<String> failsafePermitted;

	private FailsafeExecutor<String> failsafeLimiting;

	/**
	 * Creates the limiters and drains the limiting ones.
	 */
	@Setup
	public void setUp() {
		this.oursPermitted = RateLimiter.of("permitted", oursConfig(HUGE_LIMIT, SECOND));
		this.oursCoarsePermitted = RateLimiter.of("permitted-coarse", oursConfig(HUGE_LIMIT, SECOND), Clocks.COARSE,
				dev.resilience.core.Scheduler.system());
		this.oursLimiting = RateLimiter.of("limiting", oursConfig(1, HOUR));
		this.oursLimiting.acquirePermission(1);
		this.oursCoarseLimiting = RateLimiter.of("limiting-coarse", oursConfig(1, HOUR), Clocks.COARSE,
				dev.resilience.core.Scheduler.system());
		this.oursCoarseLimiting.acquirePermission(1);

		this.r4jPermitted = io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(
				io.github.resilience4j.ratelimiter.RateLimiter.of("permitted", r4jConfig(HUGE_LIMIT, SECOND)),
				this.supplier);
		io.github.resilience4j.ratelimiter.RateLimiter r4jLimiter = io.github.resilience4j.ratelimiter.RateLimiter
			.of("limiting", r4jConfig(1, HOUR));
		r4jLimiter.acquirePermission();
		this.r4jLimiting = io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(r4jLimiter, this.supplier);

		this.failsafePermitted = Failsafe
			.with(dev.failsafe.RateLimiter.<String>burstyBuilder(HUGE_LIMIT, SECOND).build());
		dev.failsafe.RateLimiter<String> failsafeLimiter = dev.failsafe.RateLimiter.<String>burstyBuilder(1, HOUR)
			.build();
		failsafeLimiter.tryAcquirePermit();
		this.failsafeLimiting = Failsafe.with(failsafeLimiter);
	}

	static RateLimiterConfig oursConfig(int limit, Duration period) {
		return RateLimiterConfig.builder()
			.limitForPeriod(limit)
			.limitRefreshPeriod(period)
			.timeoutDuration(Duration.ZERO)
			.build();
	}

	static io.github.resilience4j.ratelimiter.RateLimiterConfig r4jConfig(int limit, Duration period) {
		return io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
			.limitForPeriod(limit)
			.limitRefreshPeriod(period)
			.timeoutDuration(Duration.ZERO)
			.build();
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
	 * Ours, permitted.
	 * @return the result
	 */
	@Benchmark
	public String permitted_ours() {
		return PermitProtocol.rateLimiter(this.oursPermitted, this.backend);
	}

	/**
	 * Ours, permitted, on the coarse clock ({@code resilience.clock=coarse}).
	 * @return the result
	 */
	@Benchmark
	public String permitted_oursCoarse() {
		return PermitProtocol.rateLimiter(this.oursCoarsePermitted, this.backend);
	}

	/**
	 * Resilience4j, permitted.
	 * @return the result
	 */
	@Benchmark
	public String permitted_r4j() {
		return this.r4jPermitted.get();
	}

	/**
	 * Failsafe, permitted.
	 * @return the result
	 */
	@Benchmark
	public String permitted_failsafe() {
		return this.failsafePermitted.get(this.checkedSupplier);
	}

	/**
	 * Ours, limiting: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object limiting_ours() {
		try {
			return PermitProtocol.rateLimiter(this.oursLimiting, this.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Ours, limiting, on the coarse clock: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object limiting_oursCoarse() {
		try {
			return PermitProtocol.rateLimiter(this.oursCoarseLimiting, this.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Resilience4j, limiting: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object limiting_r4j() {
		try {
			return this.r4jLimiting.get();
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Failsafe, limiting: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object limiting_failsafe() {
		try {
			return this.failsafeLimiting.get(this.checkedSupplier);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

}
