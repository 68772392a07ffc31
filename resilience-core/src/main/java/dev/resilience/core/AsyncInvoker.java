package dev.resilience.core;

import java.util.concurrent.CompletionStage;

/**
 * The protected call, started asynchronously: it returns a stage that completes with the
 * call's outcome. Like {@link Invoker}, it takes a context so that the same stateless
 * invoker serves every call.
 *
 * @param <C> the context type
 */
@FunctionalInterface
public interface AsyncInvoker<C> {

	/**
	 * Starts the call.
	 * @param context the caller's context
	 * @return a stage that completes with the call's outcome
	 * @throws Throwable if the call fails before it returns a stage
	 */
	CompletionStage<?> invoke(C context) throws Throwable;

}
