package dev.resilience.pipeline;

import java.time.Duration;

import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import org.jspecify.annotations.Nullable;

/**
 * What the stages share to respect the current {@link Deadline}: telling the listener,
 * and refusing under {@link DeadlineMode#ENFORCE}. Used only once a deadline is present,
 * so that a call without one pays a thread-local read at most.
 */
final class DeadlineChecks {

	private DeadlineChecks() {
	}

	/**
	 * Tells the listener; a listener that throws is ignored (its contract says it must
	 * not), since the call's outcome must not depend on it.
	 */
	static void report(DeadlineConfig config, DeadlineStage stage, String instanceName, long remainingNanos) {
		try {
			config.listener().exceeded(stage, instanceName, config.mode(), remainingNanos);
		}
		catch (RuntimeException ex) {
			// Ignored, as documented on DeadlineListener.
		}
	}

	/**
	 * Reports a call that does not fit and, under ENFORCE, returns the refusal to throw.
	 * @return the exception to throw, or {@code null} to go on (OBSERVE)
	 */
	static @Nullable DeadlineExceededException refuse(DeadlineConfig config, DeadlineStage stage, String instanceName,
			long remainingNanos) {
		report(config, stage, instanceName, remainingNanos);
		return (config.mode() == DeadlineMode.ENFORCE)
				? new DeadlineExceededException(instanceName, stage, Duration.ofNanos(Math.max(0, remainingNanos)))
				: null;
	}

	/**
	 * Reports a call that does not fit and returns the refusal to throw; for paths that
	 * already know the mode is ENFORCE.
	 */
	static DeadlineExceededException refusal(DeadlineConfig config, DeadlineStage stage, String instanceName,
			long remainingNanos) {
		report(config, stage, instanceName, remainingNanos);
		return new DeadlineExceededException(instanceName, stage, Duration.ofNanos(Math.max(0, remainingNanos)));
	}

	static boolean enforced(DeadlineConfig config) {
		return config.mode() == DeadlineMode.ENFORCE;
	}

	/**
	 * Runs a task with a deadline current (on the thread it hopped to), or as it is
	 * without one.
	 */
	static Runnable within(@Nullable Deadline deadline, Runnable task) {
		if (deadline == null) {
			return task;
		}
		return () -> {
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				task.run();
			}
		};
	}

}
