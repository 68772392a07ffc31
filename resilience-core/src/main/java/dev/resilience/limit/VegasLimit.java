package dev.resilience.limit;

/*
 * Design: the estimate, the latency without load and the probe count are plain fields,
 * touched only under SampledLimit's try-lock (see there); the limit, (int) estimate, is
 * published through it.
 */
/**
 * {@link LimitAlgorithm#VEGAS}: the latency without load ({@code rttNoLoad}) is the
 * lowest seen; the calls queued in the dependency are estimated as
 * {@code limit * (1 - rttNoLoad / rtt)}. With at most {@code alpha} queued the limit
 * grows by {@code log10(limit)} (at least 1), with {@code beta} or more it shrinks by as
 * much, in between it stays; a drop shrinks it. While fewer than half of the limit are in
 * flight it does not grow (app-limited). Every {@value #PROBE_MULTIPLIER} times the limit
 * samples, {@code rttNoLoad} is reset to the latest latency, so that a lasting rise of
 * the latency without load is accepted in the end. {@code alpha} and {@code beta} are
 * queued calls, not scaled by the limit.
 */
final class VegasLimit extends SampledLimit {

	static final int PROBE_MULTIPLIER = 30;

	private final int alpha;

	private final int beta;

	private double estimate;

	private long rttNoLoad;

	private long sinceProbe;

	VegasLimit(LimitConfig config) {
		super(config);
		this.alpha = config.alpha();
		this.beta = config.beta();
		this.estimate = config.initialLimit();
	}

	@Override
	int update(long rttNanos, int inFlight, boolean dropped) {
		long rtt = Math.max(1, rttNanos);
		if (++this.sinceProbe >= (long) PROBE_MULTIPLIER * (long) this.estimate) {
			this.sinceProbe = 0;
			this.rttNoLoad = rtt;
			return (int) this.estimate;
		}
		if (this.rttNoLoad == 0 || rtt < this.rttNoLoad) {
			this.rttNoLoad = rtt;
			return (int) this.estimate;
		}
		if (dropped) {
			return decrease();
		}
		if ((long) inFlight * 2 < this.estimate) {
			return (int) this.estimate;
		}
		double queued = this.estimate * (1 - (double) this.rttNoLoad / rtt);
		if (queued <= this.alpha) {
			set(this.estimate + step());
		}
		else if (queued >= this.beta) {
			set(this.estimate - step());
		}
		return (int) this.estimate;
	}

	@Override
	int drops(int count) {
		for (int i = 0; i < count; i++) {
			decrease();
		}
		return (int) this.estimate;
	}

	private int decrease() {
		set(this.estimate - step());
		return (int) this.estimate;
	}

	private double step() {
		return Math.max(1, Math.log10(this.estimate));
	}

	private void set(double estimate) {
		this.estimate = Math.max(config().minLimit(), Math.min(config().maxLimit(), estimate));
	}

	@Override
	public String toString() {
		return "VegasLimit[" + limit() + "]";
	}

}
