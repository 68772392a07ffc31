package dev.resilience.boot.chaos;

import org.jspecify.annotations.Nullable;

/**
 * Makes the value a {@code result} chaos rule returns instead of calling the method: name
 * the bean in {@code resilience.chaos.rules.<rule>.result}. Called once per injection, on
 * the caller's thread; must be thread-safe.
 *
 * @param <T> the value's type: the protected methods' return type (for a
 * {@code CompletionStage} or a reactive type, the value inside, or the stage or publisher
 * itself)
 */
@FunctionalInterface
public interface ChaosResult<T> {

	/**
	 * Returns the value the call answers.
	 * @return the value
	 */
	@Nullable T get();

}
