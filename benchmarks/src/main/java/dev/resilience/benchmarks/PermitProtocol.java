package dev.resilience.benchmarks;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.retry.Retry;

/**
 * Our primitives driven through their permit protocols, exactly as an interceptor drives
 * them (see {@code docs/architecture.md}, "The permit protocol"): no lambda, no
 * decorator, nothing allocated by the caller.
 */
final class PermitProtocol {

	private PermitProtocol() {
	}

	static String circuitBreaker(CircuitBreaker breaker, Backend backend) {
		CircuitBreaker.Permit permit = breaker.acquirePermit();
		long start = breaker.startTime();
		String result;
		try {
			result = backend.call();
		}
		catch (Throwable ex) {
			permit.onFailure(start, ex);
			throw ex;
		}
		permit.onSuccess(start, result);
		return result;
	}

	static String rateLimiter(RateLimiter limiter, Backend backend) {
		limiter.acquirePermission(1);
		return backend.call();
	}

	static String bulkhead(Bulkhead bulkhead, Backend backend) {
		bulkhead.acquirePermission();
		try {
			return backend.call();
		}
		finally {
			bulkhead.releasePermission();
		}
	}

	static String retry(Retry retry, Backend backend) throws InterruptedException {
		for (int attempt = 1;; attempt++) {
			String result;
			long wait;
			try {
				result = backend.call();
			}
			catch (RuntimeException ex) {
				wait = retry.onFailure(attempt, ex);
				if (wait == Retry.NO_RETRY) {
					throw ex;
				}
				retry.scheduler().sleep(wait);
				continue;
			}
			wait = retry.onResult(attempt, result);
			if (wait == Retry.NO_RETRY) {
				return result;
			}
			retry.scheduler().sleep(wait);
		}
	}

}
