package dev.resilience.sample;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The downstream's current faults: the share of requests that fail and the delay before
 * each answer.
 *
 * @param failureRate share of requests answered with HTTP 500, from 0 to 1
 * @param latencyMs delay before every answer, in milliseconds
 */
public record Faults(double failureRate, long latencyMs) {

	static final Faults NONE = new Faults(0, 0);

	/**
	 * Validates the values.
	 */
	public Faults {
		if (failureRate < 0 || failureRate > 1) {
			throw new IllegalArgumentException("failureRate must be between 0 and 1 but was " + failureRate);
		}
		if (latencyMs < 0 || latencyMs > 60_000) {
			throw new IllegalArgumentException("latencyMs must be between 0 and 60000 but was " + latencyMs);
		}
	}

	/**
	 * Delays, then tells whether this request fails.
	 * @return {@code true} if the request is to fail
	 * @throws InterruptedException if interrupted while delaying (a caller's timeout)
	 */
	boolean apply() throws InterruptedException {
		if (this.latencyMs > 0) {
			Thread.sleep(this.latencyMs);
		}
		return this.failureRate >= 1 || ThreadLocalRandom.current().nextDouble() < this.failureRate;
	}

}
