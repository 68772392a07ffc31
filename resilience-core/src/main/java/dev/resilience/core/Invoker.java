package dev.resilience.core;

/**
 * The protected call, run synchronously, given a context object so that a caller can pass
 * its own state (a method invocation, say) through the pipeline without capturing it in a
 * new lambda on every call.
 *
 * @param <C> the context type
 */
@FunctionalInterface
public interface Invoker<C> {

	/**
	 * Runs the call.
	 * @param context the caller's context
	 * @return the call's result
	 * @throws Throwable whatever the call throws
	 */
	Object invoke(C context) throws Throwable;

}
