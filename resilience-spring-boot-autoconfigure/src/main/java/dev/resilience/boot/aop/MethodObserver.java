package dev.resilience.boot.aop;

import java.util.concurrent.CompletableFuture;

import dev.resilience.boot.observation.CallOutcome;
import dev.resilience.boot.observation.DefaultResilienceAttemptObservationConvention;
import dev.resilience.boot.observation.DefaultResilienceCallObservationConvention;
import dev.resilience.boot.observation.ProtectedMethod;
import dev.resilience.boot.observation.ResilienceAttemptContext;
import dev.resilience.boot.observation.ResilienceAttemptObservationConvention;
import dev.resilience.boot.observation.ResilienceCallContext;
import dev.resilience.boot.observation.ResilienceCallObservationConvention;
import dev.resilience.boot.observation.ResilienceObservationDocumentation;
import dev.resilience.boot.observation.ResilienceObservations;
import dev.resilience.core.Invoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.pipeline.AttemptObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/*
 * Design. Made once per annotated method when observations are on; stateless per call
 * (a call's state is its ObservedCall), so thread-safe. The call's observation starts
 * before the pipeline and stops once, at the end of the result (ObservedCall's
 * AtomicBoolean); each attempt's observation starts and ends in the retry stage, which
 * calls this AttemptObserver with the ObservedCall as the call context. Outcomes: a
 * failure that is a rejection by one of the method's own stages is "rejected" (and an
 * event), any other "failure"; a result after the fallback answered is "fallback".
 */
/**
 * Makes the observations of one annotated method's calls and attempts.
 */
final class MethodObserver implements AttemptObserver {

	private final ObservationRegistry registry;

	private final @Nullable ResilienceCallObservationConvention callConvention;

	private final @Nullable ResilienceAttemptObservationConvention attemptConvention;

	private final ProtectedMethod method;

	MethodObserver(ResilienceObservations observations, ProtectedMethod method) {
		this.registry = observations.registry();
		this.callConvention = observations.callConvention();
		this.attemptConvention = observations.attemptConvention();
		this.method = method;
	}

	ProtectedMethod method() {
		return this.method;
	}

	/**
	 * Starts a call's observation.
	 * @param invocation the call
	 * @param parent its parent (a publisher's subscriber's), or {@code null} for the
	 * current observation of the thread
	 * @return the observed call
	 */
	ObservedCall start(MethodInvocation invocation, @Nullable Observation parent) {
		ResilienceCallContext context = new ResilienceCallContext(this.method, invocation);
		Observation observation = ResilienceObservationDocumentation.CALL.observation(this.callConvention,
				DefaultResilienceCallObservationConvention.INSTANCE, () -> context, this.registry);
		return new ObservedCall(invocation, (parent != null) ? startUnder(observation, parent) : observation.start(),
				context);
	}

	/**
	 * Stops a call's observation, once: later calls do nothing.
	 * @param call the call
	 * @param failure how it failed, or {@code null} if it gave a result
	 */
	void stop(ObservedCall call, @Nullable Throwable failure) {
		if (!call.compareAndSet(false, true)) {
			return;
		}
		Observation observation = call.observation();
		Throwable answered = call.answered();
		Observation.Event rejection = this.method.rejection((failure != null) ? failure : answered);
		CallOutcome outcome;
		if (failure != null) {
			outcome = (rejection != null) ? CallOutcome.REJECTED : CallOutcome.FAILURE;
			observation.error(failure);
		}
		else {
			outcome = (answered != null) ? CallOutcome.FALLBACK : CallOutcome.SUCCESS;
		}
		call.context().setOutcome(outcome);
		if (rejection != null) {
			observation.event(rejection);
		}
		observation.stop();
	}

	/**
	 * Stops a call's observation when its future completes.
	 * @param call the call
	 * @param result its future
	 */
	void stopOn(ObservedCall call, CompletableFuture<?> result) {
		result
			.whenComplete((value, failure) -> stop(call, (failure != null) ? CancellableFuture.unwrap(failure) : null));
	}

	@Override
	public Object started(Object context, int attempt) {
		ObservedCall call = (ObservedCall) context;
		ResilienceAttemptContext attemptContext = new ResilienceAttemptContext(this.method, attempt);
		Observation observation = startUnder(
				ResilienceObservationDocumentation.ATTEMPT.observation(this.attemptConvention,
						DefaultResilienceAttemptObservationConvention.INSTANCE, () -> attemptContext, this.registry),
				call.observation());
		call.attemptStarted(observation);
		return observation;
	}

	@Override
	public void ended(Object context, @Nullable Object token, @Nullable Throwable failure) {
		ObservedCall call = (ObservedCall) context;
		Observation observation = (Observation) token;
		if (observation == null) {
			return;
		}
		call.attemptEnded(observation);
		if (observation.isNoop()) {
			return;
		}
		Observation.Event rejection = (failure != null) ? this.method.rejection(failure) : null;
		CallOutcome outcome = (failure == null) ? CallOutcome.SUCCESS
				: (rejection != null) ? CallOutcome.REJECTED : CallOutcome.FAILURE;
		((ResilienceAttemptContext) observation.getContext()).setOutcome(outcome);
		if (failure != null) {
			observation.error(failure);
		}
		if (rejection != null) {
			observation.event(rejection);
		}
		observation.stop();
	}

	/**
	 * Starts an observation as a child of {@code parent}, which is made the thread's
	 * current observation while it starts, unless it is already: tracing handlers take
	 * the thread's current span over the parent observation's when they differ (a span
	 * made by hand inside the parent), and the thread may still have another in scope,
	 * such as the previous attempt's when a reactive retry resubscribes from inside its
	 * failure.
	 */
	private Observation startUnder(Observation observation, Observation parent) {
		observation.parentObservation(parent);
		if (this.registry.getCurrentObservation() == parent) {
			return observation.start();
		}
		try (Observation.Scope scope = parent.openScope()) {
			return observation.start();
		}
	}

	/**
	 * Wraps how the method is invoked: on the call's invocation, in the current attempt's
	 * observation (or the call's, without a retry).
	 * @param proceed proceeds down the interceptor chain
	 * @return the invoker over {@link ObservedCall} contexts
	 */
	static Invoker<MethodInvocation> proceed(Invoker<MethodInvocation> proceed) {
		return (context) -> {
			ObservedCall call = (ObservedCall) context;
			try (Observation.Scope scope = call.current().openScope()) {
				return proceed.invoke(call.invocation());
			}
		};
	}

}
