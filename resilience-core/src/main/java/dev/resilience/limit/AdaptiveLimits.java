package dev.resilience.limit;

import dev.resilience.internal.SettingValidation;

/**
 * Creates the {@link AdaptiveLimit} of each algorithm.
 */
final class AdaptiveLimits {

	private AdaptiveLimits() {
	}

	static AdaptiveLimit create(LimitConfig config) {
		SettingValidation.notNull(config, "config");
		return switch (config.algorithm()) {
			case FIXED -> new FixedLimit(config);
			case AIMD -> new AimdLimit(config);
			case GRADIENT2 -> new Gradient2Limit(config);
			case VEGAS -> new VegasLimit(config);
		};
	}

}
