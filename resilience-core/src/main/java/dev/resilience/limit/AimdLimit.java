package dev.resilience.limit;

/*
 * Design: the state is the published limit alone, moved under SampledLimit's try-lock
 * (see there); nothing of its own is shared.
 */
/**
 * {@link LimitAlgorithm#AIMD}: a drop, or a latency above {@code timeout}, multiplies the
 * limit by {@code backoffRatio} (rounded down, at least {@code minLimit}); a success with
 * at least half of the limit in flight adds one (at most {@code maxLimit}); a success
 * with less in flight ("app-limited": the limit is not what holds the calls back) leaves
 * it unchanged.
 */
final class AimdLimit extends SampledLimit {

	private final double backoffRatio;

	private final long timeoutNanos;

	AimdLimit(LimitConfig config) {
		super(config);
		this.backoffRatio = config.backoffRatio();
		this.timeoutNanos = config.timeout().toNanos();
	}

	@Override
	int update(long rttNanos, int inFlight, boolean dropped) {
		int limit = limit();
		if (dropped || rttNanos > this.timeoutNanos) {
			return backOff(limit);
		}
		if ((long) inFlight * 2 >= limit) {
			return limit + 1;
		}
		return limit;
	}

	@Override
	int drops(int count) {
		int limit = limit();
		for (int i = 0; i < count && limit > config().minLimit(); i++) {
			limit = backOff(limit);
		}
		return limit;
	}

	private int backOff(int limit) {
		return Math.max(config().minLimit(), (int) Math.floor(limit * this.backoffRatio));
	}

	@Override
	public String toString() {
		return "AimdLimit[" + limit() + "]";
	}

}
