package dev.resilience.limit;

/**
 * Creates the {@link AdaptiveLimit} of each algorithm.
 */
final class AdaptiveLimits {

	private AdaptiveLimits() {
	}

	static AdaptiveLimit create(LimitConfig config) {
		// SKELETON: the algorithms are being written (issue 17).
		throw new UnsupportedOperationException("not yet: " + config.algorithm());
	}

}
