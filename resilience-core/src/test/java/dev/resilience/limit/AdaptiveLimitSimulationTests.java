package dev.resilience.limit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each algorithm against a simulated dependency on fake time
 * ({@link DependencySimulation}): {@value #SERVERS} servers of {@value #SERVICE_MILLIS}
 * ms each, so more than {@value #SERVERS} calls at once queue and their latency grows
 * (Little's law), under a closed loop of {@value #CLIENTS} clients (a refused client
 * tries again after 1 ms). Every limit starts far above the capacity: initial 200, max
 * 500, min 1. The simulation is deterministic, so the numbers below are measured, not
 * sampled.
 * <p>
 * "Near N" here is about the limit's course, not a point: every algorithm oscillates
 * around the capacity (each sample may move the limit, and the samples of calls admitted
 * before a cut still report the old latency, so cuts overshoot). The measured figures (N
 * = 20, 5,000 samples):
 * <ul>
 * <li>AIMD (timeout 20 ms = twice the service time): at most 2N after 56 samples; a
 * saw-tooth between 1 and 83 afterwards, mean 29 over samples 1,000 to 5,000 (a timeout
 * cuts the limit, and the calls queued before the cut time out too, each cutting again).
 * After the dependency doubles its servers, above 80 within 164 samples (mean 58). With
 * no timeout but 20 % of the calls failing: at most 2N after 80 samples, mean 13.</li>
 * <li>Gradient2: at most 2N after 51 samples; mean 54 over samples 1,000 to 5,000
 * (between 17 and 114): it drifts up, as its long-term average follows the queueing
 * latency it caused (a known trait of the algorithm: it sees latency change, not absolute
 * queueing). After the dependency doubles, above 80 within 228 samples (mean 119).</li>
 * <li>Vegas: at most 2N after 118 samples; between 8 and 46 from sample 110 on, mean 25
 * (the tightest of the three). After the dependency doubles, above 60 within 79 samples
 * (mean 47). When only the service time halves the capacity in calls is still N, and the
 * limit stays there (mean 25).</li>
 * </ul>
 * concurrency-limits documents no convergence figures (its README shows graphs of a limit
 * oscillating around a simulated capacity); its algorithms update on every sample as
 * these do, so the same overshoot is expected there.
 */
class AdaptiveLimitSimulationTests {

	static final int SERVERS = 20;

	static final int SERVICE_MILLIS = 10;

	static final int CLIENTS = 300;

	static final int SAMPLES = 5000;

	private static LimitConfig.Builder startingFarAbove(LimitAlgorithm algorithm) {
		return LimitConfig.builder().limitAlgorithm(algorithm).initialLimit(200).maxLimit(500).minLimit(1);
	}

	private static DependencySimulation simulate(LimitConfig config) {
		return new DependencySimulation(AdaptiveLimit.of(config), SERVERS, SERVICE_MILLIS * 1_000_000L, CLIENTS,
				1_000_000L);
	}

	@Test
	void aimdFallsWithin2NIn56SamplesThenSawsAroundNWithAMeanOf29() {
		DependencySimulation simulation = simulate(
				startingFarAbove(LimitAlgorithm.AIMD).timeout(Duration.ofMillis(2 * SERVICE_MILLIS)).build());
		Trace trace = Trace.of(simulation, SAMPLES);
		print("aimd", trace);
		assertThat(trace.firstAtMost(2 * SERVERS)).isLessThanOrEqualTo(60);
		assertThat(trace.mean(1000, SAMPLES)).isBetween(SERVERS / 2.0, 2.0 * SERVERS);
		assertThat(trace.max(1000, SAMPLES)).isLessThanOrEqualTo(5 * SERVERS);
		simulation.addServers(SERVERS);
		Trace recovered = Trace.of(simulation, 3000);
		print("aimd recovered", recovered);
		assertThat(recovered.firstAbove(4 * SERVERS)).isLessThanOrEqualTo(200);
		assertThat(recovered.mean(1000, 3000)).isGreaterThan(trace.mean(1000, SAMPLES) * 1.5);
	}

	@Test
	void aimdWithoutDropsOrTimeoutsClimbsToItsMaximum() {
		// The control of the next two: no signal, no cut.
		DependencySimulation simulation = simulate(startingFarAbove(LimitAlgorithm.AIMD).build());
		Trace trace = Trace.of(simulation, SAMPLES);
		assertThat(trace.last()).isEqualTo(500);
	}

	@Test
	void aimdFailuresPushTheLimitDown() {
		DependencySimulation simulation = simulate(startingFarAbove(LimitAlgorithm.AIMD).build());
		// One cut of 10 % per failure against +1 per success: with a fraction p failing
		// the
		// limit settles where p * 0.1 * L = 1 - p, L = 40 for p = 0.2 (190 for p = 0.05).
		simulation.failureRate(0.2);
		Trace trace = Trace.of(simulation, SAMPLES);
		print("aimd 20% failures", trace);
		assertThat(trace.firstAtMost(2 * SERVERS)).isLessThanOrEqualTo(100);
		assertThat(trace.mean(1000, SAMPLES)).isBetween(SERVERS / 2.0, 2.0 * SERVERS);
		assertThat(trace.max(1000, SAMPLES)).isLessThanOrEqualTo(4 * SERVERS);
	}

	@Test
	void aimdTimeoutsPushTheLimitDown() {
		DependencySimulation simulation = simulate(
				startingFarAbove(LimitAlgorithm.AIMD).timeout(Duration.ofMillis(3 * SERVICE_MILLIS)).build());
		Trace trace = Trace.of(simulation, SAMPLES);
		print("aimd timeout 30ms", trace);
		assertThat(trace.firstAtMost(3 * SERVERS)).isLessThanOrEqualTo(100);
		assertThat(trace.mean(1000, SAMPLES)).isLessThanOrEqualTo(3.0 * SERVERS);
	}

	@Test
	void gradient2FallsWithin2NIn51SamplesThenDriftsUpWithAMeanOf54() {
		DependencySimulation simulation = simulate(startingFarAbove(LimitAlgorithm.GRADIENT2).build());
		Trace trace = Trace.of(simulation, SAMPLES);
		print("gradient2", trace);
		assertThat(trace.firstAtMost(2 * SERVERS)).isLessThanOrEqualTo(60);
		assertThat(trace.mean(100, 1000)).isBetween(SERVERS / 2.0, 2.5 * SERVERS);
		assertThat(trace.mean(1000, SAMPLES)).isBetween(SERVERS / 2.0, 3.0 * SERVERS);
		assertThat(trace.max(1000, SAMPLES)).isLessThanOrEqualTo(6 * SERVERS);
		simulation.addServers(SERVERS);
		Trace recovered = Trace.of(simulation, 3000);
		print("gradient2 recovered", recovered);
		assertThat(recovered.firstAbove(4 * SERVERS)).isLessThanOrEqualTo(300);
	}

	@Test
	void vegasFallsWithin2NIn118SamplesThenStaysBetween8And46WithAMeanOf25() {
		DependencySimulation simulation = simulate(startingFarAbove(LimitAlgorithm.VEGAS).build());
		Trace trace = Trace.of(simulation, SAMPLES);
		print("vegas", trace);
		assertThat(trace.firstAtMost(2 * SERVERS)).isLessThanOrEqualTo(120);
		assertThat(trace.min(110, SAMPLES)).isGreaterThanOrEqualTo(SERVERS / 4);
		assertThat(trace.max(110, SAMPLES)).isLessThanOrEqualTo(3 * SERVERS);
		assertThat(trace.mean(1000, SAMPLES)).isBetween(SERVERS / 2.0, 2.0 * SERVERS);
		simulation.addServers(SERVERS);
		Trace recovered = Trace.of(simulation, 3000);
		print("vegas recovered", recovered);
		assertThat(recovered.firstAbove(3 * SERVERS)).isLessThanOrEqualTo(200);
		assertThat(recovered.mean(1000, 3000)).isGreaterThan(trace.mean(1000, SAMPLES) * 1.5);
	}

	@Test
	void vegasStaysNearNWhenOnlyTheServiceTimeHalves() {
		// Faster calls do not make room for more at once: the capacity is still N.
		DependencySimulation simulation = simulate(startingFarAbove(LimitAlgorithm.VEGAS).build());
		Trace.of(simulation, SAMPLES);
		simulation.serviceNanos(SERVICE_MILLIS * 1_000_000L / 2);
		Trace faster = Trace.of(simulation, SAMPLES);
		print("vegas faster", faster);
		assertThat(faster.mean(1000, SAMPLES)).isBetween(SERVERS / 2.0, 2.0 * SERVERS);
		assertThat(faster.max(1000, SAMPLES)).isLessThanOrEqualTo(3 * SERVERS);
	}

	private static void print(String what, Trace trace) {
		System.out.println(what + ": " + trace);
	}

	/**
	 * The limit after each sample.
	 */
	record Trace(int[] limits) {

		static Trace of(DependencySimulation simulation, int samples) {
			int[] limits = new int[samples];
			int[] next = { 0 };
			simulation.run(samples, (limit) -> limits[next[0]++] = limit);
			return new Trace(limits);
		}

		int firstAtMost(int value) {
			for (int i = 0; i < this.limits.length; i++) {
				if (this.limits[i] <= value) {
					return i + 1;
				}
			}
			return Integer.MAX_VALUE;
		}

		int firstAbove(int value) {
			for (int i = 0; i < this.limits.length; i++) {
				if (this.limits[i] > value) {
					return i + 1;
				}
			}
			return Integer.MAX_VALUE;
		}

		double mean(int from, int to) {
			double sum = 0;
			for (int i = from; i < to; i++) {
				sum += this.limits[i];
			}
			return sum / (to - from);
		}

		int max(int from, int to) {
			int max = Integer.MIN_VALUE;
			for (int i = from; i < to; i++) {
				max = Math.max(max, this.limits[i]);
			}
			return max;
		}

		int min(int from, int to) {
			int min = Integer.MAX_VALUE;
			for (int i = from; i < to; i++) {
				min = Math.min(min, this.limits[i]);
			}
			return min;
		}

		int last() {
			return this.limits[this.limits.length - 1];
		}

		@Override
		public String toString() {
			int n = this.limits.length;
			int from = Math.min(1000, n / 3);
			return String.format(
					"firstAtMost40=%d firstAbove80=%d firstAbove60=%d mean[%d..)=%.1f min=%d max=%d last=%d",
					firstAtMost(40), firstAbove(80), firstAbove(60), from, mean(from, n), min(from, n), max(from, n),
					last());
		}

	}

}
