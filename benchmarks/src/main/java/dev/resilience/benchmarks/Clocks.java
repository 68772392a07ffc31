package dev.resilience.benchmarks;

import java.time.Duration;

import dev.resilience.core.CoarseTicker;
import dev.resilience.core.Ticker;

/**
 * The coarse clock the {@code *_oursCoarse} benchmarks run on
 * ({@code resilience.clock=coarse} in the starter): one per benchmark JVM, published
 * every millisecond by its daemon thread, which the JVM's exit ends.
 */
final class Clocks {

	/** The starter's resolution. */
	static final CoarseTicker COARSE = Ticker.coarse(Duration.ofMillis(1));

	private Clocks() {
	}

}
