package dev.resilience.boot.http;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.Invoker;
import dev.resilience.core.Scheduler;
import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.deadline.DeadlineExceededException;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import dev.resilience.pipeline.Pipeline;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;

/*
 * Design.
 *
 * One policy set, compiled at startup into at most three pipelines: the outer one (rate
 * limiter, total timeout), and two inner ones (circuit breaker, attempt timeout,
 * bulkhead), one with the retry and one without, for requests that may not be repeated.
 * With breaker-per-host the inner pair is built per downstream host on first use, kept in
 * a ConcurrentHashMap bounded at MAX_HOSTS entries; past that bound, hosts share the
 * named breaker (a bound, not an eviction: evicting would forget an open breaker).
 *
 * A request's state lives in one Call (allocated per request: an HTTP exchange allocates
 * far more). Attempts of one request are sequential (the retry stage runs them one after
 * the other), so the Call needs no synchronization; the deadline's interrupt guard is the
 * only state shared with another thread (the scheduler's) and is synchronized.
 *
 * A response whose status is a failure is thrown through the stages inside a
 * FailureStatusException, so that the breaker counts it and the retry decides on it; the
 * boundary (execute) unwraps it and returns the response. A response left behind by a
 * retried attempt is closed when the next attempt starts.
 */
/**
 * One {@code resilience.http.clients.<name>} policy set, compiled: applies it to one
 * {@code RestClient} exchange (and, through {@link ReactiveHttpPolicy}, to a
 * {@code WebClient} exchange). Immutable after startup and thread-safe.
 */
final class HttpPolicySet {

	/** The most hosts that get their own breaker with {@code breaker-per-host}. */
	static final int MAX_HOSTS = 256;

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private final String name;

	private final @Nullable Pipeline outer;

	private final Pipeline retrying;

	private final Pipeline once;

	private final @Nullable Function<String, Pipeline[]> perHost;

	private final ConcurrentHashMap<String, Pipeline[]> hosts = new ConcurrentHashMap<>();

	final StatusSet failures;

	final StatusSet retries;

	private final boolean retryNonIdempotent;

	private final List<String> baseUrls;

	private final List<String> qualifiers;

	final Outbound outbound;

	final Clock clock;

	private final Invoker<Call> outerInvoker = this::runInner;

	private final Invoker<Call> attemptInvoker = this::attempt;

	HttpPolicySet(String name, @Nullable Pipeline outer, Pipeline retrying, Pipeline once,
			@Nullable Function<String, Pipeline[]> perHost, StatusSet failures, StatusSet retries,
			boolean retryNonIdempotent, List<String> baseUrls, List<String> qualifiers, Outbound outbound,
			Clock clock) {
		this.name = name;
		this.outer = outer;
		this.retrying = retrying;
		this.once = once;
		this.perHost = perHost;
		this.failures = failures;
		this.retries = retries;
		this.retryNonIdempotent = retryNonIdempotent;
		this.baseUrls = List.copyOf(baseUrls);
		this.qualifiers = List.copyOf(qualifiers);
		this.outbound = outbound;
		this.clock = clock;
	}

	String name() {
		return this.name;
	}

	List<String> qualifiers() {
		return this.qualifiers;
	}

	List<String> baseUrls() {
		return this.baseUrls;
	}

	@Nullable Pipeline outer() {
		return this.outer;
	}

