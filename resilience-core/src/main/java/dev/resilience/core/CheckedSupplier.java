package dev.resilience.core;

/**
 * A call that returns a value and may throw anything, for the convenience entry points
 * ({@code Timeout.execute}, {@code Pipeline.call}) where a lambda per call is acceptable.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface CheckedSupplier<T> {

	/**
	 * Runs the call.
	 * @return the result
	 * @throws Throwable whatever the call throws
	 */
	T get() throws Throwable;

}
