package dev.resilience.ratelimiter;

/**
 * A reservation that cannot be cancelled: granted now or after a wait, or refused.
 * Immutable.
 */
record FixedReservation(boolean isGranted, long waitNanos) implements RateLimiter.Reservation {
}
