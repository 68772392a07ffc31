package dev.resilience.chaos;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The implementations behind {@link ChaosRandom#system()} and
 * {@link ChaosRandom#seeded(long)}.
 */
final class ChaosRandoms {

	static final ChaosRandom SYSTEM = new ChaosRandom() {

		@Override
		public double nextDouble() {
			return ThreadLocalRandom.current().nextDouble();
		}

		@Override
		public String toString() {
			return "ChaosRandom.system()";
		}

	};

	private ChaosRandoms() {
	}

	/*
	 * Design: SplitMix64 over one AtomicLong. Each draw advances the state by the golden
	 * gamma with one getAndAdd (so concurrent draws each get their own state, none lost
	 * or repeated), then mixes it: the n-th draw's number depends only on the seed and n,
	 * whichever thread makes it.
	 */
	/**
	 * The seeded source: SplitMix64, thread-safe and allocation-free.
	 */
	static final class Seeded implements ChaosRandom {

		private static final long GAMMA = 0x9E3779B97F4A7C15L;

		private final long seed;

		private final AtomicLong state;

		Seeded(long seed) {
			this.seed = seed;
			this.state = new AtomicLong(seed);
		}

		@Override
		public double nextDouble() {
			long z = this.state.getAndAdd(GAMMA) + GAMMA;
			z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
			z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
			z = z ^ (z >>> 31);
			// The top 53 bits, as a double in [0, 1).
			return (z >>> 11) * 0x1.0p-53;
		}

		@Override
		public String toString() {
			return "ChaosRandom.seeded(" + this.seed + ")";
		}

	}

}
