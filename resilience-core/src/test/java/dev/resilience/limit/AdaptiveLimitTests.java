package dev.resilience.limit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Each algorithm, one sample at a time.
 */
class AdaptiveLimitTests {

	private static final long MS = 1_000_000L;

	private static LimitConfig.Builder config(LimitAlgorithm algorithm, int initial, int min, int max) {
		return LimitConfig.builder().limitAlgorithm(algorithm).initialLimit(initial).minLimit(min).maxLimit(max);
	}

	@Test
	void everyAlgorithmStartsAtItsInitialLimitAndKeepsItsConfig() {
		for (LimitAlgorithm algorithm : LimitAlgorithm.values()) {
			LimitConfig config = (algorithm == LimitAlgorithm.FIXED) ? LimitConfig.builder().initialLimit(7).build()
					: config(algorithm, 7, 1, 50).build();
			AdaptiveLimit limit = AdaptiveLimit.of(config);
			assertThat(limit.limit()).as(algorithm.name()).isEqualTo(7);
			assertThat(limit.config()).isSameAs(config);
		}
	}

	@Test
	void ofRefusesNoConfig() {
		assertThatNullPointerException().isThrownBy(() -> AdaptiveLimit.of(null)).withMessageContaining("config");
	}

	@Test
	void aFixedLimitIgnoresEverySample() {
		AdaptiveLimit limit = AdaptiveLimit.of(LimitConfig.builder().initialLimit(12).build());
		limit.onSample(0, 12, false);
		limit.onSample(Long.MAX_VALUE, 1, true);
		limit.onSample(10 * MS, 100, true);
		assertThat(limit.limit()).isEqualTo(12);
	}

