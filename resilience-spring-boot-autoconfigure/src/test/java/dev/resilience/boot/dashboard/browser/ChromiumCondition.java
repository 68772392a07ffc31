package dev.resilience.boot.dashboard.browser;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the browser tests where Chromium and chromedriver are installed. Without them, a
 * developer's build reports the tests as not run, in one line saying how to run them
 * (printed once to the standard output too), and the rest of the build goes on; with
 * {@code CI=true} they run and fail at once, saying what is missing, since a CI machine
 * that lost its browser must not pass silently.
 */
final class ChromiumCondition implements ExecutionCondition, BeforeAllCallback {

	// Once per test run (JUnit creates the extension for each class).
	private static final AtomicBoolean printed = new AtomicBoolean();

	private final Function<String, @Nullable String> env;

	private final AtomicBoolean once;

	private final Consumer<String> out;

	ChromiumCondition() {
		this(System::getenv, printed, System.out::println);
	}

	ChromiumCondition(Function<String, @Nullable String> env, AtomicBoolean once, Consumer<String> out) {
		this.env = env;
		this.once = once;
		this.out = out;
	}

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		String missing = Chromium.missing(this.env);
		if (missing == null) {
			return ConditionEvaluationResult.enabled("Chromium and chromedriver found");
		}
		if (ci()) {
			return ConditionEvaluationResult.enabled("CI=true: the browser tests run (and fail) without a browser");
		}
		String line = "Browser tests did not run: " + missing + ". To run them: " + Chromium.HOW_TO_INSTALL;
		if (this.once.compareAndSet(false, true)) {
			this.out.accept("[browser tests] " + line);
		}
		return ConditionEvaluationResult.disabled(line);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		String missing = Chromium.missing(this.env);
		if (missing != null) {
			// Only reached with CI=true (otherwise the class is disabled): fail before
			// the application starts.
			throw new IllegalStateException("CI=true but the browser tests cannot run: " + missing + ". Install them: "
					+ Chromium.HOW_TO_INSTALL);
		}
	}

	private boolean ci() {
		return "true".equalsIgnoreCase(this.env.apply("CI"));
	}

}
