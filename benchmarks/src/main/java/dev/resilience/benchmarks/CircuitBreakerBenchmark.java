package dev.resilience.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
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
 * The circuit breaker, ours against Resilience4j's and Failsafe's, in one JVM run, with a
 * bare call as the baseline:
 * <ul>
 * <li>{@code countWindow_*}: the success path with a count window of 100 calls;</li>
 * <li>{@code timeWindow_*}: the success path with a time window of 10 seconds;</li>
 * <li>{@code failing_*}: a count window under failures, one call in ten failing (below
 * the 50% threshold, so the breaker stays closed);</li>
 * <li>{@code open_*}: the breaker open, so the cost of a rejection (the exception is
 * returned, not thrown out of the benchmark).</li>
 * </ul>
 * Each library runs with its default configuration but for the window, the minimum number
 * of calls (100) and the open wait (1 hour); ours goes through its permit protocol as the
 * interceptor does, Resilience4j's through a supplier decorated once, Failsafe's through
 * an executor built once. With {@code -t 2} both threads share the same breakers.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar CircuitBreakerBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar CircuitBreakerBenchmark -prof gc -t 2
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class CircuitBreakerBenchmark {

	private static final int WINDOW_SIZE = 100;

	private static final int WINDOW_SECONDS = 10;

	private static final Duration OPEN_WAIT = Duration.ofHours(1);

	private final Backend backend = new Backend();

	private final Supplier<String> supplier = this.backend::call;

	private final CheckedSupplier<String> checkedSupplier = this.backend::call;

	private CircuitBreaker oursCount;

	private CircuitBreaker oursTime;

	private CircuitBreaker oursTimeCoarse;

	private CircuitBreaker oursOpen;

	private CircuitBreaker oursOpenCoarse;

	private Supplier<String> r4jCount;

	private Supplier<String> r4jTime;

	private Supplier<String> r4jOpen;

	private FailsafeExecutor<String> failsafeCount;

	private FailsafeExecutor<String> failsafeTime;

	private FailsafeExecutor<String> failsafeOpen;

	/**
	 * Creates the breakers.
	 */
	@Setup
	public void setUp() {
		this.oursCount = CircuitBreaker.of("count", oursConfig(SlidingWindowType.COUNT_BASED, WINDOW_SIZE));
		this.oursTime = CircuitBreaker.of("time", oursConfig(SlidingWindowType.TIME_BASED, WINDOW_SECONDS));
		this.oursTimeCoarse = CircuitBreaker.of("time-coarse", oursConfig(SlidingWindowType.TIME_BASED, WINDOW_SECONDS),
				Clocks.COARSE, dev.resilience.core.Scheduler.system());
		this.oursOpen = CircuitBreaker.of("open", oursConfig(SlidingWindowType.COUNT_BASED, WINDOW_SIZE));
		this.oursOpen.transitionTo(CircuitBreaker.State.OPEN);
		this.oursOpenCoarse = CircuitBreaker.of("open-coarse", oursConfig(SlidingWindowType.COUNT_BASED, WINDOW_SIZE),
				Clocks.COARSE, dev.resilience.core.Scheduler.system());
		this.oursOpenCoarse.transitionTo(CircuitBreaker.State.OPEN);

		this.r4jCount = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(r4jCountBreaker("count"),
				this.supplier);
		this.r4jTime = io.github.resilience4j.circuitbreaker.CircuitBreaker
			.decorateSupplier(io.github.resilience4j.circuitbreaker.CircuitBreaker.of("time",
					r4jConfig(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.TIME_BASED,
							WINDOW_SECONDS)),
					this.supplier);
		io.github.resilience4j.circuitbreaker.CircuitBreaker r4jOpenBreaker = r4jCountBreaker("open");
		r4jOpenBreaker.transitionToOpenState();
		this.r4jOpen = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(r4jOpenBreaker,
				this.supplier);

		this.failsafeCount = Failsafe.with(failsafeCountBreaker());
		this.failsafeTime = Failsafe.with(dev.failsafe.CircuitBreaker.<String>builder()
			.withFailureRateThreshold(50, WINDOW_SIZE, Duration.ofSeconds(WINDOW_SECONDS))
			.withDelay(OPEN_WAIT)
			.build());
		dev.failsafe.CircuitBreaker<String> failsafeOpenBreaker = failsafeCountBreaker();
		failsafeOpenBreaker.open();
		this.failsafeOpen = Failsafe.with(failsafeOpenBreaker);
	}

	static CircuitBreakerConfig oursConfig(SlidingWindowType type, int size) {
		return CircuitBreakerConfig.builder()
			.slidingWindowType(type)
			.slidingWindowSize(size)
			.minimumNumberOfCalls(WINDOW_SIZE)
			.failureRateThreshold(50)
			.waitDurationInOpenState(OPEN_WAIT)
			.build();
	}

	static io.github.resilience4j.circuitbreaker.CircuitBreaker r4jCountBreaker(String name) {
		return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name, r4jConfig(
				io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED, WINDOW_SIZE));
	}

	static io.github.resilience4j.circuitbreaker.CircuitBreakerConfig r4jConfig(
			io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType type, int size) {
		return io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
			.slidingWindowType(type)
			.slidingWindowSize(size)
			.minimumNumberOfCalls(WINDOW_SIZE)
			.failureRateThreshold(50)
			.waitDurationInOpenState(OPEN_WAIT)
			.build();
	}

	static dev.failsafe.CircuitBreaker<String> failsafeCountBreaker() {
		return dev.failsafe.CircuitBreaker.<String>builder()
			.withFailureThreshold(WINDOW_SIZE / 2, WINDOW_SIZE)
			.withDelay(OPEN_WAIT)
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
	 * Ours, count window, success.
	 * @return the result
	 */
	@Benchmark
	public String countWindow_ours() {
		return PermitProtocol.circuitBreaker(this.oursCount, this.backend);
	}

	/**
	 * Resilience4j, count window, success.
	 * @return the result
	 */
	@Benchmark
	public String countWindow_r4j() {
		return this.r4jCount.get();
	}

	/**
	 * Failsafe, count window, success.
	 * @return the result
	 */
	@Benchmark
	public String countWindow_failsafe() {
		return this.failsafeCount.get(this.checkedSupplier);
	}

	/**
	 * Ours, time window, success.
	 * @return the result
	 */
	@Benchmark
	public String timeWindow_ours() {
		return PermitProtocol.circuitBreaker(this.oursTime, this.backend);
	}

	/**
	 * Ours, time window, success, on the coarse clock ({@code resilience.clock=coarse}).
	 * @return the result
	 */
	@Benchmark
	public String timeWindow_oursCoarse() {
		return PermitProtocol.circuitBreaker(this.oursTimeCoarse, this.backend);
	}

	/**
	 * Resilience4j, time window, success.
	 * @return the result
	 */
	@Benchmark
	public String timeWindow_r4j() {
		return this.r4jTime.get();
	}

	/**
	 * Failsafe, time window, success.
	 * @return the result
	 */
	@Benchmark
	public String timeWindow_failsafe() {
		return this.failsafeTime.get(this.checkedSupplier);
	}

	/**
	 * Ours, count window, one call in ten failing.
	 * @param failing this thread's failing backend
	 * @return the result or the failure
	 */
	@Benchmark
	public Object failing_ours(Failing failing) {
		try {
			return PermitProtocol.circuitBreaker(failing.ours, failing.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Resilience4j, count window, one call in ten failing.
	 * @param failing this thread's failing backend
	 * @return the result or the failure
	 */
	@Benchmark
	public Object failing_r4j(Failing failing) {
		try {
			return failing.r4j.get();
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Failsafe, count window, one call in ten failing.
	 * @param failing this thread's failing backend
	 * @return the result or the failure
	 */
	@Benchmark
	public Object failing_failsafe(Failing failing) {
		try {
			return failing.failsafe.get(failing.checkedSupplier);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Ours, open: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object open_ours() {
		try {
			return PermitProtocol.circuitBreaker(this.oursOpen, this.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Ours, open, on the coarse clock: the rejection, whose look at the open wait reads
	 * the coarse clock.
	 * @return the rejection
	 */
	@Benchmark
	public Object open_oursCoarse() {
		try {
			return PermitProtocol.circuitBreaker(this.oursOpenCoarse, this.backend);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Resilience4j, open: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object open_r4j() {
		try {
			return this.r4jOpen.get();
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * Failsafe, open: the rejection.
	 * @return the rejection
	 */
	@Benchmark
	public Object open_failsafe() {
		try {
			return this.failsafeOpen.get(this.checkedSupplier);
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/**
	 * The breakers under failures, shared by all threads, each thread with its own
	 * failing backend so that one call in ten fails on every thread.
	 */
	@State(Scope.Benchmark)
	public static class FailingBreakers {

		final CircuitBreaker ours = CircuitBreaker.of("failing",
				oursConfig(SlidingWindowType.COUNT_BASED, WINDOW_SIZE));

		final io.github.resilience4j.circuitbreaker.CircuitBreaker r4j = r4jCountBreaker("failing");

		final FailsafeExecutor<String> failsafe = Failsafe.with(failsafeCountBreaker());

	}

	/**
	 * One thread's failing backend, and the shared breakers decorated around it.
	 */
	@State(Scope.Thread)
	public static class Failing {

		final FailingBackend backend = new FailingBackend();

		final CheckedSupplier<String> checkedSupplier = this.backend::call;

		CircuitBreaker ours;

		Supplier<String> r4j;

		FailsafeExecutor<String> failsafe;

		/**
		 * Decorates the shared breakers around this thread's backend.
		 * @param breakers the shared breakers
		 */
		@Setup
		public void setUp(FailingBreakers breakers) {
			this.ours = breakers.ours;
			this.r4j = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(breakers.r4j,
					this.backend::call);
			this.failsafe = breakers.failsafe;
		}

	}

}
