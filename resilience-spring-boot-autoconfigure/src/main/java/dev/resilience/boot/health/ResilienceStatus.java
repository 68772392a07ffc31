package dev.resilience.boot.health;

import java.util.List;

import org.springframework.boot.health.contributor.Status;

/**
 * The health statuses of resilience instances beside Spring Boot's own. Each is
 * <em>informational</em>: it tells that the instance is protecting the application, not
 * that the application is broken, so it never makes an aggregate worse than {@code UP}
 * and maps to HTTP 200. {@link ResilienceStatusAggregator} ranks them after {@code UP}
 * and before {@code UNKNOWN}, in the order of {@link #INFORMATIONAL}.
 * <p>
 * An instance with {@code allow-health-indicator-to-fail: true} reports
 * {@link Status#DOWN} instead of {@link #CIRCUIT_OPEN}, {@link #RATE_LIMITED} or
 * {@link #BULKHEAD_FULL}.
 */
public final class ResilienceStatus {

	/**
	 * A circuit breaker that is {@code OPEN} or {@code FORCED_OPEN}: calls are rejected.
	 */
	public static final Status CIRCUIT_OPEN = new Status("CIRCUIT_OPEN");

	/** A circuit breaker that is {@code HALF_OPEN}: trial calls are let through. */
	public static final Status CIRCUIT_HALF_OPEN = new Status("CIRCUIT_HALF_OPEN");

	/** A rate limiter with no permit left now. */
	public static final Status RATE_LIMITED = new Status("RATE_LIMITED");

	/** A bulkhead with no place (or no thread and no queue slot) free now. */
	public static final Status BULKHEAD_FULL = new Status("BULKHEAD_FULL");

	/**
	 * The informational statuses, most telling first: when an aggregate has nothing but
	 * these, it takes the first of them that is present.
	 */
	public static final List<Status> INFORMATIONAL = List.of(CIRCUIT_OPEN, CIRCUIT_HALF_OPEN, RATE_LIMITED,
			BULKHEAD_FULL);

	private ResilienceStatus() {
	}

}
