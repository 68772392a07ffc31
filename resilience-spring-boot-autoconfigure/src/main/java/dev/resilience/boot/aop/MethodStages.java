package dev.resilience.boot.aop;

import java.util.ArrayList;
import java.util.List;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.core.KeySelector;
import dev.resilience.fallback.Fallback;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.retry.Retry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutExceededException;
import org.jspecify.annotations.Nullable;

/**
 * The stages of one annotated method as resolved at startup: its primitives, their keys,
 * its fallback and the stage order, from which the method's {@link Pipeline} is built.
 * The pipeline serves plain values and futures, and compiled into resilience-reactor's
 * operators, Mono and Flux, so every return type gets the same stages in the same order.
 * Filled in once by {@link ResilienceMethodFactory}, then only read.
 */
final class MethodStages {

	final List<Pipeline.Stage> order;

	@Nullable Retry retry;

	@Nullable CircuitBreaker circuitBreaker;

	@Nullable RateLimiter rateLimiter;

	int permits = 1;

	@Nullable KeySelector rateLimiterKeys;

	@Nullable Timeout timeout;

	@Nullable Bulkhead bulkhead;

	@Nullable KeySelector bulkheadKeys;

	@Nullable ThreadPoolBulkhead threadPoolBulkhead;

	@Nullable Fallback fallback;

	MethodStages(List<Pipeline.Stage> order) {
		this.order = List.copyOf(order);
	}

	/**
	 * Returns the checked exception types that the stages of a synchronous call may
	 * throw, for the startup check of fallback parameters: a timeout's
	 * {@link TimeoutExceededException} (unchecked itself, but it counts as a
	 * {@code TimeoutException}), and the {@link InterruptedException} of a retry
	 * interrupted between attempts.
	 * @return the types
	 */
	List<Class<? extends Throwable>> synchronousFailures() {
		List<Class<? extends Throwable>> failures = new ArrayList<>(2);
		if (this.timeout != null) {
			failures.add(TimeoutExceededException.class);
		}
		if (this.retry != null) {
			failures.add(InterruptedException.class);
		}
		return failures;
	}

	Pipeline pipeline() {
		Pipeline.Builder builder = Pipeline.builder().order(this.order);
		if (this.retry != null) {
			builder.retry(this.retry);
		}
		if (this.circuitBreaker != null) {
			builder.circuitBreaker(this.circuitBreaker);
		}
		if (this.rateLimiter != null) {
			if (this.rateLimiterKeys != null) {
				builder.rateLimiter(this.rateLimiter, this.permits, this.rateLimiterKeys);
			}
			else {
				builder.rateLimiter(this.rateLimiter, this.permits);
			}
		}
		if (this.timeout != null) {
			builder.timeout(this.timeout);
		}
		if (this.bulkhead != null) {
			if (this.bulkheadKeys != null) {
				builder.bulkhead(this.bulkhead, this.bulkheadKeys);
			}
			else {
				builder.bulkhead(this.bulkhead);
			}
		}
		if (this.threadPoolBulkhead != null) {
			builder.threadPoolBulkhead(this.threadPoolBulkhead);
		}
		if (this.fallback != null) {
			builder.fallback(this.fallback);
		}
		return builder.build();
	}

}
