package dev.resilience.boot.http;

import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.client.RestClientResponseException;

/**
 * The HTTP classification of the policy sets, for annotated methods that call a
 * {@code RestClient} or {@code WebClient} themselves: connection failures, timeouts and
 * responses with a status 5xx, 408 or 429 are failures worth retrying; a response with
 * another status (a 404, a 400: the caller's fault) is not retried and, for a circuit
 * breaker, is a success (the dependency answered).
 * <p>
 * Name the predicates in a {@link dev.resilience.boot.autoconfigure.ConfigCustomizer}:
 * <pre>{@code
 * &#64;Bean
 * ConfigCustomizer<RetryConfig.Builder> paymentsRetry() {
 *     return ConfigCustomizer.retry("payments", (retry) -> retry.retryOnExceptionPredicate(HttpOutcomes::isRetryable));
 * }
 *
 *

&#64;Bean
 * ConfigCustomizer<CircuitBreakerConfig.Builder> paymentsBreaker() {
 *     return ConfigCustomizer.circuitBreaker("payments",
 *             (breaker) -> breaker.recordFailurePredicate(HttpOutcomes::isFailure));
 * }
 * }</pre> With no {@code retry-exceptions} (or {@code record-exceptions}) listed, the
 * predicate alone decides. The response exceptions classified are Spring's
 * {@link RestClientResponseException} family ({@code HttpClientErrorException},
 * {@code HttpServerErrorException}, ...) and, when WebFlux is on the class path,
 * {@code WebClientResponseException}. Stateless and thread-safe.
 */
public final class HttpOutcomes {

	private static final boolean WEBFLUX_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.reactive.function.client.WebClientResponseException",
			HttpOutcomes.class.getClassLoader());

	private HttpOutcomes() {
	}

	/**
	 * Tells whether a failure counts as one for a circuit breaker: anything but a
	 * response whose status is not 5xx, 408 or 429.
	 * @param failure what the call threw
	 * @return {@code true} if it is a failure
	 */
	public static boolean isFailure(Throwable failure) {
		int status = status(failure);
		return status < 0 || StatusSet.DEFAULT_FAILURES.contains(status);
	}

	/**
	 * Tells whether a failure is worth retrying: the same as {@link #isFailure}, a
	 * connection failure, a timeout, or a response with a status 5xx, 408 or 429. It does
	 * not know the request's method: retry only methods whose calls are idempotent (see
	 * the policy sets' documentation).
	 * @param failure what the call threw
	 * @return {@code true} if it is worth retrying
	 */
	public static boolean isRetryable(Throwable failure) {
		return isFailure(failure);
	}

	/**
	 * Returns the status a response exception carries.
	 * @return the status, or -1 if the failure is no response exception
	 */
	static int status(Throwable failure) {
		if (failure instanceof RestClientResponseException response) {
			return response.getStatusCode().value();
		}
		if (WEBFLUX_PRESENT) {
			return WebClientStatus.of(failure);
		}
		return -1;
	}

	/** Kept apart so that WebFlux's types are loaded only when present. */
	private static final class WebClientStatus {

		static int of(Throwable failure) {
			if (failure instanceof WebClientResponseException response) {
				return response.getStatusCode().value();
			}
			return -1;
		}

	}

}