	/**
	 * Tells whether a request's URL starts with one of the set's base URLs.
	 */
	boolean matches(URI uri) {
		if (this.baseUrls.isEmpty()) {
			return false;
		}
		String url = uri.toString();
		for (String base : this.baseUrls) {
			if (url.startsWith(base)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Tells whether a request may be sent more than once: an idempotent method (RFC 9110
	 * section 9.2.2), or a POST or PATCH with an {@code Idempotency-Key}, or any with
	 * {@code retry-non-idempotent}.
	 */
	boolean mayRepeat(HttpMethod method, org.springframework.http.HttpHeaders headers) {
		if (this.retryNonIdempotent || method == HttpMethod.GET || method == HttpMethod.HEAD
				|| method == HttpMethod.OPTIONS || method == HttpMethod.PUT || method == HttpMethod.DELETE) {
			return true;
		}
		return headers.containsHeader(IDEMPOTENCY_KEY);
	}

	/**
	 * Returns the inner pipeline for a request: with or without the retry, and the host's
	 * own breaker with {@code breaker-per-host}.
	 */
	Pipeline inner(URI uri, boolean mayRepeat) {
		Function<String, Pipeline[]> perHost = this.perHost;
		if (perHost == null) {
			return mayRepeat ? this.retrying : this.once;
		}
		String host = host(uri);
		Pipeline[] pair = this.hosts.get(host);
		if (pair == null) {
			if (this.hosts.size() >= MAX_HOSTS) {
				return mayRepeat ? this.retrying : this.once;
			}
			pair = this.hosts.computeIfAbsent(host, perHost);
		}
		return mayRepeat ? pair[0] : pair[1];
	}

	/** The host, with its port if the URL names one, in lower case. */
	static String host(URI uri) {
		String authority = uri.getRawAuthority();
		if (authority != null && isPlainLowerCase(authority)) {
			// The common case: the URI's own string, no allocation per request.
			return authority;
		}
		String host = (uri.getHost() != null) ? uri.getHost().toLowerCase(Locale.ROOT) : "";
		return (uri.getPort() >= 0) ? host + ":" + uri.getPort() : host;
	}

	private static boolean isPlainLowerCase(String authority) {
		for (int i = 0; i < authority.length(); i++) {
			char c = authority.charAt(i);
			if (c == '@' || (c >= 'A' && c <= 'Z')) {
				return false;
			}
		}
		return true;
	}

	int hostCount() {
		return this.hosts.size();
	}

	/**
	 * Runs one {@code RestClient} exchange through the set.
	 */
	ClientHttpResponse execute(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		Deadline deadline = this.outbound.start();
		boolean mayRepeat = mayRepeat(request.getMethod(), request.getHeaders());
		Call call = new Call(request, body, execution, inner(request.getURI(), mayRepeat), deadline,
				this.outbound.userMillis(request.getHeaders()));
		try {
			Object response = (this.outer != null) ? this.outer.execute(call, this.outerInvoker) : runInner(call);
			return (ClientHttpResponse) response;
		}
		catch (FailureStatusException ex) {
			// The last attempt's failure response: the client handles its status as it
			// would without us (a status handler, an HttpServerErrorException, ...).
			return (ClientHttpResponse) ex.response();
		}
		catch (IOException | RuntimeException | Error ex) {
			call.closeFailed();
			throw ex;
		}
		catch (Throwable ex) {
			call.closeFailed();
			throw new IOException(ex);
		}
	}

	private @Nullable Object runInner(Call call) throws Throwable {
		return call.inner.execute(call, this.attemptInvoker);
	}

	private Object attempt(Call call) throws Throwable {
		call.closeFailed();
		HttpRequest request = call.request;
		Deadline deadline = call.deadline;
		ClientHttpResponse response;
		if (deadline != null) {
			this.outbound.stamp(this.name, deadline, call.userMillis, request.getHeaders());
			response = this.outbound.bounded(this.name, deadline, () -> call.execution.execute(request, call.body));
		}
		else {
			response = call.execution.execute(request, call.body);
		}
		int status = response.getStatusCode().value();
		if (this.failures.contains(status)) {
			call.failed = response;
			boolean retryable = this.retries.contains(status);
			long retryAfter = retryable
					? RetryAfter.nanos(status, response.getHeaders().getFirst(RetryAfter.HEADER), this.clock) : 0;
			throw new FailureStatusException(response, status, retryable, retryAfter);
		}
		return response;
	}

	@Override
	public String toString() {
		return "HttpPolicySet '" + this.name + "'";
	}

	/**
	 * One request's state across its attempts.
	 */
	static final class Call {

		final HttpRequest request;

		final byte[] body;

		final ClientHttpRequestExecution execution;

		final Pipeline inner;

		final @Nullable Deadline deadline;

		final long userMillis;

		@Nullable ClientHttpResponse failed;

		Call(HttpRequest request, byte[] body, ClientHttpRequestExecution execution, Pipeline inner,
				@Nullable Deadline deadline, long userMillis) {
			this.request = request;
			this.body = body;
			this.execution = execution;
			this.inner = inner;
			this.deadline = deadline;
			this.userMillis = userMillis;
		}

		void closeFailed() {
			ClientHttpResponse failed = this.failed;
			if (failed != null) {
				this.failed = null;
				failed.close();
			}
		}

	}

	/**
	 * The outbound side of deadlines for one policy set: the header, the bound on the
	 * wait for the response, and the {@code resilience.deadline.remaining} summary.
	 */
	static final class Outbound {

		private final boolean enabled;

		private final String header;

		private final long marginNanos;

		private final DeadlineConfig deadlines;

		private final Scheduler scheduler;

		private final @Nullable DoubleConsumer remaining;

		Outbound(boolean enabled, String header, Duration margin, DeadlineConfig deadlines, Scheduler scheduler,
				@Nullable DoubleConsumer remaining) {
			this.enabled = enabled;
			this.header = header;
			this.marginNanos = margin.toNanos();
			this.deadlines = deadlines;
			this.scheduler = scheduler;
			this.remaining = remaining;
		}

		DeadlineMode mode() {
			return this.deadlines.mode();
		}

		String header() {
			return this.header;
		}

		/**
		 * Returns the current deadline when deadlines are on, and records what is left of
		 * it.
		 */
		@Nullable Deadline start() {
			return start(Deadline.current());
		}

		/**
		 * Returns the given deadline when deadlines are on, and records what is left of
		 * it.
		 */
		@Nullable Deadline start(@Nullable Deadline deadline) {
			if (!this.enabled) {
				return null;
			}
			if (deadline != null && this.remaining != null) {
				this.remaining.accept(Math.max(0, deadline.remainingNanos()) / 1e9);
			}
			return deadline;
		}

		/**
		 * Reads the budget the caller put on the request himself, if any.
		 * @return it in milliseconds, or -1 for none (or one that is no number)
		 */
		long userMillis(org.springframework.http.HttpHeaders headers) {
			return this.enabled ? parseMillis(headers.getFirst(this.header)) : -1;
		}

		static long parseMillis(@Nullable String value) {
			if (value == null || value.isEmpty() || value.length() > 18) {
				return -1;
			}
			long millis = 0;
			for (int i = 0; i < value.length(); i++) {
				char c = value.charAt(i);
				if (c < '0' || c > '9') {
					return -1;
				}
				millis = millis * 10 + (c - '0');
			}
			return millis;
		}

		/**
		 * Computes the budget one attempt sends: what is left minus the margin, in whole
		 * milliseconds, never below 0 and never above what the caller set.
		 * @throws DeadlineExceededException under ENFORCE if nothing is left
		 */
		long budgetMillis(String name, Deadline deadline, long userMillis) {
			long remaining = deadline.remainingNanos();
			long left = remaining - this.marginNanos;
			long millis;
			if (left <= 0) {
				if (this.deadlines.mode() == DeadlineMode.ENFORCE) {
					this.deadlines.listener()
						.exceeded(DeadlineStage.HTTP_CLIENT, name, DeadlineMode.ENFORCE, remaining);
					throw new DeadlineExceededException(name, DeadlineStage.HTTP_CLIENT,
							Duration.ofNanos(Math.max(0, remaining)));
				}
				this.deadlines.listener().exceeded(DeadlineStage.HTTP_CLIENT, name, DeadlineMode.OBSERVE, remaining);
				millis = 0;
			}
			else {
				millis = left / 1_000_000L;
			}
			return (userMillis >= 0 && userMillis < millis) ? userMillis : millis;
		}

		void stamp(String name, Deadline deadline, long userMillis, org.springframework.http.HttpHeaders headers) {
			headers.set(this.header, Long.toString(budgetMillis(name, deadline, userMillis)));
		}

		/**
		 * Waits for a response no longer than the deadline allows: under ENFORCE the
		 * calling thread is interrupted when the budget is gone (the JDK, Apache and
		 * Jetty clients stop waiting then) and the attempt fails with
		 * {@link DeadlineExceededException}; under OBSERVE the wait is not cut, and an
		 * answer that came too late is reported to the listener.
		 */
		<T> T bounded(String name, Deadline deadline, Exchange<T> exchange) throws IOException {
			if (this.deadlines.mode() != DeadlineMode.ENFORCE) {
				T result = exchange.run();
				if (deadline.isExpired()) {
					this.deadlines.listener()
						.exceeded(DeadlineStage.HTTP_CLIENT, name, DeadlineMode.OBSERVE, deadline.remainingNanos());
				}
				return result;
			}
			Interrupter interrupter = new Interrupter(Thread.currentThread());
			Scheduler.Cancellable task = this.scheduler.schedule(interrupter, Math.max(0, deadline.remainingNanos()));
			T result;
			try {
				result = exchange.run();
			}
			catch (IOException | RuntimeException | Error ex) {
				if (interrupter.disarm()) {
					throw cut(name, deadline, ex);
				}
				task.cancel();
				throw ex;
			}
			if (interrupter.disarm()) {
				if (result instanceof AutoCloseable closeable) {
					closeQuietly(closeable);
				}
				throw cut(name, deadline, null);
			}
			task.cancel();
			return result;
		}

		/**
		 * The failure of a reactive exchange whose answer did not come in time (under
		 * ENFORCE); the listener is told.
		 */
		DeadlineExceededException cutReactive(String name, Deadline deadline) {
			this.deadlines.listener()
				.exceeded(DeadlineStage.HTTP_CLIENT, name, DeadlineMode.ENFORCE, deadline.remainingNanos());
			return new DeadlineExceededException(name, DeadlineStage.HTTP_CLIENT, Duration.ZERO);
		}

		private DeadlineExceededException cut(String name, Deadline deadline, @Nullable Throwable cause) {
			// The interrupt was ours: it must not leak into the caller's next wait.
			Thread.interrupted();
			this.deadlines.listener()
				.exceeded(DeadlineStage.HTTP_CLIENT, name, DeadlineMode.ENFORCE, deadline.remainingNanos());
			DeadlineExceededException exceeded = new DeadlineExceededException(name, DeadlineStage.HTTP_CLIENT,
					Duration.ZERO);
			if (cause != null) {
				exceeded.addSuppressed(cause);
			}
			return exceeded;
		}

		private static void closeQuietly(AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// Nothing to do: the answer came too late and is dropped.
			}
		}

	}

	/** One exchange, run under the deadline's bound. */
	@FunctionalInterface
	interface Exchange<T> {

		T run() throws IOException;

	}

	/**
	 * Interrupts the waiting thread when the deadline passes, unless the wait ended
	 * first. Synchronized so that an interrupt is never delivered after the wait was
	 * disarmed (it would hit whatever the thread does next).
	 */
	static final class Interrupter implements Runnable {

		private final Thread thread;

		private boolean done;

		private boolean fired;

		Interrupter(Thread thread) {
			this.thread = thread;
		}

		@Override
		public synchronized void run() {
			if (!this.done) {
				this.fired = true;
				this.thread.interrupt();
			}
		}

		/**
		 * Ends the guard.
		 * @return {@code true} if the deadline fired first
		 */
		synchronized boolean disarm() {
			this.done = true;
			return this.fired;
		}

	}

	/**
	 * Creates the per-host inner pipelines from the named breaker.
	 */
	static Function<String, Pipeline[]> perHost(CircuitBreakerRegistry registry, CircuitBreaker base,
			Function<CircuitBreaker, Pipeline[]> pipelines) {
		return (host) -> pipelines.apply(registry.instance(base.name() + "@" + host, base.config()));
	}

}
