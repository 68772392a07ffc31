package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.bulkhead.BulkheadEvent;
import dev.resilience.chaos.ChaosEvent;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.resilience.core.ResilienceEvent;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryEvent;
import dev.resilience.timeout.TimeoutEvent;
import org.jspecify.annotations.Nullable;

/**
 * One event as the buffer keeps it: the figures copied out of the core event, so that the
 * buffer holds no reference to the call's exception (and whatever that exception holds),
 * only its class name and a bounded part of its message. Immutable.
 */
final class RecordedEvent {

	/** Longer failure messages are cut to this many characters. */
	static final int MAX_MESSAGE_LENGTH = 512;

	final long sequence;

	/**
	 * The event's position among the events of every instance (the dashboard's
	 * {@code id}), or {@code -1} when nothing numbers them.
	 */
	final long id;

	final Instant timestamp;

	final String primitive;

	final String name;

	final Enum<?> type;

	private final long durationNanos;

	private final @Nullable String failureType;

	private final @Nullable String failureMessage;

	private final @Nullable Enum<?> fromState;

	private final @Nullable Enum<?> toState;

	private final int attempt;

	private final long waitNanos;

	private final int permits;

	private final @Nullable String bulkheadType;

	// A chaos injection's rule and fault.
	private final @Nullable String rule;

	private final @Nullable String fault;

	// An adaptive bulkhead limit's change (LIMIT_CHANGED); 0 otherwise.
	private final int previousLimit;

	private final int limit;

	private RecordedEvent(long sequence, long id, Instant timestamp, ResilienceEvent event, long durationNanos,
			@Nullable Throwable failure, @Nullable Enum<?> fromState, @Nullable Enum<?> toState, int attempt,
			long waitNanos, int permits, @Nullable String bulkheadType) {
		this(sequence, id, timestamp, event, durationNanos, failure, fromState, toState, attempt, waitNanos, permits,
				bulkheadType, null, null);
	}

	private RecordedEvent(long sequence, long id, Instant timestamp, ResilienceEvent event, long durationNanos,
			@Nullable Throwable failure, @Nullable Enum<?> fromState, @Nullable Enum<?> toState, int attempt,
			long waitNanos, int permits, @Nullable String bulkheadType, @Nullable String rule, @Nullable String fault) {
		this(sequence, id, timestamp, event, durationNanos, failure, fromState, toState, attempt, waitNanos, permits,
				bulkheadType, rule, fault, 0, 0);
	}

	private RecordedEvent(long sequence, long id, Instant timestamp, ResilienceEvent event, long durationNanos,
			@Nullable Throwable failure, @Nullable Enum<?> fromState, @Nullable Enum<?> toState, int attempt,
			long waitNanos, int permits, @Nullable String bulkheadType, @Nullable String rule, @Nullable String fault,
			int previousLimit, int limit) {
		this.sequence = sequence;
		this.id = id;
		this.timestamp = timestamp;
		this.primitive = event.primitive();
		this.name = event.instanceName();
		this.type = event.type();
		this.durationNanos = durationNanos;
		this.failureType = (failure != null) ? failure.getClass().getName() : null;
		this.failureMessage = (failure != null) ? truncate(failure.getMessage()) : null;
		this.fromState = fromState;
		this.toState = toState;
		this.attempt = attempt;
		this.waitNanos = waitNanos;
		this.permits = permits;
		this.bulkheadType = bulkheadType;
		this.rule = rule;
		this.fault = fault;
		this.previousLimit = previousLimit;
		this.limit = limit;
	}

	/**
	 * Copies what the endpoint shows out of a core event.
	 * @param sequence the event's position in its instance's buffer
	 * @param id the event's position among every instance's events, or {@code -1}
	 * @param timestamp when the event was received
	 * @param event the core event
	 * @param bulkheadType for a bulkhead event, the bulkhead's kind, else {@code null}
	 * @return the recorded event
	 */
	static RecordedEvent of(long sequence, long id, Instant timestamp, ResilienceEvent event,
			@Nullable String bulkheadType) {
		if (event instanceof CircuitBreakerEvent breaker) {
			return new RecordedEvent(sequence, id, timestamp, event, breaker.durationNanos(), breaker.failure(),
					breaker.fromState(), breaker.toState(), 0, -1, 0, null);
		}
		if (event instanceof RetryEvent retry) {
			return new RecordedEvent(sequence, id, timestamp, event, -1, retry.failure(), null, null, retry.attempt(),
					retry.waitNanos(), 0, null);
		}
		if (event instanceof RateLimiterEvent limiter) {
			return new RecordedEvent(sequence, id, timestamp, event, -1, null, null, null, 0, -1, limiter.permits(),
					null);
		}
		if (event instanceof TimeoutEvent timeout) {
			return new RecordedEvent(sequence, id, timestamp, event, -1, timeout.failure(), null, null, 0, -1, 0, null);
		}
		if (event instanceof BulkheadEvent bulkhead) {
			return new RecordedEvent(sequence, id, timestamp, event, -1, null, null, null, 0, -1, 0, bulkheadType, null,
					null, bulkhead.previousLimit(), bulkhead.limit());
		}
		if (event instanceof ChaosEvent chaos) {
			return new RecordedEvent(sequence, id, timestamp, event, -1, null, null, null, 0, -1, 0, null, chaos.rule(),
					chaos.fault().value());
		}
		// A primitive added later: its common part is still worth showing.
		return new RecordedEvent(sequence, id, timestamp, event, -1, null, null, null, 0, -1, 0, null);
	}

	private static @Nullable String truncate(@Nullable String message) {
		if (message == null || message.length() <= MAX_MESSAGE_LENGTH) {
			return message;
		}
		return message.substring(0, MAX_MESSAGE_LENGTH) + "...";
	}

	/**
	 * Returns what the event says beyond its primitive, name, type and time; only the
	 * entries that apply to the event's type.
	 * @return the details by name
	 */
	Map<String, Object> details() {
		Map<String, Object> details = new LinkedHashMap<>();
		if (this.bulkheadType != null) {
			details.put("bulkheadType", this.bulkheadType);
		}
		if (this.limit > 0) {
			details.put("previousLimit", this.previousLimit);
			details.put("limit", this.limit);
		}
		if (this.rule != null && this.fault != null) {
			details.put("rule", this.rule);
			details.put("fault", this.fault);
		}
		if (this.fromState != null && this.toState != null) {
			details.put("fromState", this.fromState.name());
			details.put("toState", this.toState.name());
		}
		if (this.durationNanos >= 0) {
			details.put("duration", Duration.ofNanos(this.durationNanos).toString());
		}
		if (this.attempt > 0) {
			details.put("attempt", this.attempt);
		}
		if (this.waitNanos != Retry.NO_RETRY && this.waitNanos >= 0) {
			details.put("wait", Duration.ofNanos(this.waitNanos).toString());
		}
		if (this.permits > 0) {
			details.put("permits", this.permits);
		}
		if (this.failureType != null) {
			Map<String, Object> failure = new LinkedHashMap<>();
			failure.put("type", this.failureType);
			if (this.failureMessage != null) {
				failure.put("message", this.failureMessage);
			}
			details.put("failure", failure);
		}
		return details;
	}

}
