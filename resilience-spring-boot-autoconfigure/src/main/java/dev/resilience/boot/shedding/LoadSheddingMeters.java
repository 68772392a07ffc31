package dev.resilience.boot.shedding;

import java.util.Map;
import java.util.Set;

import dev.resilience.limit.PartitionedLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The load-shedding meters, with the common tags of {@code resilience.metrics.tags}:
 * {@value #LIMIT} (gauge, the current limit), {@value #IN_FLIGHT} (gauge, per
 * {@code partition}) and {@value #REJECTED} (function counter, per {@code partition}).
 */
final class LoadSheddingMeters implements MeterBinder {

	static final String LIMIT = "resilience.shedding.limit";

	static final String IN_FLIGHT = "resilience.shedding.inflight";

	static final String REJECTED = "resilience.shedding.rejected";

	/** The tag keys these meters set themselves. */
	static final Set<String> TAG_KEYS = Set.of("partition");

	private final PartitionedLimiter limiter;

	private final Tags tags;

	LoadSheddingMeters(PartitionedLimiter limiter, Map<String, String> tags) {
		this.limiter = limiter;
		this.tags = Tags.of(tags.entrySet().stream().map((e) -> Tag.of(e.getKey(), e.getValue())).toList());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		PartitionedLimiter limiter = this.limiter;
		Gauge.builder(LIMIT, limiter, (l) -> l.limit().limit())
			.tags(this.tags)
			.description("The limit of inbound requests in flight")
			.register(registry);
		for (int i = 0; i < limiter.partitionCount(); i++) {
			int partition = i;
			Tags tags = this.tags.and("partition", limiter.partitionName(i));
			Gauge.builder(IN_FLIGHT, limiter, (l) -> l.inFlight(partition))
				.tags(tags)
				.description("The inbound requests in flight, by partition")
				.register(registry);
			FunctionCounter.builder(REJECTED, limiter, (l) -> l.rejected(partition))
				.tags(tags)
				.description("The inbound requests rejected by load shedding, by partition")
				.register(registry);
		}
	}

}
