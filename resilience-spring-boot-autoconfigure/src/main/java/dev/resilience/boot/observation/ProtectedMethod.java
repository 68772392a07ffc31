package dev.resilience.boot.observation;

import java.lang.reflect.Method;
import java.util.Objects;

import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.core.Policy;
import dev.resilience.core.ResilienceException;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.timeout.TimeoutExceededException;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * An annotated method as its observations describe it: its name and the instances of its
 * stages. Made once per method at startup. Immutable and thread-safe.
 */
public final class ProtectedMethod {

	/** The value of a stage key for a stage the method does not have. */
	public static final String NONE = "none";

	private final Method method;

	private final String name;

	private final String attemptName;

	private final @Nullable String circuitBreaker;

	private final @Nullable String retry;

	private final @Nullable String rateLimiter;

	private final @Nullable String bulkhead;

	private final @Nullable String timeout;

	// What every observation of the method carries, built once.
	private final KeyValues callKeyValues;

	private final KeyValues attemptKeyValues;

	private final Observation.Event circuitBreakerRejected;

	private final Observation.Event rateLimiterRejected;

	private final Observation.Event bulkheadRejected;

	private final Observation.Event timeoutRejected;

	/**
	 * Describes a method.
	 * @param method the method
	 * @param name its name in observations, {@code <SimpleClassName>.<method>}
	 * @param pipeline its stages
	 */
	public ProtectedMethod(Method method, String name, Pipeline pipeline) {
		this.method = Objects.requireNonNull(method, "method must not be null");
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.attemptName = name + " attempt";
		this.circuitBreaker = nameOf(pipeline.circuitBreaker());
		this.retry = nameOf(pipeline.retry());
		this.rateLimiter = nameOf(pipeline.rateLimiter());
		this.bulkhead = (pipeline.bulkhead() != null) ? nameOf(pipeline.bulkhead())
				: nameOf(pipeline.threadPoolBulkhead());
		this.timeout = nameOf(pipeline.timeout());
		// Every stage key is on every observation, "none" for a stage the method does not
		// have: Prometheus wants one label set per metric name, and methods differ.
		this.callKeyValues = KeyValues.of(KeyValue.of(ResilienceObservationDocumentation.METHOD, name),
				stageKey(ResilienceObservationDocumentation.CIRCUIT_BREAKER, this.circuitBreaker),
				stageKey(ResilienceObservationDocumentation.RETRY, this.retry),
				stageKey(ResilienceObservationDocumentation.RATE_LIMITER, this.rateLimiter),
				stageKey(ResilienceObservationDocumentation.BULKHEAD, this.bulkhead),
				stageKey(ResilienceObservationDocumentation.TIMEOUT, this.timeout));
		this.attemptKeyValues = KeyValues.of(KeyValue.of(ResilienceObservationDocumentation.METHOD, name),
				stageKey(ResilienceObservationDocumentation.RETRY, this.retry));
		this.circuitBreakerRejected = rejectedBy("circuitbreaker", this.circuitBreaker);
		this.rateLimiterRejected = rejectedBy("ratelimiter", this.rateLimiter);
		this.bulkheadRejected = rejectedBy("bulkhead", this.bulkhead);
		this.timeoutRejected = rejectedBy("timeout", this.timeout);
	}

	/**
	 * Returns the method.
	 * @return the method
	 */
	public Method method() {
		return this.method;
	}

	/**
	 * Returns the method's name in observations, {@code <SimpleClassName>.<method>}.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns the circuit breaker's instance name.
	 * @return the name, or {@code null} without {@code @CircuitBreaker}
	 */
	public @Nullable String circuitBreaker() {
		return this.circuitBreaker;
	}

	/**
	 * Returns the retry's instance name.
	 * @return the name, or {@code null} without {@code @Retry}
	 */
	public @Nullable String retry() {
		return this.retry;
	}

	/**
	 * Returns the rate limiter's instance name.
	 * @return the name, or {@code null} without {@code @RateLimited}
	 */
	public @Nullable String rateLimiter() {
		return this.rateLimiter;
	}

	/**
	 * Returns the bulkhead's instance name (semaphore or thread pool).
	 * @return the name, or {@code null} without {@code @Bulkhead}
	 */
	public @Nullable String bulkhead() {
		return this.bulkhead;
	}

	/**
	 * Returns the timeout's instance name.
	 * @return the name, or {@code null} without {@code @Timeout}
	 */
	public @Nullable String timeout() {
		return this.timeout;
	}

	/**
	 * Returns the rejection event of one of this method's stages, if {@code failure} is
	 * that stage's rejection: the method's own circuit breaker open, rate limiter or
	 * bulkhead full, or timeout expired. A rejection by another method's instance that
	 * the method let through is a failure of this one, not a rejection.
	 * @param failure the failure
	 * @return the event (name {@code rejected}, contextual name naming the stage and
	 * instance), or {@code null} if the failure is not a rejection by this method's
	 * stages
	 */
	public Observation.@Nullable Event rejection(Throwable failure) {
		if (failure instanceof CallNotPermittedException rejection) {
			return own(rejection, this.circuitBreaker, this.circuitBreakerRejected);
		}
		if (failure instanceof RequestNotPermittedException rejection) {
			return own(rejection, this.rateLimiter, this.rateLimiterRejected);
		}
		if (failure instanceof BulkheadFullException rejection) {
			return own(rejection, this.bulkhead, this.bulkheadRejected);
		}
		if (failure instanceof TimeoutExceededException rejection) {
			return own(rejection, this.timeout, this.timeoutRejected);
		}
		return null;
	}

	private static Observation.@Nullable Event own(ResilienceException rejection, @Nullable String instance,
			Observation.Event event) {
		return rejection.instanceName().equals(instance) ? event : null;
	}

	String attemptName() {
		return this.attemptName;
	}

	KeyValues callKeyValues() {
		return this.callKeyValues;
	}

	KeyValues attemptKeyValues() {
		return this.attemptKeyValues;
	}

	@Override
	public String toString() {
		return this.name;
	}

	private static @Nullable String nameOf(@Nullable Policy<?> policy) {
		return (policy != null) ? policy.name() : null;
	}

	private static KeyValue stageKey(String key, @Nullable String instance) {
		return KeyValue.of(key, (instance != null) ? instance : NONE);
	}

	private static Observation.Event rejectedBy(String stage, @Nullable String instance) {
		return Observation.Event.of(ResilienceObservationDocumentation.REJECTED_EVENT,
				stage + " '" + ((instance != null) ? instance : NONE) + "' rejected the call");
	}

}
