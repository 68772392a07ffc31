package dev.resilience.boot.dashboard.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * When the browser tests run: with both binaries usable; not without them on a
 * developer's machine (one line saying how to run them); and with {@code CI=true}, run
 * and fail at once. Binaries are files in a temporary folder, named through
 * {@code CHROME_BIN} and {@code CHROMEDRIVER}, including the empty non-executable file a
 * machine hides one with.
 */
class ChromiumConditionTests {

	@TempDir
	Path folder;

	private final AtomicBoolean once = new AtomicBoolean();

	private final List<String> printed = new ArrayList<>();

	@Test
	void executableNonEmptyBinariesLetTheTestsRun() throws IOException {
		Map<String, String> env = env(binary("chromium", true, true), binary("chromedriver", true, true));
		assertThat(Chromium.missing(env::get)).isNull();
		assertThat(condition(env).evaluateExecutionCondition(null).isDisabled()).isFalse();
		assertThat(this.printed).isEmpty();
	}

	@Test
	void anEmptyNonExecutableFileCountsAsMissingAndDisablesTheTestsInOneLine() throws IOException {
		Path hidden = binary("chromium", false, false);
		Map<String, String> env = env(hidden, binary("chromedriver", true, true));
		assertThat(Chromium.missing(env::get))
			.isEqualTo("no Chromium (CHROME_BIN=" + hidden + " is not an executable file)");
		var result = condition(env).evaluateExecutionCondition(null);
		assertThat(result.isDisabled()).isTrue();
		assertThat(result.getReason())
			.hasValueSatisfying((reason) -> assertThat(reason).startsWith("Browser tests did not run: no Chromium")
				.contains("apt-get install chromium chromium-driver")
				.contains("CHROME_BIN and CHROMEDRIVER")
				.doesNotContain("\n"));
		// The next class is disabled too, and the line is printed only once.
		assertThat(condition(env).evaluateExecutionCondition(null).isDisabled()).isTrue();
		assertThat(this.printed).containsExactly("[browser tests] " + result.getReason().get());
	}

	@Test
	void anExecutableButEmptyDriverCountsAsMissing() throws IOException {
		Path driver = binary("chromedriver", true, false);
		Map<String, String> env = env(binary("chromium", true, true), driver);
		assertThat(Chromium.missing(env::get))
			.isEqualTo("no chromedriver (CHROMEDRIVER=" + driver + " is not an executable file)");
	}

	@Test
	void onCiAMissingBrowserRunsTheTestsWhichFailAtOnceSayingWhatIsMissing() throws IOException {
		Map<String, String> env = env(binary("chromium", false, false), binary("chromedriver", false, true));
		env.put("CI", "true");
		ChromiumCondition condition = condition(env);
		assertThat(condition.evaluateExecutionCondition(null).isDisabled()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> condition.beforeAll(null))
			.withMessageStartingWith("CI=true but the browser tests cannot run: no Chromium")
			.withMessageContaining("and no chromedriver")
			.withMessageContaining("apt-get install chromium chromium-driver");
	}

	private ChromiumCondition condition(Map<String, String> env) {
		return new ChromiumCondition(env::get, this.once, this.printed::add);
	}

	private Path binary(String name, boolean executable, boolean content) throws IOException {
		Path file = this.folder.resolve(name);
		Files.write(file, content ? new byte[] { 0x7f, 'E', 'L', 'F' } : new byte[0]);
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
		return file;
	}

	private static Map<String, String> env(Path browser, Path driver) {
		Map<String, String> env = new HashMap<>();
		env.put("CHROME_BIN", browser.toString());
		env.put("CHROMEDRIVER", driver.toString());
		return env;
	}

}
