package dev.resilience.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servers of {@link HttpLoadBenchmark}: one Spring MVC application (Tomcat, on
 * 127.0.0.1 and a random port) whose {@code GET /call} calls a downstream service through
 * a bean protected by annotations, ours
 * ({@code @Retry @CircuitBreaker @RateLimited @Bulkhead @Fallback}) or Resilience4j's
 * ({@code @Retry(fallbackMethod) @CircuitBreaker @RateLimiter @Bulkhead}), configured
 * alike: the settings of {@link AnnotationBenchmark} (a count window of 100 calls,
 * minimum 100 calls, 10^9 permits per second, 100 places, 3 attempts), with three changes
 * made on both sides so that an outage is measured and not waited through: retries 50 ms
 * apart (the breakers open within a second), a breaker open for 10 minutes (no trial call
 * during a run), and no retry of a rejection (ours by default, Resilience4j's by
 * {@code ignore-exceptions}).
 * <p>
 * The downstream answers {@value #DOWNSTREAM_BODY} until {@code POST
 * /control/outage?on=true}, then throws; the fallback answers {@value #FALLBACK_BODY}.
 * {@code POST /control/reset} ends the outage and resets the breaker. {@code GET
 * /control/state} answers the breaker's state, the number of downstream calls and the
 * JIT's compilation time in milliseconds so far, e.g. {@code CLOSED 1234 5678}.
 * <p>
 * Run as a child JVM by {@link HttpLoadBenchmark}: <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.resilience.benchmarks.HttpLoadServer ours|r4j
 * </pre> It prints {@value #READY}{@code <port>} on one line when it listens and stops
 * when its standard input ends (the parent closes it, or dies).
 */
public final class HttpLoadServer {

	/** The body of a call the downstream answered. */
	public static final String DOWNSTREAM_BODY = "downstream";

	/** The body of a call the fallback answered. */
	public static final String FALLBACK_BODY = "fallback";

	/** The line's start that announces the port. */
	public static final String READY = "http-load-server listening on port ";

	static final String NAME = AnnotationBenchmark.NAME;

	private HttpLoadServer() {
	}

	/**
	 * Starts the server of one library and runs it until standard input ends.
	 * @param args {@code ours} or {@code r4j}
	 * @throws IOException if standard input cannot be read
	 */
	public static void main(String[] args) throws IOException {
		if (args.length != 1) {
			System.err.println("usage: HttpLoadServer ours|r4j");
			System.exit(2);
		}
		ConfigurableApplicationContext context = start(Library.of(args[0]));
		System.out.println(READY + port(context));
		System.out.flush();
		InputStream in = System.in;
		while (in.read() != -1) {
			// Nothing is sent on purpose: the end of the stream is the signal.
		}
		context.close();
		System.exit(0);
	}

	/**
	 * The two libraries measured.
	 */
	public enum Library {

		/** This project's starter. */
		OURS("ours"),

		/** Resilience4j's {@code resilience4j-spring-boot4}. */
		R4J("r4j");

		private final String label;

		Library(String label) {
			this.label = label;
		}

		/**
		 * The short name, as on the command line and in the tables.
		 * @return {@code ours} or {@code r4j}
		 */
		public String label() {
			return this.label;
		}

		static Library of(String label) {
			for (Library library : values()) {
				if (library.label.equals(label.toLowerCase(Locale.ROOT))) {
					return library;
				}
			}
			throw new IllegalArgumentException("not ours or r4j: " + label);
		}

	}

	static ConfigurableApplicationContext start(Library library) {
		return (library == Library.OURS)
				? AnnotationBenchmark.start(OursHttpApplication.class, oursProperties(), WebApplicationType.SERVLET)
				: AnnotationBenchmark.start(R4jHttpApplication.class, r4jProperties(), WebApplicationType.SERVLET);
	}

	static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	static Map<String, Object> oursProperties() {
		Map<String, Object> properties = serverProperties(AnnotationBenchmark.oursProperties());
		properties.put("resilience.retry.instances.bench.wait-duration", "50ms");
		properties.put("resilience.circuitbreaker.instances.bench.wait-duration-in-open-state", "10m");
		return properties;
	}

	static Map<String, Object> r4jProperties() {
		Map<String, Object> properties = serverProperties(AnnotationBenchmark.r4jProperties());
		// In a web application more of ours would start than ResilienceAutoConfiguration
		// (the deadline filter, for one): keep all of ours out of Resilience4j's server.
		properties.put("spring.autoconfigure.exclude",
				ImportCandidates.load(AutoConfiguration.class, HttpLoadServer.class.getClassLoader())
					.getCandidates()
					.stream()
					.filter((name) -> name.startsWith("dev.resilience."))
					.collect(Collectors.joining(",")));
		properties.put("resilience4j.retry.instances.bench.wait-duration", "50ms");
		// Resilience4j retries every exception by default, rejections included; ours does
		// not retry a rejection: without this its open breaker would be measured waiting.
		properties.put("resilience4j.retry.instances.bench.ignore-exceptions",
				String.join(",", io.github.resilience4j.circuitbreaker.CallNotPermittedException.class.getName(),
						io.github.resilience4j.ratelimiter.RequestNotPermitted.class.getName(),
						io.github.resilience4j.bulkhead.BulkheadFullException.class.getName()));
		properties.put("resilience4j.circuitbreaker.instances.bench.wait-duration-in-open-state", "10m");
		return properties;
	}

	private static Map<String, Object> serverProperties(Map<String, Object> library) {
		Map<String, Object> properties = new LinkedHashMap<>(library);
		properties.put("server.address", "127.0.0.1");
		properties.put("server.port", "0");
		// Tomcat closes a connection after 100 requests by default: the clients keep
		// theirs.
		properties.put("server.tomcat.max-keep-alive-requests", "-1");
		properties.put("server.tomcat.keep-alive-timeout", "5m");
		return properties;
	}

	/**
	 * The service behind the protected method: answers {@value #DOWNSTREAM_BODY}, or
	 * throws during an outage. Thread-safe.
	 */
	public static final class Downstream {

		private volatile boolean failing;

		private final LongAdder calls = new LongAdder();

		/**
		 * One call.
		 * @return {@value #DOWNSTREAM_BODY}
		 * @throws DownstreamUnavailableException during an outage
		 */
		public String call() {
			this.calls.increment();
			if (this.failing) {
				throw new DownstreamUnavailableException();
			}
			return DOWNSTREAM_BODY;
		}

		void failing(boolean failing) {
			this.failing = failing;
		}

		long calls() {
			return this.calls.sum();
		}

	}

	/**
	 * The downstream's failure during an outage.
	 */
	public static final class DownstreamUnavailableException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		DownstreamUnavailableException() {
			super("downstream unavailable");
		}

	}

	/**
	 * Ours: the full stack around the downstream call.
	 */
	public static class OursService {

		private final Downstream downstream;

		OursService(Downstream downstream) {
			this.downstream = downstream;
		}

		/**
		 * The protected call.
		 * @return the downstream's answer or the fallback's
		 */
		@Retry(name = NAME)
		@CircuitBreaker(name = NAME)
		@RateLimited(name = NAME)
		@Bulkhead(name = NAME)
		@Fallback(method = "fallback")
		public String call() {
			return this.downstream.call();
		}

		/**
		 * The fallback, public as Resilience4j's must be (see {@link R4jService}).
		 * @param failure what failed
		 * @return {@value #FALLBACK_BODY}
		 */
		public String fallback(Throwable failure) {
			return FALLBACK_BODY;
		}

	}

	/**
	 * Resilience4j's: the full stack around the downstream call, the fallback on the
	 * outermost aspect (the retry), as in {@link AnnotationBenchmark}.
	 */
	public static class R4jService {

		private final Downstream downstream;

		R4jService(Downstream downstream) {
			this.downstream = downstream;
		}

		/**
		 * The protected call.
		 * @return the downstream's answer or the fallback's
		 */
		@io.github.resilience4j.retry.annotation.Retry(name = NAME, fallbackMethod = "fallback")
		@io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = NAME)
		@io.github.resilience4j.ratelimiter.annotation.RateLimiter(name = NAME)
		@io.github.resilience4j.bulkhead.annotation.Bulkhead(name = NAME)
		public String call() {
			return this.downstream.call();
		}

		/**
		 * The fallback. Public: Resilience4j 2.4.0 makes a non-public fallback method
		 * accessible for each call and then inaccessible again, on the one {@code Method}
		 * object all threads share, so concurrent calls fail now and then with an
		 * {@code IllegalAccessException} (HTTP 500 here).
		 * @param failure what failed
		 * @return {@value #FALLBACK_BODY}
		 */
		public String fallback(Throwable failure) {
			return FALLBACK_BODY;
		}

	}

	/**
	 * The endpoint, the same class in both applications, and the controls the load
	 * generator uses between phases.
	 */
	@RestController
	public static class LoadController {

		private final Supplier<String> service;

		private final Downstream downstream;

		private final Supplier<String> breakerState;

		private final Runnable resetBreaker;

		LoadController(Supplier<String> service, Downstream downstream, Supplier<String> breakerState,
				Runnable resetBreaker) {
			this.service = service;
			this.downstream = downstream;
			this.breakerState = breakerState;
			this.resetBreaker = resetBreaker;
		}

		/**
		 * The measured endpoint: one protected call.
		 * @return the downstream's answer or the fallback's
		 */
		@GetMapping("/call")
		public String call() {
			return this.service.get();
		}

		/**
		 * Starts or ends the outage.
		 * @param on whether the downstream fails
		 * @return the state, as {@link #state()}
		 */
		@PostMapping("/control/outage")
		public String outage(@RequestParam("on") boolean on) {
			this.downstream.failing(on);
			return state();
		}

		/**
		 * Ends the outage and resets the breaker (closed, its window empty).
		 * @return the state, as {@link #state()}
		 */
		@PostMapping("/control/reset")
		public String reset() {
			this.downstream.failing(false);
			this.resetBreaker.run();
			return state();
		}

		/**
		 * The breaker's state, the downstream calls so far and the JVM's JIT compilation
		 * time so far, in milliseconds.
		 * @return e.g. {@code OPEN 1234 5678}
		 */
		@GetMapping("/control/state")
		public String state() {
			CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
			long compilationMillis = (compilation != null && compilation.isCompilationTimeMonitoringSupported())
					? compilation.getTotalCompilationTime() : -1;
			return this.breakerState.get() + " " + this.downstream.calls() + " " + compilationMillis;
		}

	}

	/**
	 * Our server.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class OursHttpApplication {

		@Bean
		Downstream downstream() {
			return new Downstream();
		}

		@Bean
		OursService oursService(Downstream downstream) {
			return new OursService(downstream);
		}

		@Bean
		LoadController loadController(OursService service, Downstream downstream, CircuitBreakerRegistry registry) {
			return new LoadController(service::call, downstream, () -> registry.instance(NAME).state().name(),
					() -> registry.instance(NAME).reset());
		}

	}

	/**
	 * Resilience4j's server.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class R4jHttpApplication {

		@Bean
		Downstream downstream() {
			return new Downstream();
		}

		@Bean
		R4jService r4jService(Downstream downstream) {
			return new R4jService(downstream);
		}

		@Bean
		LoadController loadController(R4jService service, Downstream downstream,
				io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry registry) {
			return new LoadController(service::call, downstream, () -> registry.circuitBreaker(NAME).getState().name(),
					() -> registry.circuitBreaker(NAME).reset());
		}

	}

}
