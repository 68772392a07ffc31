package dev.resilience.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.resilience.benchmarks.HttpLoadServer.Library;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * HTTP load benchmark: requests per second and latency (p50, p99) of one Spring MVC
 * endpoint whose downstream call is protected by our annotations, and of the same
 * endpoint protected by Resilience4j's ({@link HttpLoadServer}), in normal operation (the
 * downstream answers) and during an outage (the downstream fails, the breaker is open,
 * the fallback answers), side by side in one run. Not JMH: real HTTP/1.1 round trips on
 * loopback.
 * <p>
 * Each server runs in its own child JVM ({@code -Xms512m -Xmx512m}, the same {@code java}
 * and class path as this one) so that the JIT and the GC of one do not affect the other;
 * {@code --same-jvm} starts both in this JVM instead. The generator runs here:
 * {@code clients} closed-loop clients (each sends its next request when the last one is
 * answered) on virtual threads (JDK 21+; on older JDKs a fixed pool of platform threads,
 * said in one line), sharing one {@link HttpClient} (HTTP/1.1, keep-alive).
 * <p>
 * First each server is warmed up on both paths (normal, then outage), its breaker reset
 * afterwards; then each phase, normal then outage, is measured in {@code slices} slices
 * that alternate between the libraries, so that both share the machine's noise. Before
 * each outage (warm-up or measured) the breaker is driven open by failing calls
 * (unmeasured). Every response is checked: status 200 and
 * {@value HttpLoadServer#DOWNSTREAM_BODY} in the normal phase,
 * {@value HttpLoadServer#FALLBACK_BODY} in the outage; so is the breaker's state after
 * each slice (closed, open) and the number of downstream calls (one per request, none).
 * Any other outcome is listed as a problem, and {@link #main} then exits with status 1.
 * <p>
 * Run it from the repository root, after {@code ./mvnw -B -DskipTests package -pl
 * benchmarks -am}, on JDK 21+ for virtual threads: <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.resilience.benchmarks.HttpLoadBenchmark \
 *     [--clients=64] [--warmup=10] [--warmup-max=20] [--measure=10] [--slices=2] [--same-jvm]
 * </pre> Durations are in seconds (decimals allowed), per library and phase. The warm-up
 * goes on past {@code --warmup}, up to {@code --warmup-max} (by default twice
 * {@code --warmup}), while the server's JIT is still compiling (more than 5 % of the last
 * second); the JIT time during the measured slices is reported, with a warning when it is
 * more than 10 %.
 * <p>
 * {@link #run} makes its servers, client threads and HTTP client itself and stops them
 * before it returns: two runs share nothing but the machine.
 */
public final class HttpLoadBenchmark {

	private static final Duration WARMUP_STEP = Duration.ofSeconds(1);

	// A JIT compiling for less than this share of a step is taken to be done.
	private static final double QUIET_JIT = 0.05;

	private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration OPEN_PROBE = Duration.ofMillis(200);

	private final Options options;

	private final PrintStream out;

	private final HttpClient client;

	private final ExecutorService clients;

	private HttpLoadBenchmark(Options options, PrintStream out, HttpClient client, ExecutorService clients) {
		this.options = options;
		this.out = out;
		this.client = client;
		this.clients = clients;
	}

	/**
	 * Runs the benchmark and prints its table; exits with status 1 if any response,
	 * breaker state or downstream count was not what its phase should give.
	 * @param args the options (see the class's Javadoc)
	 * @throws Exception if a server could not be started or the run was interrupted
	 */
	public static void main(String[] args) throws Exception {
		Report report = run(Options.parse(args), System.out);
		if (!report.ok()) {
			System.exit(1);
		}
	}

	/**
	 * Runs the benchmark: starts both servers, drives the phases, prints the table and
	 * the checks to {@code out}, and stops the servers.
	 * @param options the run's settings
	 * @param out where the progress, the table and the checks go
	 * @return the figures and the problems seen; the servers are stopped
	 * @throws Exception if a server could not be started or the run was interrupted
	 */
	public static Report run(Options options, PrintStream out) throws Exception {
		ExecutorService clients = clientThreads(options.clients(), out);
		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
		try {
			return new HttpLoadBenchmark(options, out, client, clients).run();
		}
		finally {
			clients.shutdownNow();
			clients.awaitTermination(10, TimeUnit.SECONDS);
			// JDK 21+ can close the client (its selector thread) at once; on 17 it ends
			// when the client is collected.
			if (client instanceof AutoCloseable closeable) {
				closeable.close();
			}
		}
	}

	private Report run() throws Exception {
		this.out.printf(Locale.ROOT,
				"HTTP load: JDK %s, %d cores, load average %.2f, %d clients, warm-up %s s (up to %s s while the"
						+ " JIT is busy) and %s s measured in %d slices per library and phase, servers %s%n",
				System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), this.options.clients(),
				seconds(this.options.warmup()), seconds(this.options.warmupMax()), seconds(this.options.measure()),
				this.options.slices(), this.options.sameJvm() ? "in this JVM" : "in child JVMs (-Xms512m -Xmx512m)");
		List<Server> servers = startServers(this.options.sameJvm());
		List<String> problems = new ArrayList<>();
		List<Figures> figures = new ArrayList<>();
		try {
			for (Server server : servers) {
				this.out.printf("%s listening on 127.0.0.1:%d%n", server.library().label(), server.port());
			}
			Map<Phase, Map<Library, Accumulator>> accumulators = new EnumMap<>(Phase.class);
			for (Phase phase : Phase.values()) {
				Map<Library, Accumulator> ofPhase = new EnumMap<>(Library.class);
				for (Server server : servers) {
					ofPhase.put(server.library(), new Accumulator(server.library(), phase));
				}
				accumulators.put(phase, ofPhase);
			}
			// Both paths of every server are warmed up before anything is measured: on a
			// busy machine a JIT needs tens of seconds, and an idle server's JIT goes on
			// while the other server is driven.
			for (Server server : servers) {
				warmUp(server, Phase.NORMAL, accumulators.get(Phase.NORMAL).get(server.library()));
				startOutage(server, accumulators.get(Phase.OUTAGE).get(server.library()));
				warmUp(server, Phase.OUTAGE, accumulators.get(Phase.OUTAGE).get(server.library()));
				this.out.printf("%s: downstream answering again, breaker reset%n", server.library().label());
				control(server, "POST", "/control/reset");
			}
			for (Phase phase : Phase.values()) {
				if (phase == Phase.OUTAGE) {
					for (Server server : servers) {
						startOutage(server, accumulators.get(Phase.OUTAGE).get(server.library()));
					}
				}
				figures.addAll(measure(phase, servers, accumulators.get(phase), problems));
			}
		}
		finally {
			for (Server server : servers) {
				server.close();
			}
		}
		for (Server server : servers) {
			if (server.isRunning()) {
				problems.add(server.library().label() + ": the server did not stop");
			}
		}
		Report report = new Report(figures, problems, servers);
		report.print(this.out);
		return report;
	}

	private void startOutage(Server server, Accumulator accumulator) throws Exception {
		this.out.printf("%s: downstream failing, driving the breaker open%n", server.library().label());
		control(server, "POST", "/control/outage?on=true");
		driveOpen(server, accumulator);
	}

	private List<Figures> measure(Phase phase, List<Server> servers, Map<Library, Accumulator> accumulators,
			List<String> problems) throws Exception {
		Duration slice = this.options.measure().dividedBy(this.options.slices());
		for (int i = 1; i <= this.options.slices(); i++) {
			for (Server server : servers) {
				this.out.printf("%s %s: measuring, slice %d of %d%n", phase.label(), server.library().label(), i,
						this.options.slices());
				BreakerState before = state(server);
				long serverCpu = server.cpuNanos();
				long generatorCpu = this.options.sameJvm() ? -1 : cpuNanos(ProcessHandle.current());
				Stage stage = drive(server, phase, slice);
				serverCpu = difference(serverCpu, server.cpuNanos());
				generatorCpu = this.options.sameJvm() ? -1
						: difference(generatorCpu, cpuNanos(ProcessHandle.current()));
				BreakerState after = state(server);
				accumulators.get(server.library())
					.measured(stage, after.downstreamCalls() - before.downstreamCalls(), serverCpu, generatorCpu,
							difference(before.compilationMillis(), after.compilationMillis()));
				if (!after.state().equals(phase.breakerState())) {
					problems.add(String.format(Locale.ROOT, "%s %s: breaker %s after slice %d, expected %s",
							phase.label(), server.library().label(), after.state(), i, phase.breakerState()));
				}
				accumulators.get(server.library()).breakerState = after.state();
			}
		}
		List<Figures> figures = new ArrayList<>();
		for (Accumulator accumulator : accumulators.values()) {
			Figures result = accumulator.figures();
			result.check(problems);
			if (accumulator.unexpected > 0) {
				problems.add(String.format(Locale.ROOT, "%s %s: first unexpected response: %s", phase.label(),
						accumulator.library.label(), accumulator.sample));
			}
			if (accumulator.warmUpUnexpected > 0) {
				problems.add(String.format(Locale.ROOT, "%s %s: %d unexpected responses during the warm-up, e.g. %s",
						phase.label(), accumulator.library.label(), accumulator.warmUpUnexpected,
						accumulator.warmUpSample));
			}
			figures.add(result);
		}
		return figures;
	}

	private void warmUp(Server server, Phase phase, Accumulator accumulator) throws Exception {
		long started = System.nanoTime();
		Duration first = this.options.warmup().minus(WARMUP_STEP);
		if (!first.isNegative() && !first.isZero()) {
			accumulator.warmUp(drive(server, phase, first));
		}
		// The last step of the least warm-up, then more while the JIT is busy.
		long compiled = -1;
		Duration step = WARMUP_STEP;
		while (true) {
			Duration left = this.options.warmupMax().minusNanos(System.nanoTime() - started);
			if (left.isNegative() || left.isZero()) {
				break;
			}
			step = (left.compareTo(WARMUP_STEP) < 0) ? left : WARMUP_STEP;
			long before = state(server).compilationMillis();
			accumulator.warmUp(drive(server, phase, step));
			long after = state(server).compilationMillis();
			compiled = (before < 0 || after < 0) ? -1 : after - before;
			if (compiled < QUIET_JIT * step.toMillis()
					&& System.nanoTime() - started >= this.options.warmup().toNanos()) {
				break;
			}
		}
		this.out.printf(Locale.ROOT, "%s %s: warmed up for %.1f s, the JIT compiling for %,d ms of its last %.1f s%n",
				phase.label(), server.library().label(), (System.nanoTime() - started) / 1e9, compiled,
				step.toMillis() / 1e3);
	}

	private void driveOpen(Server server, Accumulator accumulator) throws Exception {
		long deadline = System.nanoTime() + OPEN_TIMEOUT.toNanos();
		while (!state(server).state().equals("OPEN")) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(server.library().label() + ": the breaker did not open within "
						+ OPEN_TIMEOUT.toSeconds() + " s of failing calls");
			}
			accumulator.warmUp(drive(server, Phase.OUTAGE, OPEN_PROBE));
		}
	}

	/**
	 * Runs the clients against one server for a bounded time and gathers what they saw.
	 */
	private Stage drive(Server server, Phase phase, Duration duration) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(server.uri("/call")).GET().build();
		CountDownLatch start = new CountDownLatch(1);
		long[] end = new long[1];
		List<Future<ClientRecord>> futures = new ArrayList<>();
		for (int i = 0; i < this.options.clients(); i++) {
			futures.add(this.clients.submit(client(request, phase.body(), start, end)));
		}
		long started = System.nanoTime();
		// Published to the clients by the latch.
		end[0] = started + duration.toNanos();
		start.countDown();
		List<ClientRecord> records = new ArrayList<>();
		for (Future<ClientRecord> future : futures) {
			records.add(future.get(duration.toSeconds() + 60, TimeUnit.SECONDS));
		}
		return new Stage(records, System.nanoTime() - started);
	}

	private Callable<ClientRecord> client(HttpRequest request, String expectedBody, CountDownLatch start, long[] end) {
		return () -> {
			ClientRecord record = new ClientRecord();
			start.await();
			long until = end[0];
			while (true) {
				long before = System.nanoTime();
				if (before - until >= 0) {
					return record;
				}
				try {
					HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
					long latency = System.nanoTime() - before;
					if (response.statusCode() == 200 && expectedBody.equals(response.body())) {
						record.answered(latency);
					}
					else {
						record.unexpected("status " + response.statusCode() + " body " + abbreviate(response.body()));
					}
				}
				catch (IOException ex) {
					record.unexpected(ex.getClass().getSimpleName() + ": " + ex.getMessage());
				}
			}
		};
	}

	private BreakerState state(Server server) throws IOException, InterruptedException {
		String[] parts = control(server, "GET", "/control/state").trim().split(" ");
		return new BreakerState(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
	}

	private String control(Server server, String method, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(server.uri(path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(server.library().label() + ": " + method + " " + path + " answered "
					+ response.statusCode() + " " + abbreviate(response.body()));
		}
		return response.body();
	}

	static long cpuNanos(ProcessHandle process) {
		return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
	}

	private static long difference(long before, long after) {
		return (before < 0 || after < 0) ? -1 : after - before;
	}

	private static ExecutorService clientThreads(int clients, PrintStream out) {
		try {
			// Java 17 is the baseline: virtual threads are looked up, not linked.
			Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
			return (ExecutorService) factory.invoke(null);
		}
		catch (NoSuchMethodException | IllegalAccessException ex) {
			// Before JDK 19.
		}
		catch (InvocationTargetException ex) {
			// JDK 19 and 20 without --enable-preview.
		}
		out.printf("JDK %s has no virtual threads: the %d clients run on a fixed pool of platform threads%n",
				System.getProperty("java.version"), clients);
		return Executors.newFixedThreadPool(clients);
	}

	private List<Server> startServers(boolean sameJvm) throws Exception {
		List<Server> servers = new ArrayList<>();
		try {
			if (sameJvm) {
				for (Library library : Library.values()) {
					servers.add(new InProcessServer(library, HttpLoadServer.start(library)));
				}
			}
			else {
				// Both JVMs start at once: their start-ups are mostly single-threaded.
				List<ForkedServer> forked = new ArrayList<>();
				for (Library library : Library.values()) {
					ForkedServer server = ForkedServer.start(library);
					forked.add(server);
					servers.add(server);
				}
				for (ForkedServer server : forked) {
					server.awaitPort(START_TIMEOUT);
				}
			}
			return servers;
		}
		catch (Exception ex) {
			for (Server server : servers) {
				server.close();
			}
			throw ex;
		}
	}

	private static String abbreviate(String text) {
		String oneLine = text.replaceAll("\\s+", " ");
		return (oneLine.length() <= 120) ? oneLine : oneLine.substring(0, 120) + "...";
	}

	private static String seconds(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? Long.toString(duration.toSeconds())
				: String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
	}

	/**
	 * The run's settings.
	 *
	 * @param clients the concurrent closed-loop clients (default 64)
	 * @param warmup the least warm-up per library and phase (default 10 s)
	 * @param warmupMax the most warm-up per library and phase: past {@code warmup} it
	 * goes on, in steps of 1 s, while the server's JIT compiled for more than 5 % of the
	 * last step (default twice {@code warmup}; at least {@code warmup})
	 * @param measure the measured time per library and phase (default 10 s)
	 * @param slices the slices the measured time is cut in, alternating between the
	 * libraries (default 2)
	 * @param sameJvm whether both servers run in this JVM rather than in child JVMs
	 * (default {@code false})
	 */
	public record Options(int clients, Duration warmup, Duration warmupMax, Duration measure, int slices,
			boolean sameJvm) {

		/**
		 * Checks the settings.
		 */
		public Options {
			if (clients < 1 || slices < 1 || warmup.isNegative() || warmupMax.compareTo(warmup) < 0
					|| measure.isNegative() || measure.isZero()) {
				throw new IllegalArgumentException("clients and slices must be at least 1, warm-up at least 0"
						+ " and at most its maximum, and measure more than 0");
			}
		}

		/**
		 * Parses {@code --clients=N --warmup=S --warmup-max=S --measure=S --slices=N
		 * --same-jvm}; what is left out keeps its default.
		 * @param args the command line
		 * @return the settings
		 */
		public static Options parse(String... args) {
			int clients = 64;
			Duration warmup = Duration.ofSeconds(10);
			Duration warmupMax = null;
			Duration measure = Duration.ofSeconds(10);
			int slices = 2;
			boolean sameJvm = false;
			for (String arg : args) {
				String[] parts = arg.split("=", 2);
				String value = (parts.length == 2) ? parts[1] : "";
				switch (parts[0]) {
					case "--clients" -> clients = Integer.parseInt(value);
					case "--warmup" -> warmup = parseSeconds(value);
					case "--warmup-max" -> warmupMax = parseSeconds(value);
					case "--measure" -> measure = parseSeconds(value);
					case "--slices" -> slices = Integer.parseInt(value);
					case "--same-jvm" -> sameJvm = true;
					default -> throw new IllegalArgumentException("unknown option " + arg
							+ "; known: --clients=N --warmup=S --warmup-max=S --measure=S --slices=N --same-jvm");
				}
			}
			if (warmupMax == null) {
				warmupMax = warmup.multipliedBy(2);
			}
			return new Options(clients, warmup, warmupMax, measure, slices, sameJvm);
		}

		private static Duration parseSeconds(String value) {
			return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
		}

	}

	/**
	 * The two phases, in the order they run.
	 */
	public enum Phase {

		/** The downstream answers; the breaker stays closed. */
		NORMAL("normal", HttpLoadServer.DOWNSTREAM_BODY, "CLOSED"),

		/** The downstream fails; the breaker is open and the fallback answers. */
		OUTAGE("outage", HttpLoadServer.FALLBACK_BODY, "OPEN");

		private final String label;

		private final String body;

		private final String breakerState;

		Phase(String label, String body, String breakerState) {
			this.label = label;
			this.body = body;
			this.breakerState = breakerState;
		}

		/**
		 * The name in the tables.
		 * @return {@code normal} or {@code outage}
		 */
		public String label() {
			return this.label;
		}

		/**
		 * The body every response of the phase must have (with status 200).
		 * @return the downstream's body or the fallback's
		 */
		public String body() {
			return this.body;
		}

		String breakerState() {
			return this.breakerState;
		}

	}

	/**
	 * What one library did in one phase's measured slices.
	 *
	 * @param library the library
	 * @param phase the phase
	 * @param answered the responses with status 200 and the phase's body
	 * @param unexpected the other responses and the failed requests
	 * @param seconds the measured time, all slices together
	 * @param p50Nanos the median latency of the answered requests, in nanoseconds
	 * @param p99Nanos the 99th percentile, in nanoseconds
	 * @param downstreamCalls the calls that reached the downstream during the slices
	 * @param breakerState the breaker's state after the last slice
	 * @param serverCpuNanos the CPU time the server's JVM used during the slices, in
	 * nanoseconds (the operating system's count, in ticks of typically 10 ms), or -1 if
	 * unknown (servers in the generator's JVM)
	 * @param generatorCpuNanos the CPU time the generator's JVM used during the slices,
	 * or -1 if unknown (servers in its JVM)
	 * @param compilationMillis the time the server JVM's JIT compiled during the slices,
	 * in milliseconds (much of it means the warm-up was too short), or -1 if unknown
	 */
	public record Figures(Library library, Phase phase, long answered, long unexpected, double seconds, long p50Nanos,
			long p99Nanos, long downstreamCalls, String breakerState, long serverCpuNanos, long generatorCpuNanos,
			long compilationMillis) {

		/**
		 * Answered requests per second.
		 * @return the rate
		 */
		public double requestsPerSecond() {
			return this.answered / this.seconds;
		}

		/**
		 * The server's CPU time per request, in microseconds.
		 * @return the time, or {@code NaN} if unknown
		 */
		public double serverCpuMicrosPerRequest() {
			return perRequest(this.serverCpuNanos);
		}

		/**
		 * The generator's CPU time per request, in microseconds.
		 * @return the time, or {@code NaN} if unknown
		 */
		public double generatorCpuMicrosPerRequest() {
			return perRequest(this.generatorCpuNanos);
		}

		private double perRequest(long cpuNanos) {
			long requests = this.answered + this.unexpected;
			return (cpuNanos < 0 || requests == 0) ? Double.NaN : cpuNanos / 1e3 / requests;
		}

		void check(List<String> problems) {
			String name = this.phase.label() + " " + this.library.label();
			if (this.answered == 0) {
				problems.add(name + ": no request answered with " + this.phase.body());
			}
			if (this.unexpected > 0) {
				problems.add(String.format(Locale.ROOT, "%s: %d unexpected responses", name, this.unexpected));
			}
			long expectedCalls = (this.phase == Phase.NORMAL) ? this.answered + this.unexpected : 0;
			// An unexpected response may or may not have reached the downstream.
			if (this.unexpected == 0 && this.downstreamCalls != expectedCalls) {
				problems.add(String.format(Locale.ROOT, "%s: %d downstream calls for %d requests, expected %d", name,
						this.downstreamCalls, this.answered, expectedCalls));
			}
		}

	}

	/**
	 * The outcome of a run.
	 *
	 * @param figures one per library and phase
	 * @param problems what was not as the phases should give (empty if all was)
	 * @param servers the servers, stopped
	 */
	public record Report(List<Figures> figures, List<String> problems, List<Server> servers) {

		/**
		 * Whether every check passed.
		 * @return {@code true} if there is no problem
		 */
		public boolean ok() {
			return this.problems.isEmpty();
		}

		/**
		 * The figures of one library in one phase.
		 * @param library the library
		 * @param phase the phase
		 * @return its figures
		 */
		public Figures figures(Library library, Phase phase) {
			return this.figures.stream()
				.filter((figures) -> figures.library() == library && figures.phase() == phase)
				.findFirst()
				.orElseThrow();
		}

		private static String micros(double micros) {
			return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.0f us", micros);
		}

		private static String ratio(double ours, double r4j) {
			return Double.isNaN(ours) || Double.isNaN(r4j) ? "" : String.format(Locale.ROOT, "%.2fx", ours / r4j);
		}

		void print(PrintStream out) {
			out.println();
			out.println(
					"| phase | library | requests | requests/s | p50 | p99 | server CPU per request | unexpected |");
			out.println("|---|---|---:|---:|---:|---:|---:|---:|");
			for (Phase phase : Phase.values()) {
				if (this.figures.stream().noneMatch((figures) -> figures.phase() == phase)) {
					continue;
				}
				Figures ours = figures(Library.OURS, phase);
				Figures r4j = figures(Library.R4J, phase);
				for (Figures figures : List.of(ours, r4j)) {
					out.printf(Locale.ROOT, "| %s | %s | %,d | %,.0f | %.2f ms | %.2f ms | %s | %d |%n", phase.label(),
							figures.library().label(), figures.answered(), figures.requestsPerSecond(),
							figures.p50Nanos() / 1e6, figures.p99Nanos() / 1e6,
							micros(figures.serverCpuMicrosPerRequest()), figures.unexpected());
				}
				out.printf(Locale.ROOT, "| %s | ours/r4j | | %.2fx | %.2fx | %.2fx | %s | |%n", phase.label(),
						ours.requestsPerSecond() / r4j.requestsPerSecond(), (double) ours.p50Nanos() / r4j.p50Nanos(),
						(double) ours.p99Nanos() / r4j.p99Nanos(),
						ratio(ours.serverCpuMicrosPerRequest(), r4j.serverCpuMicrosPerRequest()));
			}
			out.println();
			for (Figures figures : this.figures) {
				out.printf(Locale.ROOT,
						"check %s %s: breaker %s, %,d downstream calls for %,d requests; generator CPU per request %s;"
								+ " server JIT compiling for %,d ms of the %.1f s measured%n",
						figures.phase().label(), figures.library().label(), figures.breakerState(),
						figures.downstreamCalls(), figures.answered() + figures.unexpected(),
						micros(figures.generatorCpuMicrosPerRequest()), figures.compilationMillis(), figures.seconds());
			}
			for (Figures figures : this.figures) {
				if (figures.compilationMillis() > QUIET_JIT * 2 * figures.seconds() * 1000) {
					out.printf(Locale.ROOT,
							"WARNING: %s %s: the server's JIT compiled for %,d ms of the %.1f s measured;"
									+ " a longer warm-up would measure compiled code%n",
							figures.phase().label(), figures.library().label(), figures.compilationMillis(),
							figures.seconds());
				}
			}
			if (ok()) {
				out.println("OK: every response was the one its phase should give");
			}
			else {
				out.println("FAILED: " + this.problems.size() + " problem(s); the figures above are not valid:");
				for (String problem : this.problems) {
					out.println("  - " + problem);
				}
			}
		}

	}

	/**
	 * One server under load.
	 */
	public interface Server {

		/**
		 * The library protecting its endpoint.
		 * @return the library
		 */
		Library library();

		/**
		 * Its port on 127.0.0.1.
		 * @return the port
		 */
		int port();

		/**
		 * The CPU time its JVM has used so far.
		 * @return the time in nanoseconds, or -1 if unknown (a server in this JVM)
		 */
		long cpuNanos();

		/**
		 * Whether it still runs (its JVM is alive, or its application context active).
		 * @return {@code true} if it runs
		 */
		boolean isRunning();

		/**
		 * Stops it and waits until it has stopped; does nothing if it has.
		 */
		void close();

		/**
		 * The address of a path on it.
		 * @param path the path, from {@code /}
		 * @return {@code http://127.0.0.1:<port><path>}
		 */
		default URI uri(String path) {
			return URI.create("http://127.0.0.1:" + port() + path);
		}

	}

	private static final class InProcessServer implements Server {

		private final Library library;

		private final ConfigurableApplicationContext context;

		private final int port;

		InProcessServer(Library library, ConfigurableApplicationContext context) {
			this.library = library;
			this.context = context;
			this.port = HttpLoadServer.port(context);
		}

		@Override
		public Library library() {
			return this.library;
		}

		@Override
		public int port() {
			return this.port;
		}

		@Override
		public long cpuNanos() {
			return -1;
		}

		@Override
		public boolean isRunning() {
			return this.context.isActive();
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

	private static final class ForkedServer implements Server {

		private final Library library;

		private final Process process;

		private final CompletableFuture<Integer> port = new CompletableFuture<>();

		private ForkedServer(Library library, Process process) {
			this.library = library;
			this.process = process;
		}

		static ForkedServer start(Library library) throws IOException {
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			Process process = new ProcessBuilder(java, "-Xms512m", "-Xmx512m", "-cp",
					System.getProperty("java.class.path"), HttpLoadServer.class.getName(), library.label())
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			ForkedServer server = new ForkedServer(library, process);
			Thread reader = new Thread(server::readOutput, "http-load-" + library.label() + "-output");
			reader.setDaemon(true);
			reader.start();
			return server;
		}

		// The port line, then whatever the server logs (on standard error, marked), read
		// to the end so that the child never blocks on a full pipe.
		private void readOutput() {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (!this.port.isDone() && line.startsWith(HttpLoadServer.READY)) {
						this.port.complete(Integer.parseInt(line.substring(HttpLoadServer.READY.length()).trim()));
					}
					else {
						System.err.println("[" + this.library.label() + "] " + line);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				this.port.completeExceptionally(ex);
			}
			this.port.completeExceptionally(
					new IllegalStateException(this.library.label() + ": the server ended before it listened"));
		}

		void awaitPort(Duration timeout) throws InterruptedException, TimeoutException {
			try {
				this.port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(this.library.label() + ": the server did not start", ex.getCause());
			}
		}

		@Override
		public Library library() {
			return this.library;
		}

		@Override
		public int port() {
			return this.port.join();
		}

		@Override
		public long cpuNanos() {
			return HttpLoadBenchmark.cpuNanos(this.process.toHandle());
		}

		@Override
		public boolean isRunning() {
			return this.process.isAlive();
		}

		@Override
		public void close() {
			try {
				// The end of its standard input is the server's signal to stop.
				this.process.getOutputStream().close();
				if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (IOException ex) {
				this.process.destroyForcibly();
			}
			catch (InterruptedException ex) {
				this.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}

	}

	private record BreakerState(String state, long downstreamCalls, long compilationMillis) {
	}

	/**
	 * What one client saw in one stage. Confined to its client's thread until the
	 * client's future completes.
	 */
	private static final class ClientRecord {

		private long[] latencies = new long[1024];

		private int answered;

		private long unexpected;

		private String sample;

		void answered(long latency) {
			if (this.answered == this.latencies.length) {
				this.latencies = Arrays.copyOf(this.latencies, this.latencies.length * 2);
			}
			this.latencies[this.answered++] = latency;
		}

		void unexpected(String what) {
			this.unexpected++;
			if (this.sample == null) {
				this.sample = what;
			}
		}

	}

	/**
	 * All clients of one stage.
	 */
	private static final class Stage {

		private final long[] latencies;

		private final long unexpected;

		private final String sample;

		private final long elapsedNanos;

		Stage(List<ClientRecord> records, long elapsedNanos) {
			this.latencies = records.stream()
				.flatMapToLong((record) -> Arrays.stream(record.latencies, 0, record.answered))
				.toArray();
			this.unexpected = records.stream().mapToLong((record) -> record.unexpected).sum();
			this.sample = records.stream()
				.map((record) -> record.sample)
				.filter((sample) -> sample != null)
				.findFirst()
				.orElse(null);
			this.elapsedNanos = elapsedNanos;
		}

	}

	/**
	 * One library's stages in one phase.
	 */
	private static final class Accumulator {

		private final Library library;

		private final Phase phase;

		private final List<long[]> latencies = new ArrayList<>();

		private long unexpected;

		private String sample;

		private long elapsedNanos;

		private long downstreamCalls;

		private long serverCpuNanos;

		private long generatorCpuNanos;

		private long compilationMillis;

		private long warmUpUnexpected;

		private String warmUpSample;

		private String breakerState;

		Accumulator(Library library, Phase phase) {
			this.library = library;
			this.phase = phase;
		}

		void warmUp(Stage stage) {
			this.warmUpUnexpected += stage.unexpected;
			if (this.warmUpSample == null) {
				this.warmUpSample = stage.sample;
			}
		}

		void measured(Stage stage, long downstreamCalls, long serverCpuNanos, long generatorCpuNanos,
				long compilationMillis) {
			this.compilationMillis = (this.compilationMillis < 0 || compilationMillis < 0) ? -1
					: this.compilationMillis + compilationMillis;
			// Once unknown, unknown for the whole phase.
			this.serverCpuNanos = (this.serverCpuNanos < 0 || serverCpuNanos < 0) ? -1
					: this.serverCpuNanos + serverCpuNanos;
			this.generatorCpuNanos = (this.generatorCpuNanos < 0 || generatorCpuNanos < 0) ? -1
					: this.generatorCpuNanos + generatorCpuNanos;
			this.latencies.add(stage.latencies);
			this.unexpected += stage.unexpected;
			if (this.sample == null) {
				this.sample = stage.sample;
			}
			this.elapsedNanos += stage.elapsedNanos;
			this.downstreamCalls += downstreamCalls;
		}

		Figures figures() {
			long[] all = this.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
			return new Figures(this.library, this.phase, all.length, this.unexpected, this.elapsedNanos / 1e9,
					percentile(all, 0.50), percentile(all, 0.99), this.downstreamCalls, this.breakerState,
					this.serverCpuNanos, this.generatorCpuNanos, this.compilationMillis);
		}

		private static long percentile(long[] sorted, double quantile) {
			if (sorted.length == 0) {
				return 0;
			}
			return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))];
		}

	}

}
