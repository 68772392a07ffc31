package dev.resilience.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import dev.resilience.timeout.TimeoutExceededException;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether an exception counts: for a circuit breaker, whether it is recorded as a
 * failure; for a retry, whether it is retried.
 * <p>
 * An exception counts unless it is an instance of an ignored type; ignored wins over
 * included. If no included type and no predicate is given, every other exception counts;
 * otherwise it counts if it is an instance of an included type or the predicate accepts
 * it. With {@code matchCauseChain}, the types are also matched against the exception's
 * causes, so that an {@code IOException} wrapped by a client library in its own runtime
 * exception still counts (or is still ignored).
 * <p>
 * A {@link TimeoutExceededException} also counts as a
 * {@link java.util.concurrent.TimeoutException} ({@link #isInstance}): configurations
 * written for Resilience4j's time limiter or for {@code Future.get} name
 * {@code TimeoutException}, and they must see this library's timeout, not silently miss
 * it.
 * <p>
 * The type decision for each exception class is computed once and cached
 * ({@link ClassValue}), so matching costs no reflection per call. Immutable and
 * thread-safe.
 */
public final class ExceptionMatcher {

	private static final ExceptionMatcher ALL = new ExceptionMatcher(List.of(), List.of(), null, false);

	private static final byte NEUTRAL = 0;

	private static final byte INCLUDED = 1;

	private static final byte IGNORED = 2;

	private final List<Class<? extends Throwable>> included;

	private final List<Class<? extends Throwable>> ignored;

	private final @Nullable Predicate<Throwable> predicate;

	private final boolean matchCauseChain;

	private final ClassValue<Byte> decisions = new ClassValue<>() {
		@Override
		protected Byte computeValue(Class<?> type) {
			for (Class<? extends Throwable> candidate : ExceptionMatcher.this.ignored) {
				if (isInstance(candidate, type)) {
					return IGNORED;
				}
			}
			for (Class<? extends Throwable> candidate : ExceptionMatcher.this.included) {
				if (isInstance(candidate, type)) {
					return INCLUDED;
				}
			}
			return NEUTRAL;
		}
	};

	private ExceptionMatcher(List<Class<? extends Throwable>> included, List<Class<? extends Throwable>> ignored,
			@Nullable Predicate<Throwable> predicate, boolean matchCauseChain) {
		this.included = included;
		this.ignored = ignored;
		this.predicate = predicate;
		this.matchCauseChain = matchCauseChain;
	}

	/**
	 * Returns a matcher for which every exception counts.
	 * @return the matcher
	 */
	public static ExceptionMatcher all() {
		return ALL;
	}

	/**
	 * Creates a matcher.
	 * @param included the types that count (empty with no predicate: all types count)
	 * @param ignored the types that never count, whatever else says
	 * @param predicate an extra test for exceptions that count, or {@code null}
	 * @param matchCauseChain whether the types are matched against the causes too
	 * @return the matcher
	 */
	public static ExceptionMatcher of(List<Class<? extends Throwable>> included,
			List<Class<? extends Throwable>> ignored, @Nullable Predicate<Throwable> predicate,
			boolean matchCauseChain) {
		return new ExceptionMatcher(List.copyOf(included), List.copyOf(ignored), predicate, matchCauseChain);
	}

	/**
	 * Tells whether a failure of type {@code thrown} is one of type {@code declared} for
	 * matching: it is a subtype, or {@code thrown} is a {@link TimeoutExceededException}
	 * and {@code declared} is {@link java.util.concurrent.TimeoutException} (which a
	 * {@code ResilienceException} cannot extend: it is checked). Used for exception lists
	 * and for choosing fallbacks, so both see the same rule.
	 * @param declared the type named by a configuration or a fallback
	 * @param thrown the failure's type
	 * @return {@code true} if a failure of type {@code thrown} counts as {@code declared}
	 */
	public static boolean isInstance(Class<?> declared, Class<?> thrown) {
		return declared.isAssignableFrom(thrown)
				|| (declared == TimeoutException.class && TimeoutExceededException.class.isAssignableFrom(thrown));
	}

	/**
	 * Tells whether the exception counts.
	 * @param exception the exception
	 * @return {@code true} if it counts
	 */
	public boolean matches(Throwable exception) {
		Objects.requireNonNull(exception, "exception must not be null");
		if (this == ALL) {
			return true;
		}
		boolean includedType = false;
		int depth = 0;
		for (Throwable current = exception; current != null; current = current.getCause()) {
			byte decision = this.decisions.get(current.getClass());
			if (decision == IGNORED) {
				return false;
			}
			includedType |= (decision == INCLUDED);
			// The depth bound guards against cause cycles that getCause() can build.
			if (!this.matchCauseChain || ++depth > 32 || current.getCause() == current) {
				break;
			}
		}
		if (this.included.isEmpty() && this.predicate == null) {
			return true;
		}
		return includedType || (this.predicate != null && this.predicate.test(exception));
	}

	/**
	 * Returns the types that count.
	 * @return the included types
	 */
	public List<Class<? extends Throwable>> included() {
		return this.included;
	}

	/**
	 * Returns the types that never count.
	 * @return the ignored types
	 */
	public List<Class<? extends Throwable>> ignored() {
		return this.ignored;
	}

	/**
	 * Tells whether the types are matched against the exception's causes too.
	 * @return {@code true} if causes are matched
	 */
	public boolean matchCauseChain() {
		return this.matchCauseChain;
	}

	@Override
	public String toString() {
		return "ExceptionMatcher[included=" + this.included + ", ignored=" + this.ignored + ", predicate="
				+ (this.predicate != null) + ", matchCauseChain=" + this.matchCauseChain + "]";
	}

}
