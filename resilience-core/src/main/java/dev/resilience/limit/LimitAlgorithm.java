package dev.resilience.limit;

/**
 * How a concurrency limit is found. The configuration words are the constants in lower
 * case ({@code fixed}, {@code aimd}, {@code gradient2}, {@code vegas}).
 */
public enum LimitAlgorithm {

	/** The limit is configured and never moves. */
	FIXED,

	/**
	 * Additive increase, multiplicative decrease: the limit grows by one while calls
	 * succeed with at least half of it in use, and is multiplied by {@code backoffRatio}
	 * when a call fails or takes longer than {@code timeout}.
	 */
	AIMD,

	/**
	 * The limit follows the ratio of a long-term average latency to the latest latency:
	 * it shrinks while latency rises above {@code rttTolerance} times its long-term
	 * average, and grows by a small queue allowance otherwise; changes are smoothed.
	 */
	GRADIENT2,

	/**
	 * TCP Vegas: the number of calls queued in the dependency is estimated from the
	 * latency without load and the latest latency; the limit grows while fewer than
	 * {@code alpha} are queued and shrinks when more than {@code beta} are.
	 */
	VEGAS

}
