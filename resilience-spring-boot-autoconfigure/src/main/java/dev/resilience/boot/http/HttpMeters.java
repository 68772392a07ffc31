package dev.resilience.boot.http;

import java.util.function.DoubleConsumer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code resilience.deadline.remaining} summary of one policy set; kept apart so that
 * Micrometer's types are loaded only when it is on the class path.
 */
final class HttpMeters {

	/** The meter's name. */
	static final String REMAINING = "resilience.deadline.remaining";

	private HttpMeters() {
	}

	static DoubleConsumer remaining(MeterRegistry registry, String client) {
		DistributionSummary summary = DistributionSummary.builder(REMAINING)
			.baseUnit("seconds")
			.description("The deadline's budget left when an outbound HTTP call starts")
			.tag("client", client)
			.register(registry);
		return summary::record;
	}

}
