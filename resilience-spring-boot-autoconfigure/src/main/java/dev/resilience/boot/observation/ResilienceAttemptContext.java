package dev.resilience.boot.observation;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.micrometer.observation.Observation;

/**
 * The context of a {@code resilience.attempt} observation: one attempt of a call under
 * {@code @Retry}, a child of the call's {@code resilience.call} observation. An attempt
 * is one run of the stages inside the retry and of the method, so an attempt that an
 * inner stage rejects is one too. Its {@linkplain #getOutcome() outcome} is set before
 * the observation stops: {@link CallOutcome#SUCCESS} when it gave a result (even one the
 * retry retries), never {@link CallOutcome#FALLBACK}.
 */
public class ResilienceAttemptContext extends Observation.Context {

	private final ProtectedMethod method;

	private final int number;

	private volatile @Nullable CallOutcome outcome;

	/**
	 * Creates a context.
	 * @param method the method
	 * @param number the attempt's number, from 1
	 */
	public ResilienceAttemptContext(ProtectedMethod method, int number) {
		this.method = Objects.requireNonNull(method, "method must not be null");
		this.number = number;
		setContextualName(method.attemptName());
	}

	/**
	 * Returns the method.
	 * @return the method
	 */
	public ProtectedMethod getMethod() {
		return this.method;
	}

	/**
	 * Returns the attempt's number.
	 * @return 1 for the first attempt
	 */
	public int getNumber() {
		return this.number;
	}

	/**
	 * Returns how the attempt ended.
	 * @return the outcome, or {@code null} while it runs
	 */
	public @Nullable CallOutcome getOutcome() {
		return this.outcome;
	}

	/**
	 * Sets how the attempt ended.
	 * @param outcome the outcome
	 */
	public void setOutcome(CallOutcome outcome) {
		this.outcome = outcome;
	}

}
