package dev.resilience.boot.ops;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules pass {@code promtool check rules} and their unit tests
 * ({@code promtool test rules}), and the dashboard's queries are valid PromQL (checked by
 * promtool as recording rules, Grafana's interval variables replaced).
 * <p>
 * {@code promtool} comes with the Debian package {@code prometheus}, which
 * {@code .ci/run} installs. Without it on the {@code PATH} these tests cannot check
 * anything: they say so in one line on the console and pass, since the build must run on
 * a machine with only a JDK; the other tests of this package still check the files.
 */
class PromtoolTests {

	private static final AtomicBoolean reported = new AtomicBoolean();

	@Test
	void theAlertRulesPassPromtoolCheckRules() throws Exception {
		Optional<Path> promtool = promtool();
		if (promtool.isPresent()) {
			Result result = run(promtool.get(), "check", "rules", OpsFiles.ALERTS.toString());
			assertThat(result.exitCode()).as(result.output()).isZero();
			assertThat(result.output()).contains("SUCCESS");
		}
	}

	@Test
	void everyAlertFiresInThePromtoolUnitTestsAsTheyExpect() throws Exception {
		Optional<Path> promtool = promtool();
		if (promtool.isPresent()) {
			Result result = run(promtool.get(), "test", "rules", OpsFiles.ALERT_TESTS.toString());
			assertThat(result.exitCode()).as(result.output()).isZero();
			// Every alert of the rules file is asserted somewhere in the unit tests.
			String tests = OpsFiles.read(OpsFiles.ALERT_TESTS);
			for (Map<String, Object> rule : OpsFiles.alertRules()) {
				assertThat(tests).as("a unit test of " + rule.get("alert"))
					.contains("alertname: " + rule.get("alert") + "\n        exp_alerts:\n          - exp_labels:");
			}
		}
	}

	@Test
	void theDashboardQueriesAreValidPromQl(@TempDir Path directory) throws Exception {
		Optional<Path> promtool = promtool();
		if (promtool.isPresent()) {
			StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
			int i = 0;
			for (String expr : OpsFiles.dashboardExpressions().values()) {
				String promql = expr.replace("$__rate_interval", "5m")
					.replace("$__interval", "1m")
					.replace("$__range", "1h");
				rules.append("      - record: dashboard_query_")
					.append(i++)
					.append("\n        expr: |\n")
					.append(promql.lines().map((line) -> "          " + line + "\n").reduce("", String::concat));
			}
			Path file = directory.resolve("dashboard-queries.yml");
			Files.writeString(file, rules, StandardCharsets.UTF_8);
			Result result = run(promtool.get(), "check", "rules", file.toString());
			assertThat(result.exitCode()).as(result.output() + "\n" + rules).isZero();
			assertThat(result.output()).contains("SUCCESS: " + i + " rules found");
		}
	}

	private static Optional<Path> promtool() {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				Path candidate = Path.of(directory, "promtool");
				if (Files.isExecutable(candidate)) {
					return Optional.of(candidate);
				}
			}
		}
		if (reported.compareAndSet(false, true)) {
			System.out.println("PromtoolTests did not run: no promtool on the PATH (Debian package prometheus; "
					+ ".ci/run installs it), so the rules and the dashboard queries were not checked by promtool");
		}
		return Optional.empty();
	}

	private static Result run(Path promtool, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(promtool.toString());
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		// Real I/O with a bound: promtool answers in well under a second.
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(command + " did not finish within 60 seconds");
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		return new Result(process.exitValue(), output);
	}

	private record Result(int exitCode, String output) {
	}

}
