package dev.resilience.boot.aop;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.resilience.boot.observation.ResilienceCallContext;
import io.micrometer.observation.Observation;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/*
 * Design. One observed call (one subscription, for a publisher): the call context the
 * pipeline hands to its key selectors, fallback, attempt observer and invoker, in place
 * of the MethodInvocation it wraps (and stands for: the key expressions and the fallback
 * read the arguments through it). It carries the call's observation and the current
 * attempt's, which the invoker makes current around the method, so that what the method
 * observes (an HTTP client's request) is a child of the attempt. Attempts are
 * sequential, but may run on different threads (after a wait), hence the volatile
 * fields; the call's end races between signals (a result and a cancel), so the
 * AtomicBoolean it extends lets one stop the observation.
 */
/**
 * One call of an observed method: its invocation and its observations.
 */
@SuppressWarnings("serial")
final class ObservedCall extends AtomicBoolean implements MethodInvocation {

	private final MethodInvocation invocation;

	private final Observation observation;

	private final ResilienceCallContext context;

	private volatile @Nullable Observation attempt;

	private volatile @Nullable Throwable answered;

	private volatile boolean emitted;

	ObservedCall(MethodInvocation invocation, Observation observation, ResilienceCallContext context) {
		this.invocation = invocation;
		this.observation = observation;
		this.context = context;
	}

	MethodInvocation invocation() {
		return this.invocation;
	}

	Observation observation() {
		return this.observation;
	}

	ResilienceCallContext context() {
		return this.context;
	}

	/** The observation the method runs in: the current attempt's, or the call's. */
	Observation current() {
		Observation attempt = this.attempt;
		return (attempt != null) ? attempt : this.observation;
	}

	void attemptStarted(Observation attempt) {
		this.attempt = attempt;
	}

	void attemptEnded(Observation attempt) {
		if (this.attempt == attempt) {
			this.attempt = null;
		}
	}

	/**
	 * The fallback answers the call.
	 * @param failure what it answers
	 * @return the call's observation in scope, to close when the fallback returns
	 */
	Observation.Scope answeredByFallback(Throwable failure) {
		this.answered = failure;
		return this.observation.openScope();
	}

	/** What the fallback answered, or {@code null} if it did not run. */
	@Nullable Throwable answered() {
		return this.answered;
	}

	/** A publisher's element went downstream. */
	void emitted() {
		if (!this.emitted) {
			this.emitted = true;
		}
	}

	boolean hasEmitted() {
		return this.emitted;
	}

	/** Whether the call's observation was stopped (see {@link MethodObserver#stop}). */
	boolean isStopped() {
		return get();
	}

	@Override
	public Method getMethod() {
		return this.invocation.getMethod();
	}

	@Override
	public @Nullable Object[] getArguments() {
		return this.invocation.getArguments();
	}

	@Override
	public @Nullable Object proceed() throws Throwable {
		return this.invocation.proceed();
	}

	@Override
	public @Nullable Object getThis() {
		return this.invocation.getThis();
	}

	@Override
	public AccessibleObject getStaticPart() {
		return this.invocation.getStaticPart();
	}

	@Override
	public String toString() {
		return "ObservedCall[" + this.invocation + "]";
	}

}