	@Test
	void aimdGrowsByOneWhileAtLeastHalfOfTheLimitIsInFlight() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.AIMD, 10, 1, 12).build());
		limit.onSample(MS, 5, false);
		assertThat(limit.limit()).isEqualTo(11);
		limit.onSample(MS, 11, false);
		assertThat(limit.limit()).isEqualTo(12);
		limit.onSample(MS, 12, false);
		assertThat(limit.limit()).as("maxLimit").isEqualTo(12);
	}

	@Test
	void aimdDoesNotGrowWhileAppLimited() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.AIMD, 10, 1, 100).build());
		for (int i = 0; i < 100; i++) {
			limit.onSample(MS, 4, false);
		}
		assertThat(limit.limit()).isEqualTo(10);
	}

	@Test
	void aimdBacksOffOnADropOrATimeoutRoundingDownToMinLimit() {
		AdaptiveLimit limit = AdaptiveLimit
			.of(config(LimitAlgorithm.AIMD, 100, 3, 200).backoffRatio(0.5).timeout(Duration.ofMillis(50)).build());
		limit.onSample(MS, 1, true);
		assertThat(limit.limit()).isEqualTo(50);
		limit.onSample(51 * MS, 50, false);
		assertThat(limit.limit()).as("timeout").isEqualTo(25);
		limit.onSample(50 * MS, 25, false);
		assertThat(limit.limit()).as("at the timeout: a success").isEqualTo(26);
		limit.onSample(MS, 1, true);
		limit.onSample(MS, 1, true);
		limit.onSample(MS, 1, true);
		assertThat(limit.limit()).as("13, 6, then 3 (minLimit)").isEqualTo(3);
		limit.onSample(MS, 1, true);
		assertThat(limit.limit()).isEqualTo(3);
	}

	@Test
	void aimdAppliesPendingDropsWithTheNextSample() {
		AimdLimit limit = new AimdLimit(config(LimitAlgorithm.AIMD, 100, 1, 200).backoffRatio(0.5).build());
		// As if two drops had been skipped by a busy lock.
		assertThat(limit.drops(2)).isEqualTo(25);
		assertThat(limit.limit()).as("drops() computes, the caller publishes").isEqualTo(100);
	}

	@Test
	void gradient2StaysWhileLatencyIsSteadyAndGrowsByItsQueueAllowance() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.GRADIENT2, 20, 1, 100).build());
		for (int i = 0; i < 10; i++) {
			limit.onSample(10 * MS, 20, false);
		}
		// gradient 1 (within tolerance): 20 * 0.8 + (20 + 4) * 0.2 = 20.8 per step.
		assertThat(limit.limit()).isBetween(21, 30);
	}

	@Test
	void gradient2ShrinksWhenLatencyRisesBeyondItsTolerance() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.GRADIENT2, 50, 1, 100).build());
		for (int i = 0; i < 10; i++) {
			limit.onSample(10 * MS, 50, false);
		}
		int before = limit.limit();
		for (int i = 0; i < 20; i++) {
			limit.onSample(40 * MS, 50, false);
		}
		assertThat(limit.limit()).isLessThan(before / 2);
	}

	@Test
	void gradient2DoesNotMoveWhileAppLimited() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.GRADIENT2, 50, 1, 100).build());
		for (int i = 0; i < 50; i++) {
			limit.onSample(10 * MS, 10, false);
		}
		for (int i = 0; i < 50; i++) {
			limit.onSample(100 * MS, 10, false);
		}
		assertThat(limit.limit()).isEqualTo(50);
	}

	@Test
	void gradient2KeepsWithinItsBounds() {
		// (Below twice its queue allowance, 8, Gradient2 cannot shrink: half of 8 plus
		// 4.)
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.GRADIENT2, 11, 10, 15).build());
		for (int i = 0; i < 100; i++) {
			limit.onSample(MS, 15, false);
		}
		assertThat(limit.limit()).isEqualTo(15);
		for (int i = 0; i < 100; i++) {
			limit.onSample(1000 * MS, 15, false);
		}
		assertThat(limit.limit()).isEqualTo(10);
	}

	@Test
	void vegasGrowsWhileLittleIsQueuedAndShrinksWhenMuchIs() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.VEGAS, 20, 1, 100).build());
		limit.onSample(10 * MS, 20, false);
		assertThat(limit.limit()).as("the first sample sets the latency without load").isEqualTo(20);
		limit.onSample(10 * MS, 20, false);
		// queue 0 <= alpha: + log10(20) = 1.3
		assertThat(limit.limit()).isEqualTo(21);
		limit.onSample(20 * MS, 21, false);
		// queue 21.3 * (1 - 10/20) = 10.6 >= beta: - 1.33, 19.97
		assertThat(limit.limit()).isEqualTo(19);
		limit.onSample(11 * MS, 20, false);
		// queue 19.97 * (1 - 10/11) = 1.8 <= alpha: + 1.3
		assertThat(limit.limit()).isEqualTo(21);
		limit.onSample(13 * MS, 21, false);
		// queue 21 * (1 - 10/13) = 4.9: between alpha and beta, unchanged
		assertThat(limit.limit()).isEqualTo(21);
	}

	@Test
	void vegasShrinksOnADropAndDoesNotGrowWhileAppLimited() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.VEGAS, 20, 1, 100).build());
		limit.onSample(10 * MS, 20, false);
		limit.onSample(10 * MS, 5, false);
		assertThat(limit.limit()).isEqualTo(20);
		limit.onSample(10 * MS, 20, true);
		assertThat(limit.limit()).isEqualTo(18);
	}

	@Test
	void vegasReprobesItsLatencyWithoutLoadSoALastingRiseIsAccepted() {
		AdaptiveLimit limit = AdaptiveLimit.of(config(LimitAlgorithm.VEGAS, 10, 10, 100).build());
		limit.onSample(10 * MS, 10, false);
		// Latency doubles for good: at first a long queue (the limit shrinks to its
		// minimum), then, once re-probed, the new latency is the one without load.
		for (int i = 0; i < 30 * 10 + 10; i++) {
			limit.onSample(20 * MS, 10, false);
		}
		int afterProbe = limit.limit();
		for (int i = 0; i < 20; i++) {
			limit.onSample(20 * MS, limit.limit(), false);
		}
		assertThat(limit.limit()).isGreaterThan(afterProbe);
	}

	@Test
	void samplesNeverMoveALimitOutOfItsBounds() {
		for (LimitAlgorithm algorithm : new LimitAlgorithm[] { LimitAlgorithm.AIMD, LimitAlgorithm.GRADIENT2,
				LimitAlgorithm.VEGAS }) {
			AdaptiveLimit limit = AdaptiveLimit.of(config(algorithm, 10, 5, 15).build());
			java.util.SplittableRandom random = new java.util.SplittableRandom(3);
			for (int i = 0; i < 10_000; i++) {
				limit.onSample(random.nextLong(100 * MS), random.nextInt(30), random.nextInt(10) == 0);
				assertThat(limit.limit()).as(algorithm.name()).isBetween(5, 15);
			}
		}
	}

}
