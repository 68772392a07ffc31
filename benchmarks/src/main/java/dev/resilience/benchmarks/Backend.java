package dev.resilience.benchmarks;

/**
 * The protected call of every benchmark: it returns a value and does nothing else, so
 * that what a benchmark measures is the protection around it. Stateless and thread-safe.
 */
public class Backend {

	private final String value;

	/**
	 * Creates a backend that returns {@code "ok"}.
	 */
	public Backend() {
		this("ok");
	}

	/**
	 * Creates a backend.
	 * @param value what {@link #call()} returns
	 */
	public Backend(String value) {
		this.value = value;
	}

	/**
	 * Makes the call.
	 * @return the value
	 */
	public String call() {
		return this.value;
	}

}
