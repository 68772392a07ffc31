package dev.resilience.sample;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.timeout.TimeoutExceededException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.RestClientException;

/**
 * Turns what the primitives throw into HTTP answers: a rate-limited caller gets 429 with
 * {@code Retry-After}; an open circuit or a full bulkhead 503; a timeout, or a request
 * whose deadline (its {@code X-Request-Timeout-Ms} budget) ran out, 504; a failing
 * downstream 502.
 */
@RestControllerAdvice
class ResilienceExceptionHandler {

	@ExceptionHandler
	ResponseEntity<Map<String, String>> rateLimited(RequestNotPermittedException ex) {
		long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(ex.retryAfterNanos() + 999_999_999L));
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
			.body(Map.of("error", ex.getMessage()));
	}

	@ExceptionHandler({ CallNotPermittedException.class, BulkheadFullException.class })
	ResponseEntity<Map<String, String>> unavailable(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", ex.getMessage()));
	}

	@ExceptionHandler({ TimeoutExceededException.class, DeadlineExceededException.class })
	ResponseEntity<Map<String, String>> timedOut(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(Map.of("error", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<Map<String, String>> downstreamFailed(RestClientException ex) {
		return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("error", ex.getMessage()));
	}

}
