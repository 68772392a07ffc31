package dev.resilience.reactor;

import java.time.Duration;

import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.util.context.ContextView;

/**
 * The current {@link Deadline} on the Reactor path: a subscription's deadline is the one
 * in the subscriber's Context under {@link Deadline#CONTEXT_KEY} or, failing that, the
 * one current on the thread that subscribes; outermost, the pipeline puts it in the
 * Context, where every stage reads it, whatever thread it runs on.
 */
final class ReactiveDeadlines {

	private ReactiveDeadlines() {
	}

	/**
	 * Returns the subscription's deadline.
	 * @param context the Context a stage was subscribed with
	 * @return the deadline, or {@code null} without one
	 */
	static @Nullable Deadline of(ContextView context) {
		Object deadline = context.getOrDefault(Deadline.CONTEXT_KEY, null);
		return (deadline instanceof Deadline found) ? found : null;
	}

	/**
	 * Outermost, inside the fallback: finds the subscription's deadline, carries it in
	 * the Context for the stages, and refuses (ENFORCE) or reports (OBSERVE) a
	 * subscription whose budget is already gone. Without a deadline the chain runs as it
	 * is.
	 */
	static Flux<Object> around(Flux<Object> inner, DeadlineConfig config, String name) {
		return Flux.deferContextual((context) -> {
			Deadline deadline = of(context);
			boolean carried = deadline != null;
			if (deadline == null) {
				deadline = Deadline.current();
				if (deadline == null) {
					return inner;
				}
			}
			if (deadline.isExpired()) {
				report(config, DeadlineStage.CALL, name, 0);
				if (enforced(config)) {
					return Flux.error(exception(DeadlineStage.CALL, name, 0));
				}
			}
			Deadline found = deadline;
			return carried ? inner : inner.contextWrite((outer) -> outer.put(Deadline.CONTEXT_KEY, found));
		});
	}

	static boolean enforced(DeadlineConfig config) {
		return config.mode() == DeadlineMode.ENFORCE;
	}

	/** Tells the listener; one that throws is ignored, as its contract says. */
	static void report(DeadlineConfig config, DeadlineStage stage, String instanceName, long remainingNanos) {
		try {
			config.listener().exceeded(stage, instanceName, config.mode(), remainingNanos);
		}
		catch (RuntimeException ex) {
			// Ignored, as documented on DeadlineListener.
		}
	}

	static DeadlineExceededException exception(DeadlineStage stage, String instanceName, long remainingNanos) {
		return new DeadlineExceededException(instanceName, stage, Duration.ofNanos(Math.max(0, remainingNanos)));
	}

	/** Reports a refusal under ENFORCE and returns what to fail with. */
	static DeadlineExceededException refusal(DeadlineConfig config, DeadlineStage stage, String instanceName,
			long remainingNanos) {
		report(config, stage, instanceName, remainingNanos);
		return exception(stage, instanceName, remainingNanos);
	}

}
