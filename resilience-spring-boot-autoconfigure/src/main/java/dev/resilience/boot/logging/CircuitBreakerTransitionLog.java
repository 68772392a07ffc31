package dev.resilience.boot.logging;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.resilience.boot.autoconfigure.RegistryEventListener;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Cause;
import dev.resilience.circuitbreaker.CircuitBreakerEvent.Figures;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.RegistryEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/*
 * Design: one subscription per breaker to CircuitBreaker.stateEvents(), which carries the
 * transitions, the resets and the first rejection of each opening, and never an outcome:
 * the breakers' success path stays as it is without listeners. "The first rejection"
 * is decided by the breaker (one CAS per entry into OPEN or FORCED_OPEN, published after
 * the transition), not here: a flag kept here and reset on each transition event could be
 * raced by a rejection delivered on another thread before that event. The subscriptions
 * map is guarded by this; the registry's follower delivers one event at a time, and
 * close() may come from the context's shutdown thread.
 */
/**
 * Logs every circuit breaker's state changes, one line each, under the logger
 * {@value #LOGGER_NAME}, through Spring's logging facade (SLF4J and Logback in a Spring
 * Boot application):
 * <ul>
 * <li>each transition and reset, naming the instance, the states left and entered and
 * what caused it, with the figures when figures decided: at {@code WARN} when the breaker
 * enters {@code OPEN}, at {@code INFO} otherwise (a forced open is an operator's act);
 * </li>
 * <li>the first call rejected after each opening (once per entry into {@code OPEN} or
 * {@code FORCED_OPEN}, however many threads are rejected at once), at the level of the
 * opening.</li>
 * </ul>
 * For example:
 *
 * <pre>
 * circuit breaker 'payments' CLOSED -&gt; OPEN: failure rate 62.5 % over 16 calls (threshold 50 %); calls rejected for 60 s
 * circuit breaker 'payments' OPEN: first call rejected since it opened; calls rejected for 60 s from the opening
 * circuit breaker 'payments' OPEN -&gt; HALF_OPEN: the open wait elapsed; trial calls let through
 * circuit breaker 'payments' HALF_OPEN -&gt; CLOSED: 10 trial calls passed: failure rate 0 % (threshold 50 %)
 * </pre>
 * <p>
 * Nothing is logged, and nothing runs, for a call that goes through. Switched off with
 * {@code resilience.logging.transitions=false}, or by the level of the logger.
 * Thread-safe.
 */
public final class CircuitBreakerTransitionLog implements RegistryEventListener<CircuitBreaker>, AutoCloseable {

	/** The name of the logger the lines are written to. */
	public static final String LOGGER_NAME = "dev.resilience.circuitbreaker.transitions";

	private final Log logger;

	// Guarded by this. Keyed by identity: a name may be removed and made again.
	private final Map<CircuitBreaker, EventPublisher.Subscription> subscriptions = new IdentityHashMap<>();

	private boolean closed;

	/**
	 * Creates the log, writing to {@value #LOGGER_NAME}.
	 */
	public CircuitBreakerTransitionLog() {
		this(LogFactory.getLog(LOGGER_NAME));
	}

	CircuitBreakerTransitionLog(Log logger) {
		this.logger = logger;
	}

	@Override
	public synchronized void onEvent(RegistryEvent<CircuitBreaker> event) {
		if (this.closed) {
			return;
		}
		CircuitBreaker breaker = event.instance();
		switch (event.type()) {
			case ADDED ->
				this.subscriptions.computeIfAbsent(breaker, (added) -> added.stateEvents().onEvent(this::log));
			case REMOVED -> {
				EventPublisher.Subscription subscription = this.subscriptions.remove(breaker);
				if (subscription != null) {
					subscription.close();
				}
			}
			case REPLACED -> {
				// Same instance, same publisher: still subscribed.
			}
		}
	}

	/**
	 * Stops following the breakers.
	 */
	@Override
	public void close() {
		List<EventPublisher.Subscription> open;
		synchronized (this) {
			this.closed = true;
			open = new ArrayList<>(this.subscriptions.values());
			this.subscriptions.clear();
		}
		open.forEach(EventPublisher.Subscription::close);
	}

	private void log(CircuitBreakerEvent event) {
		if (warns(event)) {
			if (this.logger.isWarnEnabled()) {
				this.logger.warn(describe(event));
			}
		}
		else if (this.logger.isInfoEnabled()) {
			this.logger.info(describe(event));
		}
	}

	/** {@code WARN} for an opening and for the first rejection of one. */
	private static boolean warns(CircuitBreakerEvent event) {
		return event.toState() == State.OPEN
				|| (event.type() == CircuitBreakerEvent.Type.NOT_PERMITTED && opened(event));
	}

