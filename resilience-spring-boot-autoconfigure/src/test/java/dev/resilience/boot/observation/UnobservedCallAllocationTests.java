package dev.resilience.boot.observation;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With observations off, an annotated call allocates what any Spring AOP interception
 * allocates and nothing more: as much per call as a class proxy with one no-op
 * interceptor (the method invocation Spring makes per call; under a retry too, whose
 * attempts proceed on the invocation itself when no advice follows), measured by the
 * JVM's per-thread allocation counter after a warm-up. With them on, it allocates the
 * observations, which the same measurement sees (so it would see a regression). (JMH's
 * {@code AnnotationBenchmark} with {@code -prof gc} measures the same with compiled code,
 * against the build before observations.)
 */
@Tag("slow")
class UnobservedCallAllocationTests {

	private static final int WARM_UP = 300_000;

	private static final int CALLS = 100_000;

	// Spring's per-call allocation varies with what the JIT inlines: the floor's no-op
	// lambda lets escape analysis remove the proxy's 24-byte method-cache key now and
	// then
	// (64 B instead of 88 B), which a real interceptor's call never does. A copy of the
	// invocation is 96 B, far beyond it.
	private static final long SLACK_PER_CALL = 24;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceObservationAutoConfiguration.class))
		.withBean(Protected.class)
		.withBean(Retried.class)
		.withPropertyValues("resilience.circuitbreaker.instances.bench.minimum-number-of-calls=1000",
				"resilience.retry.instances.bench.max-attempts=3");

	@Test
	void switchedOffAnAnnotatedCallAllocatesWhatANoOpInterceptorDoes() {
		this.contextRunner.withBean(ObservationRegistry.class, UnobservedCallAllocationTests::timingRegistry)
			.withPropertyValues("resilience.observations.enabled=false")
			.run((context) -> assertFloors(context.getBean(Protected.class), context.getBean(Retried.class)));
	}

	@Test
	void withoutARegistryAnAnnotatedCallAllocatesWhatANoOpInterceptorDoes() {
		this.contextRunner
			.run((context) -> assertFloors(context.getBean(Protected.class), context.getBean(Retried.class)));
	}

	private static void assertFloors(Protected bean, Retried retried) {
		long floor = perCall(floor(false)::call);
		assertThat(perCall(bean::call)).as("bytes per call, the no-op interceptor's being %d", floor)
			.isLessThanOrEqualTo(floor + SLACK_PER_CALL);
		// No advice follows the retry's interceptor: its attempts proceed on the
		// invocation itself, with no copy.
		long cloningFloor = perCall(floor(true)::call);
		assertThat(perCall(retried::call))
			.as("bytes per retried call, the no-op interceptor's being %d (%d on a copy)", floor, cloningFloor)
			.isLessThanOrEqualTo(floor + SLACK_PER_CALL);
	}

	@Test
	void observedTheMeasurementSeesTheObservations() {
		this.contextRunner.withBean(ObservationRegistry.class, UnobservedCallAllocationTests::timingRegistry)
			.run((context) -> {
				long floor = perCall(floor(false)::call);
				assertThat(perCall(context.getBean(Protected.class)::call)).isGreaterThan(floor + SLACK_PER_CALL);
				assertThat(perCall(context.getBean(Retried.class)::call)).isGreaterThan(floor + SLACK_PER_CALL);
			});
	}

	private static ObservationRegistry timingRegistry() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
		return registry;
	}

	private static Plain floor(boolean onACopy) {
		ProxyFactory factory = new ProxyFactory(new Plain());
		factory.setProxyTargetClass(true);
		factory.addAdvice(onACopy
				? (MethodInterceptor) (invocation) -> ((ProxyMethodInvocation) invocation).invocableClone().proceed()
				: (MethodInterceptor) MethodInvocation::proceed);
		return (Plain) factory.getProxy();
	}

	private static long perCall(Supplier<String> call) {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		assertThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
			.as("per-thread allocation counting is supported and enabled")
			.isTrue();
		for (int i = 0; i < WARM_UP; i++) {
			call.get();
		}
		long thread = Thread.currentThread().getId();
		long before = threads.getThreadAllocatedBytes(thread);
		for (int i = 0; i < CALLS; i++) {
			call.get();
		}
		return (threads.getThreadAllocatedBytes(thread) - before) / CALLS;
	}

	/** Not advised but by the test's no-op interceptor. */
	public static class Plain {

		public String call() {
			return "ok";
		}

	}

	/** A breaker. */
	public static class Protected {

		@CircuitBreaker(name = "bench")
		public String call() {
			return "ok";
		}

	}

	/** A breaker and a retry: the retry's attempt observer is off too. */
	public static class Retried {

		@Retry(name = "bench")
		@CircuitBreaker(name = "bench")
		public String call() {
			return "ok";
		}

	}

}
