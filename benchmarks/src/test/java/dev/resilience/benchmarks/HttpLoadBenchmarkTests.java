package dev.resilience.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.benchmarks.HttpLoadBenchmark.Figures;
import dev.resilience.benchmarks.HttpLoadBenchmark.Options;
import dev.resilience.benchmarks.HttpLoadBenchmark.Phase;
import dev.resilience.benchmarks.HttpLoadBenchmark.Report;
import dev.resilience.benchmarks.HttpLoadBenchmark.Server;
import dev.resilience.benchmarks.HttpLoadServer.Library;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HttpLoadBenchmark} in a very short run (a few clients, well under a second per
 * slice): every phase of both libraries is answered as it should be, and the servers are
 * gone afterwards. Nothing about time is asserted. The servers run in this JVM
 * ({@code --same-jvm}): two child JVMs started from the test class path take about 17 s
 * on the 2-core build machine, over this test's budget; the documented run uses them.
 */
@Tag("slow")
class HttpLoadBenchmarkTests {

	@Test
	@Timeout(60)
	void shortRunAnswersEachPhaseAsItShouldAndStopsBothServers() throws Exception {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		Options options = new Options(4, Duration.ofMillis(400), Duration.ofMillis(400), Duration.ofMillis(600), 2,
				true);
		Report report;
		try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
			report = HttpLoadBenchmark.run(options, out);
		}
		String output = buffer.toString(StandardCharsets.UTF_8);
		assertThat(report.problems()).as(output).isEmpty();
		assertThat(report.ok()).isTrue();
		for (Library library : Library.values()) {
			Figures normal = report.figures(library, Phase.NORMAL);
			// Every request was answered by the downstream, once, through a closed
			// breaker.
			assertThat(normal.answered()).as(output).isPositive();
			assertThat(normal.unexpected()).isZero();
			assertThat(normal.downstreamCalls()).isEqualTo(normal.answered());
			assertThat(normal.breakerState()).isEqualTo("CLOSED");
			assertThat(normal.requestsPerSecond()).isPositive();
			assertThat(normal.p99Nanos()).isGreaterThanOrEqualTo(normal.p50Nanos()).isPositive();
			Figures outage = report.figures(library, Phase.OUTAGE);
			// Every request was answered by the fallback; the open breaker let none
			// through.
			assertThat(outage.answered()).as(output).isPositive();
			assertThat(outage.unexpected()).isZero();
			assertThat(outage.downstreamCalls()).isZero();
			assertThat(outage.breakerState()).isEqualTo("OPEN");
			// One JVM for all: no CPU time of its own for a server or the generator.
			assertThat(outage.serverCpuMicrosPerRequest()).isNaN();
			assertThat(outage.generatorCpuMicrosPerRequest()).isNaN();
		}
		assertThat(Phase.NORMAL.body()).isEqualTo(HttpLoadServer.DOWNSTREAM_BODY);
		assertThat(Phase.OUTAGE.body()).isEqualTo(HttpLoadServer.FALLBACK_BODY);
		assertThat(output).contains(
				"| phase | library | requests | requests/s | p50 | p99 | server CPU per request | unexpected |",
				"| normal | ours | ", "| normal | r4j | ", "| normal | ours/r4j | ", "| outage | ours | ",
				"| outage | r4j | ", "| outage | ours/r4j | ", "OK: every response");
		assertThat(output.contains("has no virtual threads")).isEqualTo(Runtime.version().feature() < 21);
		assertThat(report.servers()).hasSize(2);
		for (Server server : report.servers()) {
			assertThat(server.isRunning()).as(server.library().label()).isFalse();
			assertThatThrownBy(() -> connect(server.port())).isInstanceOf(IOException.class);
		}
	}

	private static void connect(int port) throws IOException {
		new Socket(InetAddress.getLoopbackAddress(), port).close();
	}

	@Test
	void unexpectedResponsesAndDownstreamCallsAreProblems() {
		List<String> problems = new ArrayList<>();
		new Figures(Library.OURS, Phase.NORMAL, 10, 0, 1.0, 1, 2, 10, "CLOSED", -1, -1, 0).check(problems);
		new Figures(Library.R4J, Phase.OUTAGE, 10, 0, 1.0, 1, 2, 0, "OPEN", -1, -1, 0).check(problems);
		assertThat(problems).isEmpty();
		new Figures(Library.OURS, Phase.NORMAL, 10, 2, 1.0, 1, 2, 12, "CLOSED", -1, -1, 0).check(problems);
		new Figures(Library.R4J, Phase.OUTAGE, 10, 0, 1.0, 1, 2, 3, "OPEN", -1, -1, 0).check(problems);
		new Figures(Library.R4J, Phase.NORMAL, 0, 0, 1.0, 0, 0, 0, "CLOSED", -1, -1, 0).check(problems);
		assertThat(problems).containsExactly("normal ours: 2 unexpected responses",
				"outage r4j: 3 downstream calls for 10 requests, expected 0",
				"normal r4j: no request answered with downstream");
	}

	@Test
	void cpuPerRequestCountsEveryRequestAndIsUnknownWhenTheTimeIs() {
		Figures figures = new Figures(Library.OURS, Phase.NORMAL, 8, 2, 1.0, 1, 2, 10, "CLOSED", 30_000_000, -1, 0);
		assertThat(figures.serverCpuMicrosPerRequest()).isEqualTo(3_000.0);
		assertThat(figures.generatorCpuMicrosPerRequest()).isNaN();
		assertThat(figures.requestsPerSecond()).isEqualTo(8.0);
	}

	@Test
	void optionsHaveDefaultsAndRejectWhatTheyDoNotKnow() {
		assertThat(Options.parse()).isEqualTo(
				new Options(64, Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(10), 2, false));
		assertThat(Options.parse("--clients=8", "--warmup=0.5", "--warmup-max=0.5", "--measure=2", "--slices=4",
				"--same-jvm"))
			.isEqualTo(new Options(8, Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(2), 4, true));
		// Without a maximum, twice the least warm-up.
		assertThat(Options.parse("--warmup=0.3").warmupMax()).isEqualTo(Duration.ofMillis(600));
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--warmup=5", "--warmup-max=4"));
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--threads=8"))
			.withMessageContaining("--threads=8");
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--clients=0"));
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("--measure=0"));
	}

}
