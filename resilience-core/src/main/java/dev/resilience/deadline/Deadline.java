package dev.resilience.deadline;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.resilience.core.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The point in time by which the current request must be answered, measured on a
 * {@link Ticker}: a request that arrived with a 300 ms budget has, 120 ms later, 180 ms
 * left, and every call it makes should be given no more.
 * <p>
 * The current deadline is held per thread ({@link #current()}); {@link #within} and
 * {@link #enter} set it for a stretch of code and put the previous one back after. A
 * nested deadline never extends the one around it: the earlier of the two applies.
 * Carrying it across thread hops (executors, Reactor, virtual threads) is the job of the
 * integration that hops (the starter registers it with Micrometer's context propagation).
 * <p>
 * Immutable and thread-safe; the per-thread current deadline is, by nature, per thread.
 * Reading the current deadline allocates nothing.
 */
public final class Deadline {

	/**
	 * The key under which integrations carry the current deadline where a thread-local
	 * cannot follow: the Reactor {@code Context} of a subscriber, and the
	 * {@code ThreadLocalAccessor} registered with Micrometer's context propagation.
	 */
	public static final String CONTEXT_KEY = "dev.resilience.deadline";

	private static final ThreadLocal<@Nullable Deadline> CURRENT = new ThreadLocal<>();

	// Whether a deadline was ever made current in this JVM. Until one is, no thread has
	// one, and current() answers from this one volatile read, without the thread-local
	// lookup: the calls of an application that uses no deadlines do not pay for the
	// pipeline's several looks at the deadline. Set (never cleared) by the thread that
	// enters the first deadline before it stores it, so that thread, and any thread a
	// deadline is carried to (which enters it too), sees it set.
	private static volatile boolean inUse;

	private final Ticker ticker;

	// The ticker reading at which the budget is used up.
	private final long endNanos;

	private Deadline(Ticker ticker, long endNanos) {
		this.ticker = ticker;
		this.endNanos = endNanos;
	}

	/**
	 * Returns a deadline a budget from now, on the system ticker.
	 * @param budget how long from now, zero or more
	 * @return the deadline
	 */
	public static Deadline after(Duration budget) {
		return after(budget, Ticker.system());
	}

	/**
	 * Returns a deadline a budget from now on the given ticker.
	 * @param budget how long from now, zero or more
	 * @param ticker the time source
	 * @return the deadline
	 * @throws IllegalArgumentException if the budget is negative
	 */
	public static Deadline after(Duration budget, Ticker ticker) {
		Objects.requireNonNull(budget, "budget must not be null");
		Objects.requireNonNull(ticker, "ticker must not be null");
		if (budget.isNegative()) {
			throw new IllegalArgumentException("budget must not be negative but was " + budget);
		}
		return new Deadline(ticker, ticker.read() + saturatedNanos(budget));
	}

	/**
	 * Returns the current thread's deadline. Until a deadline is first entered in the
	 * JVM, this is one volatile read; after, a thread-local read.
	 * @return the deadline, or {@code null} when the current request has none
	 */
	public static @Nullable Deadline current() {
		return inUse ? CURRENT.get() : null;
	}

	/**
	 * Returns what is left of the current thread's deadline.
	 * @return the time left (zero once it has passed), or empty without a deadline
	 */
	public static Optional<Duration> remaining() {
		Deadline current = CURRENT.get();
		return (current != null) ? Optional.of(Duration.ofNanos(current.remainingNanos())) : Optional.empty();
	}

	/**
	 * Runs a call under a deadline a budget from now, or under the current one if that
	 * ends earlier, and puts the previous deadline back afterwards, however the call
	 * ends.
	 * @param <T> the call's result type
	 * @param budget the call's budget, zero or more
	 * @param call the call
	 * @return what the call returned
	 * @throws Exception what the call threw
	 */
	public static <T> T within(Duration budget, Callable<T> call) throws Exception {
		Objects.requireNonNull(call, "call must not be null");
		Deadline current = CURRENT.get();
		Deadline deadline = after(budget, (current != null) ? current.ticker : Ticker.system());
		try (Scope scope = enter(deadline)) {
			return call.call();
		}
	}

	/**
	 * Makes a deadline the current thread's, or the current one if that ends earlier,
	 * until the returned scope is closed; closing it puts the previous one back. For
	 * integrations that receive a request's deadline (an inbound HTTP filter) and those
	 * that carry it to another thread.
	 * @param deadline the deadline, or {@code null} to leave the current one as it is
	 * @return the scope to close, on the same thread
	 */
	public static Scope enter(@Nullable Deadline deadline) {
		if (deadline != null && !inUse) {
			inUse = true;
		}
		Deadline previous = CURRENT.get();
		// A nested deadline never extends the one around it.
		Deadline next = (deadline == null || (previous != null && previous.endsBefore(deadline))) ? previous : deadline;
		CURRENT.set(next);
		return new Scope(previous);
	}

	/**
	 * Leaves no deadline current until the returned scope is closed, which puts the
	 * previous one back: for work started from a request that must outlive it (a
	 * background task, a call nobody waits for), which would otherwise inherit the
	 * request's deadline wherever it is handed over (task decorators, context
	 * propagation) and be cut when that passes.
	 * @return the scope to close, on the same thread
	 */
	public static Scope detach() {
		Deadline previous = CURRENT.get();
		CURRENT.remove();
		return new Scope(previous);
	}

	/**
	 * Returns the time left, zero once the deadline has passed. Reads the ticker.
	 * @return the time left in nanoseconds, zero or more
	 */
	public long remainingNanos() {
		return Math.max(0, this.endNanos - this.ticker.read());
	}

	/**
	 * Tells whether the deadline has passed. Reads the ticker.
	 * @return {@code true} when no time is left
	 */
	public boolean isExpired() {
		return this.endNanos - this.ticker.read() <= 0;
	}

	/**
	 * Tells whether something that takes this long can finish before the deadline. Reads
	 * the ticker.
	 * @param nanos how long it takes, in nanoseconds
	 * @return {@code true} if it fits in the time left
	 */
	public boolean fits(long nanos) {
		return this.endNanos - this.ticker.read() >= nanos;
	}

	/**
	 * Tells whether this deadline ends before another (on the same ticker).
	 * @param other the other deadline
	 * @return {@code true} if this one ends strictly earlier
	 */
	public boolean endsBefore(Deadline other) {
		return this.endNanos - other.endNanos < 0;
	}

	@Override
	public String toString() {
		return "Deadline[" + Duration.ofNanos(remainingNanos()) + " left]";
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			// Longer than about 292 years: as good as none, and no overflow of the end.
			return Long.MAX_VALUE / 2;
		}
	}

	/**
	 * The stretch of code under a deadline set by {@link #enter}; closing it puts the
	 * previous deadline back. Close it on the thread that entered it.
	 */
	public static final class Scope implements AutoCloseable {

		private final @Nullable Deadline previous;

		private Scope(@Nullable Deadline previous) {
			this.previous = previous;
		}

		@Override
		public void close() {
			if (this.previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(this.previous);
			}
		}

	}

}
