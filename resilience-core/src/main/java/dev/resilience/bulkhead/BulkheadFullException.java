package dev.resilience.bulkhead;

import dev.resilience.core.ResilienceException;

/**
 * Thrown when a bulkhead has no free place (semaphore kind) or neither a free thread nor
 * queue space (thread-pool kind). Created without a stack trace. A semaphore bulkhead
 * throws one instance for all its rejections (and its keys'), made on the first, so that
 * a rejection allocates nothing (see {@link ResilienceException}).
 */
public class BulkheadFullException extends ResilienceException {

	/**
	 * Creates the exception.
	 * @param instanceName the bulkhead's name
	 */
	public BulkheadFullException(String instanceName) {
		super("Bulkhead '" + instanceName + "' is full and does not permit further calls", instanceName, false, null);
	}

	@Override
	public boolean isRejection() {
		return true;
	}

}
