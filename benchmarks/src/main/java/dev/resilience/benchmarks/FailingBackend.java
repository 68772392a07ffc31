package dev.resilience.benchmarks;

/**
 * A backend whose every tenth call fails (10%, below every failure-rate threshold used
 * here), with an exception made once, so that a benchmark measures how a library records
 * a failure rather than how the JVM fills in a stack trace. One per thread: not
 * thread-safe.
 */
public class FailingBackend extends Backend {

	/** Calls in a row, out of ten, before the failing one. */
	static final int PERIOD = 10;

	/** What the failing call throws, always the same instance. */
	public static final BackendFailure FAILURE = new BackendFailure();

	private int calls;

	@Override
	public String call() {
		if (++this.calls == PERIOD) {
			this.calls = 0;
			throw FAILURE;
		}
		return super.call();
	}

	/**
	 * The failure of a failing call, without a stack trace.
	 */
	public static final class BackendFailure extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BackendFailure() {
			super("backend failed", null, false, false);
		}

	}

}
