package dev.resilience.limit;

/*
 * Design: the estimate, the long-term latency and the warm-up count are plain fields,
 * touched only under SampledLimit's try-lock (see there); the limit, (int) estimate, is
 * published through it.
 */
/**
 * {@link LimitAlgorithm#GRADIENT2}: compares the latest latency with a long-term
 * exponential average over {@code longWindow} samples (the plain mean of the first
 * {@value #WARM_UP} samples to start). The new limit is
 * {@code estimate * gradient + }{@value #QUEUE_SIZE}, where
 * {@code gradient = rttTolerance * longRtt / rtt} kept within 0.5 and 1, smoothed into
 * the estimate by {@code smoothing}. A latency far below the average (by more than half)
 * decays the average by 5 % a sample, so the limit recovers after a latency drop. While
 * fewer than half of the limit are in flight the limit does not move (app-limited). The
 * allowance also makes {@code 2 * }{@value #QUEUE_SIZE} the lowest the limit can shrink
 * to ({@code 8 * 0.5 + 4 = 8}), above a lower {@code minLimit}. Drops are not a signal of
 * this algorithm: a failed call's latency counts as any other, and a drop whose sample
 * was skipped changes nothing.
 */
final class Gradient2Limit extends SampledLimit {

	static final int WARM_UP = 10;

	// The calls the limit may grow by per step (a queue allowance).
	static final int QUEUE_SIZE = 4;

	private final double smoothing;

	private final double rttTolerance;

	private final double longFactor;

	private double estimate;

	private double longRtt;

	private int samples;

	Gradient2Limit(LimitConfig config) {
		super(config);
		this.smoothing = config.smoothing();
		this.rttTolerance = config.rttTolerance();
		this.longFactor = 2.0 / (config.longWindow() + 1);
		this.estimate = config.initialLimit();
	}

	@Override
	int update(long rttNanos, int inFlight, boolean dropped) {
		double rtt = Math.max(1, rttNanos);
		if (this.samples < WARM_UP) {
			this.samples++;
			this.longRtt += (rtt - this.longRtt) / this.samples;
		}
		else {
			this.longRtt += (rtt - this.longRtt) * this.longFactor;
		}
		if (this.longRtt / rtt > 2) {
			// Latency fell for good: let the average follow faster than its window.
			this.longRtt *= 0.95;
		}
		if (inFlight < this.estimate / 2) {
			return (int) this.estimate;
		}
		double gradient = Math.max(0.5, Math.min(1.0, this.rttTolerance * this.longRtt / rtt));
		double next = this.estimate * gradient + QUEUE_SIZE;
		next = this.estimate * (1 - this.smoothing) + next * this.smoothing;
		this.estimate = Math.max(config().minLimit(), Math.min(config().maxLimit(), next));
		return (int) this.estimate;
	}

	@Override
	int drops(int count) {
		return (int) this.estimate;
	}

	@Override
	public String toString() {
		return "Gradient2Limit[" + limit() + "]";
	}

}
