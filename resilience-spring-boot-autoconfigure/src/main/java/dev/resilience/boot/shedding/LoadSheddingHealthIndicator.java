package dev.resilience.boot.shedding;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.limit.PartitionedLimiter;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code loadShedding} health component: always {@code UP}, with the limit, the
 * requests in flight, the rejections, and per partition its share, reserved places, in
 * flight and rejections.
 * <p>
 * Never {@code DOWN}: shedding is the application protecting itself under load, which it
 * survives; a {@code DOWN} would make an orchestrator take a busy instance out of service
 * or restart it, moving its load to the others and shedding more there.
 */
final class LoadSheddingHealthIndicator implements HealthIndicator {

	private final PartitionedLimiter limiter;

	LoadSheddingHealthIndicator(PartitionedLimiter limiter) {
		this.limiter = limiter;
	}

	@Override
	public Health health() {
		Map<String, Object> partitions = new LinkedHashMap<>();
		for (int i = 0; i < this.limiter.partitionCount(); i++) {
			Map<String, Object> partition = new LinkedHashMap<>();
			partition.put("share", this.limiter.share(i));
			partition.put("reserved", this.limiter.reserved(i));
			partition.put("inFlight", this.limiter.inFlight(i));
			partition.put("rejected", this.limiter.rejected(i));
			partitions.put(this.limiter.partitionName(i), partition);
		}
		return Health.up()
			.withDetail("limit", this.limiter.limit().limit())
			.withDetail("inFlight", this.limiter.inFlight())
			.withDetail("rejected", this.limiter.rejected())
			.withDetail("partitions", partitions)
			.build();
	}

}
