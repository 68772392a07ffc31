package dev.resilience.limit;

/**
 * A concurrency limit at run time: the current value, moved by samples (the latency of a
 * call, the calls in flight and whether the call failed) as its {@link LimitAlgorithm}
 * says. A {@link LimitAlgorithm#FIXED} limit ignores samples.
 * <p>
 * Thread-safe and lock-free: {@link #limit()} is one volatile read; {@link #onSample}
 * never blocks and allocates nothing. Under contention a sample that arrives while
 * another is being applied may be skipped (a failure never is: it is applied by the next
 * sample), as a sampled measure of latency stays unbiased.
 */
public interface AdaptiveLimit {

	/**
	 * Creates the limit of a configuration, starting at its {@code initialLimit}.
	 * @param config the configuration
	 * @return the limit
	 */
	static AdaptiveLimit of(LimitConfig config) {
		return AdaptiveLimits.create(config);
	}

	/**
	 * Returns the configuration.
	 * @return the configuration
	 */
	LimitConfig config();

	/**
	 * Returns the current limit, within {@code minLimit} and {@code maxLimit}.
	 * @return the most calls that may be in flight now
	 */
	int limit();

	/**
	 * Records one call's outcome and may move the limit.
	 * @param rttNanos how long the call took, in nanoseconds (zero or more)
	 * @param inFlight the calls in flight when it ended, itself included
	 * @param dropped whether the call failed or timed out (a drop, for the algorithms
	 * that use one)
	 */
	void onSample(long rttNanos, int inFlight, boolean dropped);

}
