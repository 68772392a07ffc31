package dev.resilience.benchmarks;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.resilience.boot.actuate.endpoint.RecentEvents;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerEvent;
import io.github.resilience4j.consumer.CircularEventConsumer;
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
 * What a successful circuit-breaker call costs while its events are kept for the
 * Actuator, ours against Resilience4j's, in one JVM run. Ours keeps them in the starter's
 * {@link RecentEvents} (which exists while the {@code resilience} endpoint, the live
 * dashboard's, or the {@code resilienceevents} endpoint is available); Resilience4j's
 * Spring Boot module keeps them in a {@link CircularEventConsumer} per instance for its
 * events endpoints (100 events, as ours). The {@code *_unobserved} variants are the same
 * breakers with nobody listening, the path with the dashboard off: the difference is what
 * keeping the events adds to each call (creating the event, stamping and storing it).
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar EventBufferBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class EventBufferBenchmark {

	private static final int BUFFER_SIZE = 100;

	private final Backend backend = new Backend();

	private final Supplier<String> supplier = this.backend::call;

	CircuitBreaker oursUnobserved;

	CircuitBreaker oursBuffered;

	private RecentEvents recentEvents;

	private Supplier<String> r4jUnobserved;

	private Supplier<String> r4jBuffered;

	CircularEventConsumer<CircuitBreakerEvent> r4jEvents;

	@Setup
	public void setUp() {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry
			.of(CircuitBreakerBenchmark.oursConfig(SlidingWindowType.COUNT_BASED, 100));
		this.oursUnobserved = registry.instance("unobserved");
		this.recentEvents = new RecentEvents(BUFFER_SIZE, Clock.systemUTC());
		CircuitBreakerRegistry followed = CircuitBreakerRegistry
			.of(CircuitBreakerBenchmark.oursConfig(SlidingWindowType.COUNT_BASED, 100));
		this.recentEvents.follow(followed);
		this.oursBuffered = followed.instance("buffered");

		this.r4jUnobserved = io.github.resilience4j.circuitbreaker.CircuitBreaker
			.decorateSupplier(CircuitBreakerBenchmark.r4jCountBreaker("unobserved"), this.supplier);
		io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker = CircuitBreakerBenchmark
			.r4jCountBreaker("buffered");
		this.r4jEvents = new CircularEventConsumer<>(BUFFER_SIZE);
		r4jBreaker.getEventPublisher().onEvent(this.r4jEvents);
		this.r4jBuffered = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(r4jBreaker,
				this.supplier);
	}

	@TearDown
	public void tearDown() {
		this.recentEvents.close();
	}

	@Benchmark
	public String unobserved_ours() {
		return PermitProtocol.circuitBreaker(this.oursUnobserved, this.backend);
	}

	@Benchmark
	public String buffered_ours() {
		return PermitProtocol.circuitBreaker(this.oursBuffered, this.backend);
	}

	@Benchmark
	public String unobserved_r4j() {
		return this.r4jUnobserved.get();
	}

	@Benchmark
	public String buffered_r4j() {
		return this.r4jBuffered.get();
	}

}