	/** A rejection on stateEvents() comes from OPEN, which has a wait, or FORCED_OPEN. */
	private static boolean opened(CircuitBreakerEvent event) {
		return event.waitNanos() >= 0;
	}

	/**
	 * Returns the line logged for an event of {@link CircuitBreaker#stateEvents()}.
	 * @param event the event
	 * @return the line
	 */
	static String describe(CircuitBreakerEvent event) {
		StringBuilder line = new StringBuilder("circuit breaker '").append(event.instanceName()).append("' ");
		if (event.type() == CircuitBreakerEvent.Type.NOT_PERMITTED) {
			if (opened(event)) {
				line.append("OPEN: first call rejected since it opened; calls rejected for ")
					.append(duration(event.waitNanos()))
					.append(" from the opening");
			}
			else {
				line.append("FORCED_OPEN: first call rejected since it was forced open; "
						+ "calls rejected until a manual transition");
			}
			return line.toString();
		}
		line.append(event.fromState()).append(" -> ").append(event.toState()).append(": ");
		Cause cause = event.cause();
		Figures figures = event.figures();
		String calls = (event.fromState() == State.HALF_OPEN) ? " trial calls" : " calls";
		if (cause == null) {
			line.append("unknown cause");
		}
		else {
			switch (cause) {
				case FAILURE_RATE -> {
					if (figures != null) {
						failureRate(line, figures).append(" over ").append(figures.calls()).append(calls);
						threshold(line, figures.failureRateThreshold());
						if (figures.slowCallRateReached()) {
							line.append(", ");
							slowCallRate(line, figures);
							slowCallThreshold(line, figures);
						}
					}
					else {
						line.append("failure rate reached its threshold");
					}
				}
				case SLOW_CALL_RATE -> {
					if (figures != null) {
						slowCallRate(line, figures).append(" over ").append(figures.calls()).append(calls);
						slowCallThreshold(line, figures);
					}
					else {
						line.append("slow-call rate reached its threshold");
					}
				}
				case TRIAL_CALLS_PASSED -> {
					if (figures != null) {
						line.append(figures.calls()).append(" trial calls passed: ");
						failureRate(line, figures);
						threshold(line, figures.failureRateThreshold());
						if (figures.slowCallDurationThreshold() != null) {
							line.append(", ");
							slowCallRate(line, figures);
							slowCallThreshold(line, figures);
						}
					}
					else {
						line.append("trial calls passed");
					}
				}
				case HALF_OPEN_TIME_LIMIT -> {
					line.append("the trial calls did not complete within the half-open time limit");
					if (figures != null) {
						line.append(" (")
							.append(figures.calls())
							.append(" of ")
							.append(figures.minimumNumberOfCalls())
							.append(" completed, ")
							.append(figures.failedCalls())
							.append(" failed)");
					}
				}
				case OPEN_WAIT_ELAPSED -> line.append("the open wait elapsed; trial calls let through");
				case MANUAL -> line.append("manual transition");
				case RESET -> line.append("reset");
			}
		}
		if (event.toState() == State.OPEN && event.waitNanos() >= 0) {
			line.append("; calls rejected for ").append(duration(event.waitNanos()));
		}
		return line.toString();
	}

	private static StringBuilder failureRate(StringBuilder line, Figures figures) {
		return line.append("failure rate ").append(percent(figures.failureRate()));
	}

	private static StringBuilder slowCallRate(StringBuilder line, Figures figures) {
		return line.append("slow-call rate ").append(percent(figures.slowCallRate()));
	}

	private static void slowCallThreshold(StringBuilder line, Figures figures) {
		line.append(" (threshold ").append(number(figures.slowCallRateThreshold())).append(" %");
		Duration slow = figures.slowCallDurationThreshold();
		if (slow != null) {
			line.append(" of calls slower than ").append(duration(slow.toNanos()));
		}
		line.append(')');
	}

	private static void threshold(StringBuilder line, float threshold) {
		line.append(" (threshold ").append(number(threshold)).append(" %)");
	}

	private static String percent(float rate) {
		return (rate < 0) ? "not computed" : number(rate) + " %";
	}

	/** One decimal at most: 62.5, 50, 66.7. */
	private static String number(float value) {
		String formatted = String.format(Locale.ROOT, "%.1f", value);
		return formatted.endsWith(".0") ? formatted.substring(0, formatted.length() - 2) : formatted;
	}

	/** Seconds, with the decimals needed: 60 s, 0.5 s. */
	private static String duration(long nanos) {
		return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString() + " s";
	}

	@Override
	public String toString() {
		return "CircuitBreakerTransitionLog[" + LOGGER_NAME + "]";
	}

}
