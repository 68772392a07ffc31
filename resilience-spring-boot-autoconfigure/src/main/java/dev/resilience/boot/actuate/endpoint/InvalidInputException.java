package dev.resilience.boot.actuate.endpoint;

/**
 * A request the endpoint cannot act on; its message, which names the offending field and
 * value, becomes the body of a 400 response.
 */
final class InvalidInputException extends RuntimeException {

	InvalidInputException(String message) {
		super(message);
	}

}
