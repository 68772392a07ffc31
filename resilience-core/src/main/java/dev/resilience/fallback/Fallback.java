package dev.resilience.fallback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.resilience.internal.SettingValidation;
import dev.resilience.timeout.TimeoutExceededException;
import org.jspecify.annotations.Nullable;

/**
 * A fallback: what to return instead when a call fails, chosen by the failure's type. The
 * pipeline applies it outermost, so it sees the failure that every other primitive let
 * through (including their rejections and timeouts).
 * <p>
 * Each registered type has one {@link Handler}. A failure goes to the handler of the most
 * specific registered type it is an instance of (its own class, else the closest
 * superclass that is registered); a failure that matches no registered type is rethrown
 * unchanged. A {@link TimeoutExceededException} counts as a
 * {@link java.util.concurrent.TimeoutException} right after its own class (as in
 * {@link dev.resilience.core.ExceptionMatcher#isInstance}), so a handler written for
 * {@code TimeoutException} answers for this library's timeout (it gets
 * {@link TimeoutExceededException#toTimeoutException()}, a {@code TimeoutException}
 * caused by it). The choice for each exception class is computed once and cached
 * ({@link ClassValue}), so applying a fallback costs no reflection per call.
 * <p>
 * Immutable and thread-safe; handlers must be thread-safe too.
 */
public final class Fallback {

	// Marks "no registered type matches" in the cache, which cannot hold null.
	private static final Handler NONE = (context, failure) -> {
		throw failure;
	};

	private final Map<Class<? extends Throwable>, Handler> handlers;

	private final ClassValue<Handler> choices = new ClassValue<>() {
		@Override
		protected Handler computeValue(Class<?> type) {
			for (Class<?> current = type; current != null; current = current.getSuperclass()) {
				Handler handler = Fallback.this.handlers.get(current);
				if (handler != null) {
					return handler;
				}
				if (current == TimeoutExceededException.class) {
					// Our timeout counts as a TimeoutException
					// (ExceptionMatcher.isInstance),
					// more specific than ResilienceException and its parents; the handler
					// gets the type it was registered for.
					Handler timeoutHandler = Fallback.this.handlers.get(TimeoutException.class);
					if (timeoutHandler != null) {
						return (context, failure) -> timeoutHandler.apply(context,
								((TimeoutExceededException) failure).toTimeoutException());
					}
				}
			}
			return NONE;
		}
	};

	private Fallback(Map<Class<? extends Throwable>, Handler> handlers) {
		this.handlers = handlers;
	}

	/**
	 * Returns a builder with no handler.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Creates a fallback with one handler.
	 * @param type the failures it handles (instances of this type or a subtype)
	 * @param handler what to do with them
	 * @return the fallback
	 */
	public static Fallback of(Class<? extends Throwable> type, Handler handler) {
		return builder().on(type, handler).build();
	}

	/**
	 * Tells whether a handler is registered for this failure.
	 * @param failure the failure
	 * @return {@code true} if {@link #apply} would run a handler rather than rethrow it
	 */
	public boolean handles(Throwable failure) {
		return this.choices.get(failure.getClass()) != NONE;
	}

	/**
	 * Handles a failure: runs the handler of the most specific registered type the
	 * failure is an instance of.
	 * @param context the caller's context passed through the pipeline (a Spring
	 * {@code MethodInvocation}, say), or {@code null}
	 * @param failure the failure
	 * @return what the handler returns, to be returned to the caller instead
	 * @throws Throwable {@code failure} itself if no handler is registered for it, or
	 * whatever the handler throws
	 */
	public @Nullable Object apply(@Nullable Object context, Throwable failure) throws Throwable {
		Handler handler = this.choices.get(failure.getClass());
		if (handler == NONE) {
			throw failure;
		}
		return handler.apply(context, failure);
	}

	/**
	 * Returns the registered types, in registration order.
	 * @return the handled types
	 */
	public List<Class<? extends Throwable>> types() {
		return List.copyOf(this.handlers.keySet());
	}

	@Override
	public String toString() {
		List<String> names = new ArrayList<>(this.handlers.size());
		this.handlers.keySet().forEach((type) -> names.add(type.getName()));
		return "Fallback" + names;
	}

	/**
	 * What a fallback does with a failure it handles.
	 */
	@FunctionalInterface
	public interface Handler {

		/**
		 * Handles a failure.
		 * @param context the caller's context passed through the pipeline, or
		 * {@code null}
		 * @param failure the failure
		 * @return the value to return to the caller instead
		 * @throws Throwable to fail the call with another (or the same) exception
		 */
		@Nullable Object apply(@Nullable Object context, Throwable failure) throws Throwable;

	}

	/**
	 * Builds a {@link Fallback}. Not thread-safe.
	 */
	public static final class Builder {

		private final Map<Class<? extends Throwable>, Handler> handlers = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Registers the handler of failures of {@code type} (and its subtypes, unless a
		 * more specific type is registered too).
		 * @param type the failure type
		 * @param handler what to do with such failures
		 * @return this builder
		 * @throws IllegalArgumentException if {@code type} already has a handler
		 */
		public Builder on(Class<? extends Throwable> type, Handler handler) {
			SettingValidation.notNull(type, "type");
			SettingValidation.notNull(handler, "handler");
			if (this.handlers.putIfAbsent(type, handler) != null) {
				throw new IllegalArgumentException(
						"A fallback handler for " + type.getName() + " is already registered");
			}
			return this;
		}

		/**
		 * Builds the fallback.
		 * @return the fallback
		 * @throws IllegalStateException if no handler is registered
		 */
		public Fallback build() {
			if (this.handlers.isEmpty()) {
				throw new IllegalStateException("A fallback needs at least one handler: call on(type, handler)");
			}
			return new Fallback(new LinkedHashMap<>(this.handlers));
		}

	}

}
