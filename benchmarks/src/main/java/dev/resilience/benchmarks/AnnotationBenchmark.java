package dev.resilience.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.http.ResilienceHttpAutoConfiguration;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
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

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The annotation path: a call to a Spring bean method protected by annotations, ours
 * (this project's starter) against Resilience4j's ({@code resilience4j-spring-boot4} and
 * its AspectJ aspects), in one JVM run. Each library has its own non-web
 * {@link SpringApplication} with auto-configuration, since both define beans such as
 * {@code circuitBreakerRegistry}: ours excludes Resilience4j's auto-configurations and
 * Resilience4j's excludes ours.
 * <ul>
 * <li>{@code bare}: an unadvised bean, called directly;</li>
 * <li>{@code noopInterceptor}: a class proxy with one no-op {@link MethodInterceptor},
 * the floor of any interception;</li>
 * <li>{@code circuitBreaker_*}: one {@code @CircuitBreaker};</li>
 * <li>{@code stack_*}: {@code @Retry @CircuitBreaker @RateLimited @Bulkhead} with
 * {@code @Fallback} for ours, {@code @Retry @CircuitBreaker @RateLimiter @Bulkhead} with
 * a {@code fallbackMethod} on the outermost ({@code @Retry}) for Resilience4j;</li>
 * <li>{@code *_observed}: ours in a third application that has an
 * {@code ObservationRegistry} with Micrometer's meter handler over a
 * {@code SimpleMeterRegistry} (what Spring Boot's Actuator sets up), so every call is a
 * {@code resilience.call} observation timed by {@code resilience.call} (and, under the
 * retry, a {@code resilience.attempt}); {@code ours} has no registry, so its calls are
 * not observed, which is also the path with
 * {@code resilience.observations.enabled=false};</li>
 * <li>{@code stack_oursCoarse}: ours in a fourth application with
 * {@code resilience.clock=coarse};</li>
 * <li>{@code observationFloor}: the no-op-intercepted call inside a plain Micrometer
 * Observation with the same registry and as many low-cardinality keys as a
 * {@code resilience.call} (seven, built once), the floor of any instrumentation through
 * Observations.</li>
 * </ul>
 * Both are configured alike (a count window of 100 calls, 10^9 permits per second, 100
 * places, 3 attempts) so that the success path is measured. Spring's call paths need
 * about 8 seconds to be compiled, hence the longer warm-up.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -jar benchmarks/target/benchmarks.jar AnnotationBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class AnnotationBenchmark {

	static final String NAME = "bench";

	private static final KeyValues FLOOR_KEYS = KeyValues.of("resilience.method", "Target.call", "resilience.outcome",
			"success", "resilience.circuitbreaker", NAME, "resilience.retry", "none", "resilience.ratelimiter", "none",
			"resilience.bulkhead", "none", "resilience.timeout", "none");

	ConfigurableApplicationContext oursContext;

	ConfigurableApplicationContext r4jContext;

	private Target bare;

	private Target floor;

	private OursCircuitBreaker oursCircuitBreaker;

	private OursStack oursStack;

	ConfigurableApplicationContext observedContext;

	ConfigurableApplicationContext coarseContext;

	private OursStack coarseStack;

	private OursCircuitBreaker observedCircuitBreaker;

	private OursStack observedStack;

	private ObservationRegistry floorRegistry;

	private R4jCircuitBreaker r4jCircuitBreaker;

	private R4jStack r4jStack;

	/**
	 * Starts both applications and makes the floor proxy.
	 */
	@Setup
	public void setUp() {
		this.oursContext = start(OursApplication.class, oursProperties());
		this.r4jContext = start(R4jApplication.class, r4jProperties());
		this.bare = this.oursContext.getBean(Target.class);
		ProxyFactory proxyFactory = new ProxyFactory(new Target());
		proxyFactory.setProxyTargetClass(true);
		proxyFactory.addAdvice((MethodInterceptor) MethodInvocation::proceed);
		this.floor = (Target) proxyFactory.getProxy();
		this.oursCircuitBreaker = this.oursContext.getBean(OursCircuitBreaker.class);
		this.oursStack = this.oursContext.getBean(OursStack.class);
		this.r4jCircuitBreaker = this.r4jContext.getBean(R4jCircuitBreaker.class);
		this.r4jStack = this.r4jContext.getBean(R4jStack.class);
		this.observedContext = start(ObservedApplication.class, oursProperties());
		this.observedCircuitBreaker = this.observedContext.getBean(OursCircuitBreaker.class);
		this.observedStack = this.observedContext.getBean(OursStack.class);
		this.floorRegistry = this.observedContext.getBean(ObservationRegistry.class);
		Map<String, Object> coarse = oursProperties();
		coarse.put("resilience.clock", "coarse");
		this.coarseContext = start(OursApplication.class, coarse);
		this.coarseStack = this.coarseContext.getBean(OursStack.class);
		for (Object bean : List.of(this.oursCircuitBreaker, this.oursStack, this.r4jCircuitBreaker, this.r4jStack,
				this.observedCircuitBreaker, this.observedStack, this.coarseStack)) {
			if (!AopUtils.isAopProxy(bean)) {
				throw new IllegalStateException(bean.getClass().getName() + " is not advised");
			}
		}
	}

	/**
	 * Closes both applications.
	 */
	@TearDown
	public void tearDown() {
		if (this.oursContext != null) {
			this.oursContext.close();
		}
		if (this.r4jContext != null) {
			this.r4jContext.close();
		}
		if (this.observedContext != null) {
			this.observedContext.close();
		}
		if (this.coarseContext != null) {
			this.coarseContext.close();
		}
	}

	static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
		return start(application, properties, WebApplicationType.NONE);
	}

	// Shared with HttpLoadServer, which starts its servlet applications the same way.
	static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties,
			WebApplicationType type) {
		SpringApplication spring = new SpringApplication(application);
		spring.setWebApplicationType(type);
		spring.setBannerMode(Banner.Mode.OFF);
		spring.setLogStartupInfo(false);
		Map<String, Object> defaults = new LinkedHashMap<>(properties);
		defaults.put("logging.level.root", "WARN");
		spring.setDefaultProperties(defaults);
		return spring.run();
	}

	static Map<String, Object> oursProperties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		// Resilience4j's auto-configurations are on the class path too: keep them out.
		properties.put("spring.autoconfigure.exclude",
				ImportCandidates.load(AutoConfiguration.class, AnnotationBenchmark.class.getClassLoader())
					.getCandidates()
					.stream()
					.filter((name) -> name.startsWith("io.github.resilience4j."))
					.collect(Collectors.joining(",")));
		String prefix = "resilience.";
		properties.put(prefix + "circuitbreaker.instances.bench.sliding-window-size", "100");
		properties.put(prefix + "circuitbreaker.instances.bench.minimum-number-of-calls", "100");
		properties.put(prefix + "retry.instances.bench.max-attempts", "3");
		properties.put(prefix + "retry.instances.bench.wait-duration", "500ms");
		properties.put(prefix + "ratelimiter.instances.bench.limit-for-period", "1000000000");
		properties.put(prefix + "ratelimiter.instances.bench.limit-refresh-period", "1s");
		properties.put(prefix + "ratelimiter.instances.bench.timeout-duration", "0");
		properties.put(prefix + "bulkhead.instances.bench.max-concurrent-calls", "100");
		return properties;
	}

	static Map<String, Object> r4jProperties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		// Ours is kept out. ResilienceHttpAutoConfiguration applies once Spring Web is
		// on the class path (for HttpLoadBenchmark) and needs the registries of
		// ResilienceAutoConfiguration, so it goes too; the others start without them.
		properties.put("spring.autoconfigure.exclude",
				ResilienceAutoConfiguration.class.getName() + "," + ResilienceHttpAutoConfiguration.class.getName());
		String prefix = "resilience4j.";
		properties.put(prefix + "circuitbreaker.instances.bench.sliding-window-size", "100");
		properties.put(prefix + "circuitbreaker.instances.bench.minimum-number-of-calls", "100");
		properties.put(prefix + "retry.instances.bench.max-attempts", "3");
		properties.put(prefix + "retry.instances.bench.wait-duration", "500ms");
		properties.put(prefix + "ratelimiter.instances.bench.limit-for-period", "1000000000");
		properties.put(prefix + "ratelimiter.instances.bench.limit-refresh-period", "1s");
		properties.put(prefix + "ratelimiter.instances.bench.timeout-duration", "0");
		properties.put(prefix + "bulkhead.instances.bench.max-concurrent-calls", "100");
		return properties;
	}

	/**
	 * An unadvised bean, called directly.
	 * @return the result
	 */
	@Benchmark
	public String bare() {
		return this.bare.call();
	}

	/**
	 * A class proxy with one no-op interceptor: the floor of annotation interception.
	 * @return the result
	 */
	@Benchmark
	public String noopInterceptor() {
		return this.floor.call();
	}

	/**
	 * Ours, {@code @CircuitBreaker}.
	 * @return the result
	 */
	@Benchmark
	public String circuitBreaker_ours() {
		return this.oursCircuitBreaker.call();
	}

	/**
	 * Resilience4j's, {@code @CircuitBreaker}.
	 * @return the result
	 */
	@Benchmark
	public String circuitBreaker_r4j() {
		return this.r4jCircuitBreaker.call();
	}

	/**
	 * Ours, {@code @Retry @CircuitBreaker @RateLimited @Bulkhead @Fallback}.
	 * @return the result
	 */
	@Benchmark
	public String stack_ours() {
		return this.oursStack.call();
	}

	/**
	 * Ours, the full stack, in an application with {@code resilience.clock=coarse}.
	 * @return the result
	 */
	@Benchmark
	public String stack_oursCoarse() {
		return this.coarseStack.call();
	}

	/**
	 * Resilience4j's, {@code @Retry @CircuitBreaker @RateLimiter @Bulkhead} and a
	 * {@code fallbackMethod}.
	 * @return the result
	 */
	@Benchmark
	public String stack_r4j() {
		return this.r4jStack.call();
	}

	/**
	 * Ours, {@code @CircuitBreaker}, each call observed and timed.
	 * @return the result
	 */
	@Benchmark
	public String circuitBreaker_observed() {
		return this.observedCircuitBreaker.call();
	}

	/**
	 * Ours, the full stack, each call and attempt observed and timed.
	 * @return the result
	 */
	@Benchmark
	public String stack_observed() {
		return this.observedStack.call();
	}

	/**
	 * The no-op-intercepted call in a plain Observation with seven keys.
	 * @return the result
	 */
	@Benchmark
	public String observationFloor() {
		return Observation.createNotStarted("floor", this.floorRegistry)
			.lowCardinalityKeyValues(FLOOR_KEYS)
			.observe(this.floor::call);
	}

	/**
	 * A bean without annotations.
	 */
	public static class Target {

		/**
		 * The call.
		 * @return {@code "ok"}
		 */
		public String call() {
			return "ok";
		}

	}

	/**
	 * Ours, one annotation.
	 */
	public static class OursCircuitBreaker {

		/**
		 * The call.
		 * @return {@code "ok"}
		 */
		@CircuitBreaker(name = NAME)
		public String call() {
			return "ok";
		}

	}

	/**
	 * Ours, the full stack.
	 */
	public static class OursStack {

		/**
		 * The call.
		 * @return {@code "ok"}
		 */
		@Retry(name = NAME)
		@CircuitBreaker(name = NAME)
		@RateLimited(name = NAME)
		@Bulkhead(name = NAME)
		@Fallback(method = "fallback")
		public String call() {
			return "ok";
		}

		String fallback(Throwable failure) {
			return "fallback";
		}

	}

	/**
	 * Resilience4j's, one annotation.
	 */
	public static class R4jCircuitBreaker {

		/**
		 * The call.
		 * @return {@code "ok"}
		 */
		@io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = NAME)
		public String call() {
			return "ok";
		}

	}

	/**
	 * Resilience4j's, the full stack.
	 */
	public static class R4jStack {

		/**
		 * The call.
		 * @return {@code "ok"}
		 */
		@io.github.resilience4j.retry.annotation.Retry(name = NAME, fallbackMethod = "fallback")
		@io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = NAME)
		@io.github.resilience4j.ratelimiter.annotation.RateLimiter(name = NAME)
		@io.github.resilience4j.bulkhead.annotation.Bulkhead(name = NAME)
		public String call() {
			return "ok";
		}

		String fallback(Throwable failure) {
			return "fallback";
		}

	}

	/**
	 * Our application.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class OursApplication {

		@Bean
		Target target() {
			return new Target();
		}

		@Bean
		OursCircuitBreaker oursCircuitBreaker() {
			return new OursCircuitBreaker();
		}

		@Bean
		OursStack oursStack() {
			return new OursStack();
		}

	}

	/**
	 * Ours, with an observation registry that times every observation, as Spring Boot's
	 * Actuator configures one.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ObservedApplication {

		@Bean
		ObservationRegistry observationRegistry() {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig()
				.observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
			return registry;
		}

		@Bean
		OursCircuitBreaker oursCircuitBreaker() {
			return new OursCircuitBreaker();
		}

		@Bean
		OursStack oursStack() {
			return new OursStack();
		}

	}

	/**
	 * Resilience4j's application.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class R4jApplication {

		@Bean
		R4jCircuitBreaker r4jCircuitBreaker() {
			return new R4jCircuitBreaker();
		}

		@Bean
		R4jStack r4jStack() {
			return new R4jStack();
		}

	}

}
