package dev.resilience.pipeline;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.chaos.Chaos;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.core.AsyncInvoker;
import dev.resilience.internal.CancellableFuture;
import dev.resilience.internal.PerKeyInstances;
import dev.resilience.core.Invoker;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.fallback.Fallback;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.retry.Retry;
import dev.resilience.timeout.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * Any subset of the primitives composed around one call, in one order, compiled once.
 * <p>
 * <b>Order.</b> By default
 * {@code Fallback(Retry(CircuitBreaker(RateLimiter(Timeout(Bulkhead(call))))))}:
 * <ul>
 * <li>the fallback is always outermost, so it sees every failure, including
 * rejections;</li>
 * <li>the retry sees the circuit breaker's rejection (and does not retry it by
 * default);</li>
 * <li>the circuit breaker counts what the rate limiter, timeout and bulkhead let through
 * and how it ended, so a timeout counts as a failure and a rate-limit rejection does
 * not;</li>
 * <li>the timeout bounds the call and its time in the bulkhead's queue, not the rate
 * limiter's wait;</li>
 * <li>the bulkhead is innermost, so a place is held only while the call runs.</li>
 * </ul>
 * {@link Builder#order(Stage...)} changes the order of the five inner stages.
 * <p>
 * <b>Chaos.</b> A {@link Chaos} site ({@link Builder#chaos(Chaos)}) injects its rules'
 * faults innermost, around the call itself, inside the bulkhead and the timeout whatever
 * the order (it is not one of the {@link Stage}s), so that every stage sees a fault as
 * the call's own outcome: an injected exception is counted by the breaker, retried and
 * answered by the fallback; a latency counts against the timeout. Without one the
 * pipeline has no such stage at all; with one whose rules are all disabled (or none), a
 * call costs one volatile read more and allocates nothing.
 * <p>
 * <b>Synchronous and asynchronous.</b> {@link #execute} runs the call on the caller's
 * thread; {@link #executeAsync} runs a call that returns a {@link CompletionStage} with
 * the same semantics, never blocking a thread to wait (retry waits and rate-limit waits
 * are scheduled on the primitives' {@link dev.resilience.core.Scheduler}; only a
 * semaphore bulkhead with a {@code maxWaitDuration} blocks the caller while it waits for
 * a place). A failure thrown by the invoker before it returns a stage is treated as a
 * failed stage.
 * <p>
 * <b>Keys.</b> The {@link KeySelector}s of a per-key rate limiter and bulkhead are
 * evaluated once per execution, before any stage runs, and every attempt of a retry uses
 * those keys. A selector that throws is the caller's error, not an outcome of the call:
 * the execution fails at once with a {@link KeyEvaluationException} (its cause what the
 * selector threw), the call is never made, no permit is taken, no stage counts it and the
 * fallback does not answer for it.
 * <p>
 * <b>Deadlines.</b> Every stage respects the current
 * {@link dev.resilience.deadline.Deadline} (the calling thread's; an asynchronous
 * execution captures it when it starts and makes it current again on the threads it hops
 * to): a call whose budget is gone does not start; a timeout is the shorter of its own
 * and what is left; a retry does not start a wait that leaves no time for the next
 * attempt; rate-limiter and bulkhead waits end when the deadline comes. Under
 * {@link dev.resilience.deadline.DeadlineMode#ENFORCE} (the default) what does not fit
 * fails with a {@link DeadlineExceededException}; under
 * {@link dev.resilience.deadline.DeadlineMode#OBSERVE} nothing is cut and the
 * {@link DeadlineConfig}'s listener is told. Without a deadline this costs a thread-local
 * read per call (and per stage that may wait).
 * <p>
 * <b>Hot path.</b> A synchronous execution without timeout or thread-pool bulkhead
 * allocates nothing of its own: the invoker and its context are passed down, each stage
 * completes its primitive's permit, and no lambda is created per call.
 * <p>
 * Immutable and thread-safe; one pipeline serves any number of concurrent calls.
 */
public final class Pipeline {

	private static final Invoker<Callable<?>> CALLABLE = Callable::call;

	private static final AsyncInvoker<Supplier<? extends CompletionStage<?>>> SUPPLIER = Supplier::get;

	private final PipelineStage[] chain;

	private final List<Stage> order;

	private final @Nullable Fallback fallback;

	private final boolean synchronousSupported;

	private final @Nullable Retry retry;

	private final @Nullable CircuitBreaker circuitBreaker;

	private final @Nullable RateLimiter rateLimiter;

	private final int rateLimiterPermits;

	private final @Nullable KeySelector rateLimiterKeys;

	private final String rateLimiterKeysOf;

	private final @Nullable Timeout timeout;

	private final @Nullable Bulkhead bulkhead;

	private final @Nullable KeySelector bulkheadKeys;

	private final String bulkheadKeysOf;

	private final @Nullable ThreadPoolBulkhead threadPoolBulkhead;

	private final @Nullable AttemptObserver attemptObserver;

	private final @Nullable Chaos chaos;

	private final DeadlineConfig deadlines;

	private final String name;

	private Pipeline(PipelineStage[] chain, List<Stage> order, Builder builder) {
		for (int i = 0; i + 1 < chain.length; i++) {
			chain[i].inner = chain[i + 1];
		}
		this.chain = chain;
		this.order = order;
		this.fallback = builder.fallback;
		this.synchronousSupported = builder.threadPoolBulkhead == null;
		this.retry = builder.retry;
		this.circuitBreaker = builder.circuitBreaker;
		this.rateLimiter = builder.rateLimiter;
		this.rateLimiterPermits = builder.permits;
		this.rateLimiterKeys = builder.rateLimiterKeys;
		this.rateLimiterKeysOf = (builder.rateLimiter != null) ? PerKeyInstances.describe(builder.rateLimiter) : "";
		this.timeout = builder.timeout;
		this.bulkhead = builder.bulkhead;
		this.bulkheadKeys = builder.bulkheadKeys;
		this.bulkheadKeysOf = (builder.bulkhead != null) ? PerKeyInstances.describe(builder.bulkhead) : "";
		this.threadPoolBulkhead = builder.threadPoolBulkhead;
		this.attemptObserver = builder.attemptObserver;
		this.chaos = builder.chaos;
		this.deadlines = builder.deadlines;
		this.name = (builder.name != null) ? builder.name : firstInstanceName(builder);
	}

	private static String firstInstanceName(Builder builder) {
		for (Stage stage : builder.order) {
			String name = switch (stage) {
				case RETRY -> (builder.retry != null) ? builder.retry.name() : null;
				case CIRCUIT_BREAKER -> (builder.circuitBreaker != null) ? builder.circuitBreaker.name() : null;
				case RATE_LIMITER -> (builder.rateLimiter != null) ? builder.rateLimiter.name() : null;
				case TIMEOUT -> (builder.timeout != null) ? builder.timeout.name() : null;
				case BULKHEAD -> (builder.bulkhead != null) ? builder.bulkhead.name()
						: (builder.threadPoolBulkhead != null) ? builder.threadPoolBulkhead.name() : null;
			};
			if (name != null) {
				return name;
			}
		}
		return "pipeline";
	}

	/**
	 * Returns a builder.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Runs a call synchronously through the pipeline.
	 * @param <C> the context type
	 * @param context passed to the invoker (and to the fallback)
	 * @param invoker makes the call; with a retry it may be invoked more than once
	 * @return the call's (or the fallback's) result
	 * @throws Throwable the call's failure, or a primitive's exception, if no fallback
	 * handles it
	 * @throws KeyEvaluationException if a key selector throws (the fallback does not
	 * apply)
	 * @throws UnsupportedOperationException if the pipeline has a thread-pool bulkhead
	 */
	public <C> @Nullable Object execute(C context, Invoker<C> invoker) throws Throwable {
		if (!this.synchronousSupported) {
			throw new UnsupportedOperationException(
					"A thread-pool bulkhead isolates asynchronous calls only; use executeAsync");
		}
		// The keys first: a key that cannot be computed is the caller's error, which no
		// stage may count, retry or fall back from.
		Object rateLimiterKey = rateLimiterKey(context);
		Object bulkheadKey = bulkheadKey(context);
		if (this.fallback == null) {
			checkDeadline();
			return start(context, rateLimiterKey, bulkheadKey, invoker);
		}
		try {
			checkDeadline();
			return start(context, rateLimiterKey, bulkheadKey, invoker);
		}
		catch (Throwable ex) {
			return this.fallback.apply(context, ex);
		}
	}

	/**
	 * Runs an asynchronous call through the pipeline.
	 * @param <C> the context type
	 * @param context passed to the invoker (and to the fallback)
	 * @param invoker starts the call; with a retry it may be invoked more than once
	 * @return a future with the call's (or the fallback's) outcome; if the fallback
	 * returns a {@link CompletionStage}, its outcome; failed with a
	 * {@link KeyEvaluationException} if a key selector throws (the fallback does not
	 * apply)
	 */
	public <C> CompletableFuture<@Nullable Object> executeAsync(C context, AsyncInvoker<C> invoker) {
		Object rateLimiterKey;
		Object bulkheadKey;
		try {
			rateLimiterKey = rateLimiterKey(context);
			bulkheadKey = bulkheadKey(context);
		}
		catch (Throwable ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CompletableFuture<@Nullable Object> inner;
		try {
			checkDeadline();
			inner = runAsync(0, context, rateLimiterKey, bulkheadKey, invoker);
		}
		catch (DeadlineExceededException ex) {
			inner = CompletableFuture.failedFuture(ex);
		}
		Fallback fallback = this.fallback;
		// A fresh future completed with the unwrapped outcome, so that callers never see
		// the CompletionException wrappers that dependent stages add; cancelling it
		// cancels the execution stage by stage (see PipelineStage).
		CancellableFuture<@Nullable Object> result = new CancellableFuture<>();
		result.waitOn(inner);
		inner.whenComplete((value, failure) -> {
			if (failure == null || fallback == null || result.isDone()) {
				result.completeWith(value, failure);
				return;
			}
			try {
				completeWith(result, fallback.apply(context, unwrap(failure)));
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		return result;
	}

	/**
	 * Runs a {@link Callable} synchronously through the pipeline, for code that does not
	 * need a context.
	 * @param <T> the result type
	 * @param callable the call
	 * @return its (or the fallback's) result
	 * @throws Exception the call's failure, or a primitive's exception
	 */
	@SuppressWarnings("unchecked")
	public <T> T call(Callable<T> callable) throws Exception {
		try {
			return (T) execute(callable, CALLABLE);
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new UndeclaredThrowableException(ex);
		}
	}

	/**
	 * Runs an asynchronous call through the pipeline, for code that does not need a
	 * context.
	 * @param <T> the result type
	 * @param supplier starts the call
	 * @return a future with its (or the fallback's) outcome
	 */
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> supplier) {
		return (CompletableFuture<T>) (CompletableFuture<?>) executeAsync(supplier, SUPPLIER);
	}

	/**
	 * Tells whether {@link #execute} is available (it is not with a thread-pool
	 * bulkhead).
	 * @return {@code true} if synchronous execution is supported
	 */
	public boolean supportsSynchronousExecution() {
		return this.synchronousSupported;
	}

	/**
	 * Returns the stages in the order they apply, outermost first, not counting the
	 * fallback.
	 * @return the stages
	 */
	public List<Stage> stages() {
		return this.order;
	}

	// The read API: what the pipeline was built from, for integrations that apply the
	// same stages another way (the Reactor operators of resilience-reactor). Read once,
	// when such an integration compiles the pipeline, never per call.

	/**
	 * Returns the retry.
	 * @return the retry, or {@code null} if the pipeline has none
	 */
	public @Nullable Retry retry() {
		return this.retry;
	}

	/**
	 * Returns the circuit breaker.
	 * @return the circuit breaker, or {@code null} if the pipeline has none
	 */
	public @Nullable CircuitBreaker circuitBreaker() {
		return this.circuitBreaker;
	}

	/**
	 * Returns the rate limiter.
	 * @return the rate limiter, or {@code null} if the pipeline has none
	 */
	public @Nullable RateLimiter rateLimiter() {
		return this.rateLimiter;
	}

	/**
	 * Returns the permits the rate limiter takes per call.
	 * @return at least 1 (1 without a rate limiter)
	 */
	public int rateLimiterPermits() {
		return this.rateLimiterPermits;
	}

	/**
	 * Returns what picks the rate limiter's key of each call.
	 * @return the selector, or {@code null} if the rate limiter (if any) is not applied
	 * per key
	 */
	public @Nullable KeySelector rateLimiterKeys() {
		return this.rateLimiterKeys;
	}

	/**
	 * Returns the timeout.
	 * @return the timeout, or {@code null} if the pipeline has none
	 */
	public @Nullable Timeout timeout() {
		return this.timeout;
	}

	/**
	 * Returns the semaphore bulkhead.
	 * @return the bulkhead, or {@code null} if the pipeline has none
	 */
	public @Nullable Bulkhead bulkhead() {
		return this.bulkhead;
	}

	/**
	 * Returns what picks the semaphore bulkhead's key of each call.
	 * @return the selector, or {@code null} if the bulkhead (if any) is not applied per
	 * key
	 */
	public @Nullable KeySelector bulkheadKeys() {
		return this.bulkheadKeys;
	}

	/**
	 * Returns the thread-pool bulkhead.
	 * @return the bulkhead, or {@code null} if the pipeline has none
	 */
	public @Nullable ThreadPoolBulkhead threadPoolBulkhead() {
		return this.threadPoolBulkhead;
	}

	/**
	 * Returns the fallback, applied outermost.
	 * @return the fallback, or {@code null} if the pipeline has none
	 */
	public @Nullable Fallback fallback() {
		return this.fallback;
	}

	/**
	 * Returns what sees the retry's attempts.
	 * @return the observer, or {@code null} if the pipeline has none
	 */
	public @Nullable AttemptObserver attemptObserver() {
		return this.attemptObserver;
	}

	/**
	 * Returns the chaos site whose faults are injected innermost.
	 * @return the chaos, or {@code null} if the pipeline has none
	 */
	public @Nullable Chaos chaos() {
		return this.chaos;
	}

	/**
	 * Returns how the pipeline treats the current
	 * {@link dev.resilience.deadline.Deadline}.
	 * @return the deadline configuration; {@link DeadlineConfig#ofDefaults()} unless set
	 */
	public DeadlineConfig deadlines() {
		return this.deadlines;
	}

	/**
	 * Returns the name a call refused at the start reports ({@link DeadlineStage#CALL}).
	 * @return the name given to the builder, or the first stage's instance's
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The call's first check of the current deadline: a call whose budget is gone does
	 * not start (ENFORCE) or is reported (OBSERVE). One thread-local read without a
	 * deadline (one volatile read while no deadline was ever entered in the JVM).
	 */
	void checkDeadline() {
		Deadline deadline = Deadline.current();
		if (deadline != null && deadline.isExpired()) {
			DeadlineExceededException refusal = DeadlineChecks.refuse(this.deadlines, DeadlineStage.CALL, this.name, 0);
			if (refusal != null) {
				throw refusal;
			}
		}
	}

	@Nullable Object run(int index, Object context, @Nullable Object rateLimiterKey, @Nullable Object bulkheadKey,
			Invoker<Object> invoker) throws Throwable {
		if (index == this.chain.length) {
			return invoker.invoke(context);
		}
		return this.chain[index].execute(this, index + 1, context, rateLimiterKey, bulkheadKey, invoker);
	}

	@SuppressWarnings("unchecked")
	private <C> @Nullable Object start(C context, @Nullable Object rateLimiterKey, @Nullable Object bulkheadKey,
			Invoker<C> invoker) throws Throwable {
		return run(0, context, rateLimiterKey, bulkheadKey, (Invoker<Object>) invoker);
	}

	private @Nullable Object rateLimiterKey(Object context) {
		return PerKeyInstances.key(this.rateLimiterKeys, context, this.rateLimiterKeysOf);
	}

	private @Nullable Object bulkheadKey(Object context) {
		return PerKeyInstances.key(this.bulkheadKeys, context, this.bulkheadKeysOf);
	}

	@SuppressWarnings("unchecked")
	CompletableFuture<@Nullable Object> runAsync(int index, Object context, @Nullable Object rateLimiterKey,
			@Nullable Object bulkheadKey, AsyncInvoker<?> invoker) {
		if (index == this.chain.length) {
			try {
				CompletionStage<?> stage = ((AsyncInvoker<Object>) invoker).invoke(context);
				if (stage == null) {
					return CompletableFuture.failedFuture(new NullPointerException(
							"The asynchronous call returned null instead of a CompletionStage"));
				}
				return (CompletableFuture<@Nullable Object>) stage.toCompletableFuture();
			}
			catch (Throwable ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}
		try {
			return this.chain[index].executeAsync(this, index + 1, context, rateLimiterKey, bulkheadKey, invoker);
		}
		catch (Throwable ex) {
			// A primitive that rejects synchronously (open breaker, full bulkhead) fails
			// the
			// stage instead of throwing at the caller, as the synchronous path would
			// throw.
			return CompletableFuture.failedFuture(ex);
		}
	}

	static Throwable unwrap(Throwable failure) {
		return CancellableFuture.unwrap(failure);
	}

	/**
	 * Completes {@code target} with a fallback's answer: the value, or the outcome of the
	 * stage it returned (which a cancel of {@code target} then cancels).
	 */
	private static void completeWith(CancellableFuture<@Nullable Object> target, @Nullable Object value) {
		if (value instanceof CompletionStage<?> stage) {
			CompletableFuture<?> future = stage.toCompletableFuture();
			target.waitOn(future);
			future.whenComplete(target::completeWith);
		}
		else {
			target.complete(value);
		}
	}

	/**
	 * The inner stages a pipeline can hold; the fallback is always outermost.
	 */
	public enum Stage {

		/** Calls again after a failure worth retrying. */
		RETRY,

		/** Rejects calls while the dependency is failing. */
		CIRCUIT_BREAKER,

		/** Limits the rate of calls. */
		RATE_LIMITER,

		/** Bounds the call's duration. */
		TIMEOUT,

		/** Limits concurrent calls (semaphore or thread pool). */
		BULKHEAD;

		/** The default order, outermost first. */
		public static final List<Stage> DEFAULT_ORDER = List.of(RETRY, CIRCUIT_BREAKER, RATE_LIMITER, TIMEOUT,
				BULKHEAD);

	}

	/**
	 * Builds a {@link Pipeline}. Every primitive is optional; each may be given once.
	 */
	public static final class Builder {

		private @Nullable Retry retry;

		private @Nullable CircuitBreaker circuitBreaker;

		private @Nullable RateLimiter rateLimiter;

		private int permits = 1;

		private @Nullable KeySelector rateLimiterKeys;

		private @Nullable KeySelector bulkheadKeys;

		private @Nullable Timeout timeout;

		private @Nullable Bulkhead bulkhead;

		private @Nullable ThreadPoolBulkhead threadPoolBulkhead;

		private @Nullable Fallback fallback;

		private List<Stage> order = Stage.DEFAULT_ORDER;

		private @Nullable AttemptObserver attemptObserver;

		private @Nullable Chaos chaos;

		private DeadlineConfig deadlines = DeadlineConfig.ofDefaults();

		private @Nullable String name;

		private Builder() {
		}

		/**
		 * Adds a retry.
		 * @param retry the retry
		 * @return this builder
		 */
		public Builder retry(Retry retry) {
			this.retry = Objects.requireNonNull(retry, "retry must not be null");
			return this;
		}

		/**
		 * Adds a circuit breaker.
		 * @param circuitBreaker the circuit breaker
		 * @return this builder
		 */
		public Builder circuitBreaker(CircuitBreaker circuitBreaker) {
			this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker must not be null");
			return this;
		}

		/**
		 * Adds a rate limiter that takes one permit per call.
		 * @param rateLimiter the rate limiter
		 * @return this builder
		 */
		public Builder rateLimiter(RateLimiter rateLimiter) {
			return rateLimiter(rateLimiter, 1);
		}

		/**
		 * Adds a rate limiter that takes {@code permits} per call.
		 * @param rateLimiter the rate limiter
		 * @param permits permits per call, at least 1
		 * @return this builder
		 */
		public Builder rateLimiter(RateLimiter rateLimiter, int permits) {
			if (permits < 1) {
				throw new IllegalArgumentException("permits must be at least 1 but was " + permits);
			}
			this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter must not be null");
			this.permits = permits;
			return this;
		}

		/**
		 * Adds a rate limiter applied per key: each call takes {@code permits} from the
		 * bucket of the key {@code keys} picks ({@link RateLimiter#forKey(Object)}), or
		 * from the shared bucket for a {@code null} key. The key is picked once per
		 * execution, before any stage runs (see the class comment).
		 * @param rateLimiter the rate limiter
		 * @param permits permits per call, at least 1
		 * @param keys picks each call's key
		 * @return this builder
		 */
		public Builder rateLimiter(RateLimiter rateLimiter, int permits, KeySelector keys) {
			rateLimiter(rateLimiter, permits);
			this.rateLimiterKeys = Objects.requireNonNull(keys, "keys must not be null");
			return this;
		}

		/**
		 * Adds a timeout.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder timeout(Timeout timeout) {
			this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
			return this;
		}

		/**
		 * Adds a semaphore bulkhead.
		 * @param bulkhead the bulkhead
		 * @return this builder
		 */
		public Builder bulkhead(Bulkhead bulkhead) {
			this.bulkhead = Objects.requireNonNull(bulkhead, "bulkhead must not be null");
			return this;
		}

		/**
		 * Adds a semaphore bulkhead applied per key ({@link Bulkhead#forKey(Object)}), or
		 * shared for a {@code null} key. The key is picked once per execution, before any
		 * stage runs (see the class comment).
		 * @param bulkhead the bulkhead
		 * @param keys picks each call's key
		 * @return this builder
		 */
		public Builder bulkhead(Bulkhead bulkhead, KeySelector keys) {
			bulkhead(bulkhead);
			this.bulkheadKeys = Objects.requireNonNull(keys, "keys must not be null");
			return this;
		}

		/**
		 * Adds a thread-pool bulkhead; the pipeline then serves asynchronous calls only.
		 * @param bulkhead the bulkhead
		 * @return this builder
		 */
		public Builder threadPoolBulkhead(ThreadPoolBulkhead bulkhead) {
			this.threadPoolBulkhead = Objects.requireNonNull(bulkhead, "bulkhead must not be null");
			return this;
		}

		/**
		 * Sets the fallback, applied outermost.
		 * @param fallback the fallback
		 * @return this builder
		 */
		public Builder fallback(Fallback fallback) {
			this.fallback = Objects.requireNonNull(fallback, "fallback must not be null");
			return this;
		}

		/**
		 * Sets what sees each attempt of the retry (it is not called without a retry).
		 * @param observer the observer
		 * @return this builder
		 */
		public Builder attemptObserver(AttemptObserver observer) {
			this.attemptObserver = Objects.requireNonNull(observer, "observer must not be null");
			return this;
		}

		/**
		 * Adds a chaos site: its rules' faults are injected innermost, around the call
		 * itself, whatever the {@link #order(List) order} (see the class comment).
		 * Without it the pipeline has no chaos stage at all.
		 * @param chaos the chaos of this call site
		 * @return this builder
		 */
		public Builder chaos(Chaos chaos) {
			this.chaos = Objects.requireNonNull(chaos, "chaos must not be null");
			return this;
		}

		/**
		 * Sets how the pipeline treats the current
		 * {@link dev.resilience.deadline.Deadline}: whether what does not fit is cut, and
		 * whom to tell. Default {@link DeadlineConfig#ofDefaults()}: enforce, tell
		 * nobody.
		 * @param deadlines the deadline configuration
		 * @return this builder
		 */
		public Builder deadlines(DeadlineConfig deadlines) {
			this.deadlines = Objects.requireNonNull(deadlines, "deadlines must not be null");
			return this;
		}

		/**
		 * Names the pipeline, for what reports a call refused at its start because its
		 * deadline has passed ({@link DeadlineStage#CALL}). Default: the name of the
		 * outermost stage's instance.
		 * @param name the name, such as an HTTP client's
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = Objects.requireNonNull(name, "name must not be null");
			return this;
		}

		/**
		 * Sets the order of the inner stages, outermost first; every stage must be named
		 * once.
		 * @param order the order
		 * @return this builder
		 */
		public Builder order(Stage... order) {
			return order(Arrays.asList(order));
		}

		/**
		 * Sets the order of the inner stages, outermost first; every stage must be named
		 * once.
		 * @param order the order
		 * @return this builder
		 */
		public Builder order(List<Stage> order) {
			EnumSet<Stage> seen = EnumSet.noneOf(Stage.class);
			for (Stage stage : order) {
				if (!seen.add(Objects.requireNonNull(stage, "order must not contain null"))) {
					throw new IllegalArgumentException("order names " + stage + " twice: " + order);
				}
			}
			if (seen.size() != Stage.values().length) {
				throw new IllegalArgumentException(
						"order must name every stage of " + Stage.DEFAULT_ORDER + " exactly once but was " + order);
			}
			this.order = List.copyOf(order);
			return this;
		}

		/**
		 * Builds the pipeline.
		 * @return the pipeline
		 * @throws IllegalStateException if both a semaphore and a thread-pool bulkhead
		 * are given
		 */
		public Pipeline build() {
			if (this.bulkhead != null && this.threadPoolBulkhead != null) {
				throw new IllegalStateException("A pipeline takes one bulkhead: semaphore or thread pool, not both");
			}
			List<PipelineStage> chain = new ArrayList<>();
			List<Stage> present = new ArrayList<>();
			for (Stage stage : this.order) {
				PipelineStage implementation = stage(stage);
				if (implementation != null) {
					chain.add(implementation);
					present.add(implementation.stage());
				}
			}
			if (this.chaos != null) {
				// Innermost, and not one of the stages reported by stages().
				chain.add(new ChaosStage(this.chaos));
			}
			return new Pipeline(chain.toArray(new PipelineStage[0]), List.copyOf(present), this);
		}

		private @Nullable PipelineStage stage(Stage stage) {
			return switch (stage) {
				case RETRY -> (this.retry != null) ? new RetryStage(this.retry, this.attemptObserver) : null;
				case CIRCUIT_BREAKER ->
					(this.circuitBreaker != null) ? new CircuitBreakerStage(this.circuitBreaker) : null;
				case RATE_LIMITER ->
					(this.rateLimiter != null) ? new RateLimiterStage(this.rateLimiter, this.permits) : null;
				case TIMEOUT -> (this.timeout != null) ? new TimeoutStage(this.timeout) : null;
				case BULKHEAD ->
					(this.bulkhead != null) ? new BulkheadStage(this.bulkhead) : (this.threadPoolBulkhead != null)
							? new ThreadPoolBulkheadStage(this.threadPoolBulkhead) : null;
			};
		}

	}

}
