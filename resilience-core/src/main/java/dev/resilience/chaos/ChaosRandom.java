package dev.resilience.chaos;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a {@link Chaos} draws its decisions from: one number per enabled rule per call
 * (until one hits), and one more for a latency between a minimum and a maximum.
 * <p>
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ChaosRandom {

	/**
	 * Returns the next number.
	 * @return a number in {@code [0, 1)}
	 */
	double nextDouble();

	/**
	 * Returns the random source of production: {@link ThreadLocalRandom}, which neither
	 * allocates nor contends.
	 * @return the system random source
	 */
	static ChaosRandom system() {
		return ChaosRandoms.SYSTEM;
	}

	/**
	 * Returns a deterministic random source: the same seed gives the same numbers, in the
	 * order they are drawn, whichever threads draw them. For tests: with a fixed seed a
	 * rule at a given rate affects exactly the calls it affected last time, in call
	 * order.
	 * @param seed the seed
	 * @return a new seeded source
	 */
	static ChaosRandom seeded(long seed) {
		return new ChaosRandoms.Seeded(seed);
	}

}
