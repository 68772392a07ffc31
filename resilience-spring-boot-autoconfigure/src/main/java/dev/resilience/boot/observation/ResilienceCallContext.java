package dev.resilience.boot.observation;

import java.util.Objects;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import io.micrometer.observation.Observation;

/**
 * The context of a {@code resilience.call} observation: one call of an annotated method,
 * from its start to the completion of its result (for a {@code CompletionStage}, a
 * {@code Mono} or a {@code Flux}, when it completes, fails or is cancelled; for a
 * publisher, per subscription). Its {@linkplain #getOutcome() outcome} is set before the
 * observation stops.
 */
public class ResilienceCallContext extends Observation.Context {

	private final ProtectedMethod method;

	private final MethodInvocation invocation;

	private volatile @Nullable CallOutcome outcome;

	/**
	 * Creates a context.
	 * @param method the method
	 * @param invocation the call (its arguments, its target)
	 */
	public ResilienceCallContext(ProtectedMethod method, MethodInvocation invocation) {
		this.method = Objects.requireNonNull(method, "method must not be null");
		this.invocation = Objects.requireNonNull(invocation, "invocation must not be null");
		setContextualName(method.name());
	}

	/**
	 * Returns the method.
	 * @return the method
	 */
	public ProtectedMethod getMethod() {
		return this.method;
	}

	/**
	 * Returns the call: its arguments, for a convention that reads them (as
	 * high-cardinality keys: arguments are unbounded).
	 * @return the invocation
	 */
	public MethodInvocation getInvocation() {
		return this.invocation;
	}

	/**
	 * Returns how the call ended.
	 * @return the outcome, or {@code null} while it runs
	 */
	public @Nullable CallOutcome getOutcome() {
		return this.outcome;
	}

	/**
	 * Sets how the call ended.
	 * @param outcome the outcome
	 */
	public void setOutcome(CallOutcome outcome) {
		this.outcome = outcome;
	}

}
