package dev.resilience.boot.dashboard.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium for the dashboard's browser tests: the Debian packages' binaries
 * ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}) or the ones
 * {@code CHROME_BIN} and {@code CHROMEDRIVER} name, given to Selenium explicitly so that
 * Selenium Manager never tries to download one (the build may run air-gapped). One
 * browser per test class, a fixed window, screenshots under
 * {@code target/dashboard-screenshots}.
 */
final class Chromium implements AutoCloseable {

	static final String HOW_TO_INSTALL = "apt-get install chromium chromium-driver, "
			+ "or set CHROME_BIN and CHROMEDRIVER to a Chromium and its chromedriver";

	private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

	private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

	static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

	private final ChromeDriver driver;

	private final String prefix;

	private int shots;

	private Chromium(ChromeDriver driver, String prefix) {
		this.driver = driver;
		this.prefix = prefix;
	}

	/**
	 * Says what is missing, or {@code null} when both binaries are there.
	 * @return what is missing, or {@code null}
	 */
	static @Nullable String missing() {
		return missing(System::getenv);
	}

	/**
	 * Says what is missing, or {@code null} when both binaries are there.
	 * @param env the environment variables
	 * @return what is missing, or {@code null}
	 */
	static @Nullable String missing(Function<String, @Nullable String> env) {
		String browser = find(env, "CHROME_BIN", BROWSERS);
		String driver = find(env, "CHROMEDRIVER", DRIVERS);
		if (browser != null && driver != null) {
			return null;
		}
		StringBuilder missing = new StringBuilder();
		if (browser == null) {
			missing.append("no Chromium (").append(where(env, "CHROME_BIN", BROWSERS)).append(")");
		}
		if (driver == null) {
			missing.append((browser == null) ? " and " : "")
				.append("no chromedriver (")
				.append(where(env, "CHROMEDRIVER", DRIVERS))
				.append(")");
		}
		return missing.toString();
	}

	private static @Nullable String find(Function<String, @Nullable String> env, String variable,
			List<String> defaults) {
		String set = env.apply(variable);
		if (set != null && !set.isBlank()) {
			return usable(Path.of(set)) ? set : null;
		}
		return defaults.stream().filter((candidate) -> usable(Path.of(candidate))).findFirst().orElse(null);
	}

	private static String where(Function<String, @Nullable String> env, String variable, List<String> defaults) {
		String set = env.apply(variable);
		if (set != null && !set.isBlank()) {
			return variable + "=" + set + " is not an executable file";
		}
		return "none executable and non-empty at " + String.join(" or ", defaults) + ", " + variable + " not set";
	}

	// An empty or non-executable file (how a machine hides the binary) does not count.
	private static boolean usable(Path path) {
		try {
			return Files.isRegularFile(path) && Files.isExecutable(path) && Files.size(path) > 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Starts a headless Chromium.
	 * @param prefix the prefix of this session's screenshots
	 * @return the browser
	 */
	static Chromium start(String prefix) {
		String browser = find(System::getenv, "CHROME_BIN", BROWSERS);
		String driverPath = find(System::getenv, "CHROMEDRIVER", DRIVERS);
		if (browser == null || driverPath == null) {
			throw new IllegalStateException("The browser tests cannot run: " + missing() + ". " + HOW_TO_INSTALL);
		}
		// Selenium warns for every CDP version it has no module for; these tests use
		// none.
		Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(Path.of(driverPath).toFile())
			.usingAnyFreePort()
			.withLogOutput(OutputStream.nullOutputStream())
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(browser);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=1280,1000", "--disable-extensions", "--no-first-run", "--disable-background-networking",
				"--force-prefers-reduced-motion", "--lang=en");
		deleteScreenshots(prefix);
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
		return new Chromium(driver, prefix);
	}

	// The previous run's screenshots of this session would mix with this run's.
	private static void deleteScreenshots(String prefix) {
		if (!Files.isDirectory(SCREENSHOTS)) {
			return;
		}
		try (var files = Files.list(SCREENSHOTS)) {
			for (Path file : files.filter((f) -> f.getFileName().toString().startsWith(prefix + "-")).toList()) {
				Files.delete(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	WebDriver driver() {
		return this.driver;
	}

	void open(String url) {
		this.driver.get(url);
	}

	/**
	 * Waits until the condition holds (a bounded wait: the page polls over real HTTP).
	 * @param <T> the condition's result
	 * @param seconds the deadline
	 * @param condition the condition
	 * @return the condition's first non-null, non-false result
	 */
	<T> T waitUntil(int seconds, Function<WebDriver, T> condition) {
		return new WebDriverWait(this.driver, Duration.ofSeconds(seconds), Duration.ofMillis(50)).until(condition);
	}

	WebElement find(String css) {
		return this.driver.findElement(By.cssSelector(css));
	}

	List<WebElement> findAll(String css) {
		return this.driver.findElements(By.cssSelector(css));
	}

	static String tile(String primitive, String name) {
		return ".tile[data-primitive='" + primitive + "'][data-name='" + name + "']";
	}

	@Nullable Object script(String script, Object... arguments) {
		return ((JavascriptExecutor) this.driver).executeScript(script, arguments);
	}

	@SuppressWarnings("unchecked")
	Map<String, Object> stats() {
		return (Map<String, Object>) script("return Object.assign({}, window.resilienceDashboard.stats);");
	}

	long updates() {
		return ((Number) stats().get("updates")).longValue();
	}

	/** Waits for the next render after this call (one poll of the snapshot). */
	void waitForNextUpdate() {
		long now = updates();
		waitUntil(5, (d) -> updates() > now);
	}

	void screenshot(String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Files.write(SCREENSHOTS.resolve(String.format("%s-%02d-%s.png", this.prefix, ++this.shots, name)),
					this.driver.getScreenshotAs(OutputType.BYTES));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.driver.quit();
	}

}
