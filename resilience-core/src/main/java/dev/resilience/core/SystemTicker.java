package dev.resilience.core;

/**
 * The one class that reads the machine's monotonic clock.
 */
enum SystemTicker implements Ticker {

	INSTANCE;

	@Override
	public long read() {
		return System.nanoTime();
	}

}
