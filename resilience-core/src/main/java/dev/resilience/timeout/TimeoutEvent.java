package dev.resilience.timeout;

import dev.resilience.core.ResilienceEvent;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one call run by a {@link Timeout}. Immutable.
 */
public final class TimeoutEvent extends ResilienceEvent {

	private final Type type;

	private final @Nullable Throwable failure;

	TimeoutEvent(String instanceName, Type type, @Nullable Throwable failure) {
		super(instanceName);
		this.type = type;
		this.failure = failure;
	}

	@Override
	public String primitive() {
		return "timeout";
	}

	@Override
	public Type type() {
		return this.type;
	}

	/**
	 * Returns what the call threw: for {@link Type#FAILURE} its exception, for
	 * {@link Type#TIMEOUT} the {@link TimeoutExceededException} its caller got.
	 * @return the failure, or {@code null} for {@link Type#SUCCESS}
	 */
	public @Nullable Throwable failure() {
		return this.failure;
	}

	@Override
	public String toString() {
		return super.toString() + ((this.failure != null) ? " failure " + this.failure : "");
	}

	/**
	 * The outcomes of a call.
	 */
	public enum Type {

		/** The call finished in time and returned. */
		SUCCESS,

		/** The call finished in time and threw. */
		FAILURE,

		/** The call was cut off at the deadline. */
		TIMEOUT

	}

}
