package dev.resilience.sample;

/**
 * A payment's outcome.
 *
 * @param id the payment's id
 * @param status charged now, or queued for later
 * @param amount the amount
 */
record Payment(String id, Status status, double amount) {

	enum Status {

		CHARGED, PENDING

	}

}
