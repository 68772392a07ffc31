package dev.resilience.boot.dashboard;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The page's files as read at startup: the folder's own files with their types, the
 * placeholders of {@code index.html} replaced, and a clear startup error when the page
 * cannot work (no {@code index.html}, a placeholder missing, a type the dashboard cannot
 * serve).
 */
class DashboardFilesTests {

	private static final String INDEX = "<head><meta name=\"resilience-snapshot\" content=\"@SNAPSHOT@\">"
			+ "<meta name=\"resilience-root\" content=\"@ROOT@\"></head>";

	private static final DashboardSettings SETTINGS = new DashboardSettings("/ops/resilience", "../../",
			"../../actuator/resilience");

	@TempDir
	Path classPath;

	@Test
	void servesTheFoldersOwnFilesWithTheirTypesAndThePlaceholdersReplaced() throws IOException {
		DashboardFiles files = load(Map.of("index.html", INDEX, "dashboard.js", "let x = 1;", "dashboard.css",
				"body {}", "favicon.svg", "<svg/>", "sub/secret.js", "no"));
		assertThat(files.names()).containsExactly("dashboard.css", "dashboard.js", "favicon.svg", "index.html");
		assertThat(new String(files.index().bytes(), StandardCharsets.UTF_8))
			.isEqualTo("<head><meta name=\"resilience-snapshot\" content=\"../../actuator/resilience\">"
					+ "<meta name=\"resilience-root\" content=\"../../\"></head>");
		assertThat(files.index().type()).hasToString("text/html;charset=UTF-8");
		assertThat(files.get("dashboard.js").type()).hasToString("text/javascript;charset=UTF-8");
		assertThat(files.get("dashboard.css").type()).hasToString("text/css;charset=UTF-8");
		assertThat(files.get("favicon.svg").type()).hasToString("image/svg+xml;charset=UTF-8");
		assertThat(new String(files.get("dashboard.js").bytes(), StandardCharsets.UTF_8)).isEqualTo("let x = 1;");
		assertThat(files.get("sub")).isNull();
		assertThat(files.get("secret.js")).isNull();
		assertThat(files.get("../index.html")).isNull();
	}

	@Test
	void escapesTheReplacementsForTheAttribute() throws IOException {
		DashboardFiles files = load(Map.of("index.html", INDEX));
		DashboardFiles escaped = DashboardFiles.load(loader(),
				new DashboardSettings("/resilience", "../", "../actuator/\"<a&b>"));
		assertThat(new String(escaped.index().bytes(), StandardCharsets.UTF_8))
			.contains("content=\"../actuator/&quot;&lt;a&amp;b&gt;\"");
		assertThat(files.names()).containsExactly("index.html");
	}

	@Test
	void failsWithoutAnIndex() throws IOException {
		write(Map.of("dashboard.js", ""));
		assertThatIllegalStateException().isThrownBy(() -> DashboardFiles.load(loader(), SETTINGS))
			.withMessageContaining("no classpath:dev/resilience/boot/dashboard/static/index.html");
	}

	@Test
	void failsWhenTheIndexLacksAPlaceholder() throws IOException {
		write(Map.of("index.html", INDEX.replace("@ROOT@", "../")));
		assertThatIllegalStateException().isThrownBy(() -> DashboardFiles.load(loader(), SETTINGS))
			.withMessageContaining("lacks its placeholder @ROOT@");
	}

	@Test
	void failsOnAFileOfATypeItCannotServe() throws IOException {
		write(Map.of("index.html", INDEX, "dashboard.js.map", "{}"));
		assertThatIllegalStateException().isThrownBy(() -> DashboardFiles.load(loader(), SETTINGS))
			.withMessageContaining("dashboard.js.map has a type the dashboard cannot serve");
	}

	private DashboardFiles load(Map<String, String> files) throws IOException {
		write(files);
		return DashboardFiles.load(loader(), SETTINGS);
	}

	private void write(Map<String, String> files) throws IOException {
		for (Map.Entry<String, String> file : files.entrySet()) {
			Path path = this.classPath.resolve(DashboardFiles.LOCATION).resolve(file.getKey());
			Files.createDirectories(path.getParent());
			Files.writeString(path, file.getValue());
		}
	}

	// Only the temporary folder: not the starter's own files.
	private ClassLoader loader() throws IOException {
		return new URLClassLoader(new URL[] { this.classPath.toUri().toURL() }, null);
	}

}
