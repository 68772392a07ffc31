package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code resilience} endpoint: everything the dashboard shows, in one JSON document
 * ({@code GET /actuator/resilience[?since=S&eventsSince=E]}): every instance of every
 * registry with its state, figures and per-second history (from the
 * {@code resilience-dashboard-sampler} thread, one sample per second, the last 180 kept),
 * the annotated methods' latencies when observations are on, the latest events of all
 * instances, and the paths of the write endpoints the dashboard acts through. Read-only;
 * the changes go through the endpoints of each primitive. The document is a public
 * contract, described in {@code docs/operations.md}.
 * <p>
 * A request reads each instance's metrics once, copies the samples it asks for and at
 * most {@value RecentEvents#LATEST} events; it never creates an instance. Thread-safe.
 */
@WebEndpoint(id = "resilience")
public final class ResilienceEndpoint {

	/** The endpoints the dashboard acts through, in the order of {@code actions}. */
	static final List<String> ACTION_ENDPOINTS = List.of("circuitbreakers", "ratelimiters", "bulkheads", "timeouts");

	// The order of each primitive's sampled counters.
	static final int CIRCUIT_BREAKER_COUNTERS = 3;

	static final int RETRY_COUNTERS = 5;

	static final int PERMIT_COUNTERS = 2;

	static final int TIMEOUT_COUNTERS = 3;

	private final Clock clock;

	private final @Nullable String application;

	private final Registries registries;

	private final DashboardSampler sampler;

	private final @Nullable RecentEvents recentEvents;

	private final @Nullable MethodLatencies latencies;

	private final Supplier<@Nullable PathMappedEndpoints> endpoints;

	/**
	 * Creates the endpoint.
	 * @param clock the clock of the document's timestamp
	 * @param application the application's name ({@code spring.application.name}), or
	 * {@code null}
	 * @param registries the instances to describe
	 * @param sampler their per-second history
	 * @param recentEvents the events, or {@code null} for none
	 * @param latencies the method latencies, or {@code null} when observations are off
	 * @param endpoints the exposed web endpoints' paths, or a supplier of {@code null}
	 * outside a web application
	 */
	ResilienceEndpoint(Clock clock, @Nullable String application, Registries registries, DashboardSampler sampler,
			@Nullable RecentEvents recentEvents, @Nullable MethodLatencies latencies,
			Supplier<@Nullable PathMappedEndpoints> endpoints) {
		this.clock = clock;
		this.application = application;
		this.registries = registries;
		this.sampler = sampler;
		this.recentEvents = recentEvents;
		this.latencies = latencies;
		this.endpoints = endpoints;
	}

	/**
	 * Describes every instance of every primitive, with the samples and events newer than
	 * the ones the caller has.
	 * @param since the number of the last sample the caller has, or {@code null} for all
	 * that are kept
	 * @param eventsSince the {@code id} of the last event the caller has, or {@code null}
	 * for the latest ones
	 * @return the snapshot
	 */
	@ReadOperation
	public Snapshot snapshot(@Nullable Long since, @Nullable Long eventsSince) {
		DashboardSampler.Readout samples = this.sampler.read(since);
		Registries registries = this.registries;
		return new Snapshot(this.application, this.clock.instant().toString(),
				Duration.ofNanos(DashboardSampler.INTERVAL_NANOS).toMillis(),
				new Samples(samples.first(), samples.last()), this.latencies != null, actions(),
				describe(registries.circuitBreakers(), (breaker) -> circuitBreaker(breaker, samples)),
				describe(registries.retries(), (retry) -> retry(retry, samples)),
				describe(registries.rateLimiters(), (limiter) -> rateLimiter(limiter, samples)),
				describe(registries.bulkheads(), (bulkhead) -> bulkhead(bulkhead, samples)),
				describe(registries.threadPoolBulkheads(), (bulkhead) -> threadPoolBulkhead(bulkhead, samples)),
				describe(registries.timeouts(), (timeout) -> timeout(timeout, samples)),
				(this.latencies != null) ? this.latencies.snapshot() : List.of(), events(eventsSince));
	}

	private Map<String, String> actions() {
		Map<String, String> actions = new LinkedHashMap<>();
		PathMappedEndpoints endpoints = this.endpoints.get();
		if (endpoints == null) {
			return actions;
		}
		for (String id : ACTION_ENDPOINTS) {
			// Null unless the endpoint is exposed over the web.
			String path = endpoints.getPath(EndpointId.of(id));
			if (path != null) {
				actions.put(id, path.startsWith("/") ? path.substring(1) : path);
			}
		}
		return actions;
	}

	private List<EventSnapshot> events(@Nullable Long eventsSince) {
		if (this.recentEvents == null) {
			return List.of();
		}
		List<RecordedEvent> latest = this.recentEvents.latest((eventsSince != null) ? eventsSince : -1);
		List<EventSnapshot> events = new ArrayList<>(latest.size());
		for (RecordedEvent event : latest) {
			events.add(new EventSnapshot(event.id, event.primitive, event.name, event.type.name(),
					event.timestamp.toString(), event.details()));
		}
		return events;
	}

	private static <P, D> List<D> describe(Collection<P> instances, Function<P, D> description) {
		List<D> described = new ArrayList<>(instances.size());
		for (P instance : instances) {
			described.add(description.apply(instance));
		}
		return described;
	}

	private static CircuitBreakerSnapshot circuitBreaker(CircuitBreaker breaker, DashboardSampler.Readout samples) {
		CircuitBreaker.Metrics metrics = breaker.metrics();
		CircuitBreakerConfig config = breaker.config();
		long remaining = breaker.remainingOpenWaitNanos();
		// Rounded up: 0 only once the wait has ended.
		Long halfOpenInMillis = (remaining >= 0) ? (remaining + 999_999) / 1_000_000 : null;
		Duration slow = config.slowCallDurationThreshold();
		double[] r = samples.rates(breaker, CIRCUIT_BREAKER_COUNTERS);
		double[][] h = samples.history(breaker, CIRCUIT_BREAKER_COUNTERS);
		return new CircuitBreakerSnapshot(breaker.name(), metrics.state().name(), metrics.failureRate(),
				metrics.slowCallRate(), config.failureRateThreshold(), config.slowCallRateThreshold(),
				(slow != null) ? slow.toString() : null, config.minimumNumberOfCalls(),
				config.slidingWindowType().name(), config.slidingWindowSize(), metrics.bufferedCalls(),
				metrics.failedCalls(), metrics.slowCalls(), metrics.notPermittedCalls(), metrics.totalSuccessfulCalls(),
				metrics.totalFailedCalls(), metrics.totalIgnoredCalls(), metrics.totalNotPermittedCalls(),
				metrics.totalSlowCalls(), config.automaticTransitionFromOpenToHalfOpenEnabled(), halfOpenInMillis,
				new CircuitBreakerRates(round(r[0]), round(r[1]), round(r[2])),
				new CircuitBreakerHistory(rounded(h[0]), rounded(h[1]), rounded(h[2])));
	}

	private static RetrySnapshot retry(Retry retry, DashboardSampler.Readout samples) {
		Retry.Metrics metrics = retry.metrics();
		RetryBudget budget = (metrics.budgetTokens() >= 0)
				? new RetryBudget(round(metrics.budgetTokens()), retry.config().budgetMaxTokens()) : null;
		double[] r = samples.rates(retry, RETRY_COUNTERS);
		double[][] h = samples.history(retry, RETRY_COUNTERS);
		return new RetrySnapshot(retry.name(), retry.config().maxAttempts(), metrics.successfulCallsWithoutRetry(),
				metrics.successfulCallsWithRetry(), metrics.failedCallsWithoutRetry(), metrics.failedCallsWithRetry(),
				budget, new RetryRates(round(r[0]), round(r[1]), round(r[2]), round(r[3]), round(r[4])),
				new RetryHistory(rounded(h[0]), rounded(h[1]), rounded(h[2]), rounded(h[3]), rounded(h[4])));
	}

	private static RateLimiterSnapshot rateLimiter(RateLimiter limiter, DashboardSampler.Readout samples) {
		RateLimiter.Metrics metrics = limiter.metrics();
		RateLimiterConfig config = limiter.config();
		return new RateLimiterSnapshot(limiter.name(), metrics.availablePermissions(), config.limitForPeriod(),
				config.limitRefreshPeriod().toString(), config.effectiveBurstCapacity(),
				config.timeoutDuration().toString(), metrics.liveKeys() > 0, metrics.liveKeys(), config.maxKeys(),
				BackendStates.backend(limiter), BackendStates.backendAvailable(limiter),
				BackendStates.onBackendFailure(limiter), metrics.totalPermittedCalls(), metrics.totalRejectedCalls(),
				permitRates(limiter, samples), permitHistory(limiter, samples));
	}

	private static BulkheadSnapshot bulkhead(Bulkhead bulkhead, DashboardSampler.Readout samples) {
		Bulkhead.Metrics metrics = bulkhead.metrics();
		return new BulkheadSnapshot(bulkhead.name(), BulkheadsEndpoint.SEMAPHORE, metrics.maxConcurrentCalls(),
				BulkheadsEndpoint.limitAlgorithm(bulkhead.config()), metrics.activeCalls(),
				metrics.availableConcurrentCalls(), bulkhead.config().maxWaitDuration().toString(),
				metrics.liveKeys() > 0, metrics.liveKeys(), metrics.totalPermittedCalls(), metrics.totalRejectedCalls(),
				permitRates(bulkhead, samples), permitHistory(bulkhead, samples));
	}

	private static ThreadPoolBulkheadSnapshot threadPoolBulkhead(ThreadPoolBulkhead bulkhead,
			DashboardSampler.Readout samples) {
		ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
		return new ThreadPoolBulkheadSnapshot(bulkhead.name(), BulkheadsEndpoint.THREAD_POOL,
				metrics.coreThreadPoolSize(), metrics.threadPoolSize(), metrics.maxThreadPoolSize(),
				metrics.activeThreads(), metrics.queueDepth(), metrics.queueCapacity(), metrics.totalPermittedCalls(),
				metrics.totalRejectedCalls(), permitRates(bulkhead, samples), permitHistory(bulkhead, samples));
	}

	private static TimeoutSnapshot timeout(Timeout timeout, DashboardSampler.Readout samples) {
		Timeout.Metrics metrics = timeout.metrics();
		double[] r = samples.rates(timeout, TIMEOUT_COUNTERS);
		double[][] h = samples.history(timeout, TIMEOUT_COUNTERS);
		return new TimeoutSnapshot(timeout.name(), timeout.config().timeoutDuration().toString(),
				metrics.totalSuccessfulCalls(), metrics.totalFailedCalls(), metrics.totalTimedOutCalls(),
				new TimeoutRates(round(r[0]), round(r[1]), round(r[2])),
				new TimeoutHistory(rounded(h[0]), rounded(h[1]), rounded(h[2])));
	}

	private static PermitRates permitRates(Object instance, DashboardSampler.Readout samples) {
		double[] r = samples.rates(instance, PERMIT_COUNTERS);
		return new PermitRates(round(r[0]), round(r[1]));
	}

	private static PermitHistory permitHistory(Object instance, DashboardSampler.Readout samples) {
		double[][] h = samples.history(instance, PERMIT_COUNTERS);
		return new PermitHistory(rounded(h[0]), rounded(h[1]));
	}

	/**
	 * Returns what the sampler reads of every registry, in the counter order the
	 * document's {@code rates} and {@code history} use.
	 * @param registries the registries
	 * @param recentEvents the events that count the retries' attempts, or {@code null}
	 * @return the sources
	 */
	static List<DashboardSampler.Source<?>> samplerSources(Registries registries, @Nullable RecentEvents recentEvents) {
		List<DashboardSampler.Source<?>> sources = new ArrayList<>();
		sources.add(new DashboardSampler.Source<CircuitBreaker>(registries::circuitBreakers, CIRCUIT_BREAKER_COUNTERS,
				(breaker, values) -> {
					CircuitBreaker.Metrics metrics = breaker.metrics();
					values[0] = metrics.totalSuccessfulCalls();
					values[1] = metrics.totalFailedCalls();
					values[2] = metrics.totalNotPermittedCalls();
				}));
		sources.add(new DashboardSampler.Source<Retry>(registries::retries, RETRY_COUNTERS, (retry, values) -> {
			Retry.Metrics metrics = retry.metrics();
			values[0] = metrics.successfulCallsWithoutRetry();
			values[1] = metrics.successfulCallsWithRetry();
			values[2] = metrics.failedCallsWithoutRetry();
			values[3] = metrics.failedCallsWithRetry();
			values[4] = (recentEvents != null) ? Math.max(0, recentEvents.retryAttempts(retry)) : 0;
		}));
		sources.add(new DashboardSampler.Source<RateLimiter>(registries::rateLimiters, PERMIT_COUNTERS,
				(limiter, values) -> {
					RateLimiter.Metrics metrics = limiter.metrics();
					values[0] = metrics.totalPermittedCalls();
					values[1] = metrics.totalRejectedCalls();
				}));
		sources
			.add(new DashboardSampler.Source<Bulkhead>(registries::bulkheads, PERMIT_COUNTERS, (bulkhead, values) -> {
				Bulkhead.Metrics metrics = bulkhead.metrics();
				values[0] = metrics.totalPermittedCalls();
				values[1] = metrics.totalRejectedCalls();
			}));
		sources.add(new DashboardSampler.Source<ThreadPoolBulkhead>(registries::threadPoolBulkheads, PERMIT_COUNTERS,
				(bulkhead, values) -> {
					ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
					values[0] = metrics.totalPermittedCalls();
					values[1] = metrics.totalRejectedCalls();
				}));
		sources.add(new DashboardSampler.Source<Timeout>(registries::timeouts, TIMEOUT_COUNTERS, (timeout, values) -> {
			Timeout.Metrics metrics = timeout.metrics();
			values[0] = metrics.totalSuccessfulCalls();
			values[1] = metrics.totalFailedCalls();
			values[2] = metrics.totalTimedOutCalls();
		}));
		return sources;
	}

	/** Rounds to three decimals, for rates and milliseconds. */
	static double round(double value) {
		return Math.round(value * 1000.0) / 1000.0;
	}

	private static double[] rounded(double[] values) {
		for (int i = 0; i < values.length; i++) {
			values[i] = round(values[i]);
		}
		return values;
	}

	/**
	 * The registries the endpoint and its sampler read; any may be absent.
	 *
	 * @param circuitBreakerRegistry the circuit breakers, or {@code null}
	 * @param retryRegistry the retries, or {@code null}
	 * @param rateLimiterRegistry the rate limiters, or {@code null}
	 * @param bulkheadRegistry the semaphore bulkheads, or {@code null}
	 * @param threadPoolBulkheadRegistry the thread-pool bulkheads, or {@code null}
	 * @param timeoutRegistry the timeouts, or {@code null}
	 */
	record Registries(@Nullable CircuitBreakerRegistry circuitBreakerRegistry, @Nullable RetryRegistry retryRegistry,
			@Nullable RateLimiterRegistry rateLimiterRegistry, @Nullable BulkheadRegistry bulkheadRegistry,
			@Nullable ThreadPoolBulkheadRegistry threadPoolBulkheadRegistry,
			@Nullable TimeoutRegistry timeoutRegistry) {

		// Every registry's all() is ordered by name.
		Collection<CircuitBreaker> circuitBreakers() {
			return (this.circuitBreakerRegistry != null) ? this.circuitBreakerRegistry.all() : List.of();
		}

		Collection<Retry> retries() {
			return (this.retryRegistry != null) ? this.retryRegistry.all() : List.of();
		}

		Collection<RateLimiter> rateLimiters() {
			return (this.rateLimiterRegistry != null) ? this.rateLimiterRegistry.all() : List.of();
		}

		Collection<Bulkhead> bulkheads() {
			return (this.bulkheadRegistry != null) ? this.bulkheadRegistry.all() : List.of();
		}

		Collection<ThreadPoolBulkhead> threadPoolBulkheads() {
			return (this.threadPoolBulkheadRegistry != null) ? this.threadPoolBulkheadRegistry.all() : List.of();
		}

		Collection<Timeout> timeouts() {
			return (this.timeoutRegistry != null) ? this.timeoutRegistry.all() : List.of();
		}

	}

	/**
	 * The document (see {@code docs/operations.md}).
	 *
	 * @param application the application's name ({@code spring.application.name}), or
	 * {@code null}
	 * @param timestamp when the snapshot was taken, ISO-8601 in UTC
	 * @param sampleIntervalMillis the interval between samples, in milliseconds (1000)
	 * @param samples which samples the {@code history} arrays cover
	 * @param observations whether the methods' latencies are recorded
	 * @param actions the paths of the write endpoints the dashboard acts through, by
	 * endpoint id, relative to the server's root (no leading {@code /}); only the exposed
	 * ones among {@code circuitbreakers}, {@code ratelimiters}, {@code bulkheads},
	 * {@code timeouts}
	 * @param circuitBreakers the circuit breakers, by name
	 * @param retries the retries, by name
	 * @param rateLimiters the rate limiters, by name
	 * @param bulkheads the semaphore bulkheads, by name
	 * @param threadPoolBulkheads the thread-pool bulkheads, by name
	 * @param timeouts the timeouts, by name
	 * @param methods the annotated methods' latencies, by method; empty when observations
	 * are off
	 * @param events the latest events of all instances, at most
	 * {@value RecentEvents#LATEST}, oldest first
	 */
	public record Snapshot(@Nullable String application, String timestamp, long sampleIntervalMillis, Samples samples,
			boolean observations, Map<String, String> actions, List<CircuitBreakerSnapshot> circuitBreakers,
			List<RetrySnapshot> retries, List<RateLimiterSnapshot> rateLimiters, List<BulkheadSnapshot> bulkheads,
			List<ThreadPoolBulkheadSnapshot> threadPoolBulkheads, List<TimeoutSnapshot> timeouts,
			List<MethodSnapshot> methods, List<EventSnapshot> events) {
	}

	/**
	 * The samples that every {@code history} array covers, inclusive: {@code first} to
	 * {@code last}, so each array has {@code last - first + 1} entries (none when
	 * {@code first > last}). Samples are numbered from 1, one per second.
	 *
	 * @param first the first sample given: the one after {@code since}, or the oldest
	 * kept if {@code since} is older or not given
	 * @param last the latest sample taken ({@code 0}: none yet)
	 */
	public record Samples(long first, long last) {
	}

	/**
	 * One circuit breaker.
	 *
	 * @param name the name
	 * @param state {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN}
	 * or {@code DISABLED}
	 * @param failureRate the window's failure rate in percent, {@code -1} below
	 * {@code minimumNumberOfCalls}
	 * @param slowCallRate the window's slow-call rate in percent, {@code -1} below
	 * {@code minimumNumberOfCalls}
	 * @param failureRateThreshold the failure rate that opens it, in percent
	 * @param slowCallRateThreshold the slow-call rate that opens it, in percent
	 * @param slowCallDurationThreshold the duration above which a call is slow
	 * (ISO-8601), or {@code null} when slow calls are not tracked
	 * @param minimumNumberOfCalls the calls the window needs before a rate counts
	 * @param slidingWindowType {@code COUNT_BASED} or {@code TIME_BASED}
	 * @param slidingWindowSize the window's size, in calls or seconds
	 * @param bufferedCalls the calls in the current state's window
	 * @param failedCalls the failed calls in the window
	 * @param slowCalls the slow calls in the window
	 * @param notPermittedCalls the calls rejected since the state was entered
	 * @param totalSuccessfulCalls successful calls since creation or reset
	 * @param totalFailedCalls failed calls since creation or reset
	 * @param totalIgnoredCalls calls whose exception was ignored, since creation or reset
	 * @param totalNotPermittedCalls rejected calls since creation or reset
	 * @param totalSlowCalls slow calls since creation or reset
	 * @param automaticTransitionFromOpenToHalfOpen whether the scheduler moves it to
	 * {@code HALF_OPEN} when the open wait ends
	 * @param halfOpenInMillis in {@code OPEN}, the milliseconds until the open wait ends
	 * (rounded up; {@code 0}: ended, the next call or the scheduler moves it to
	 * {@code HALF_OPEN}); {@code null} in any other state
	 * @param rates calls per second by outcome over the latest sample interval
	 * @param history the same per sample, {@code samples.first} to {@code samples.last}
	 */
	public record CircuitBreakerSnapshot(String name, String state, float failureRate, float slowCallRate,
			float failureRateThreshold, float slowCallRateThreshold, @Nullable String slowCallDurationThreshold,
			int minimumNumberOfCalls, String slidingWindowType, int slidingWindowSize, int bufferedCalls,
			int failedCalls, int slowCalls, long notPermittedCalls, long totalSuccessfulCalls, long totalFailedCalls,
			long totalIgnoredCalls, long totalNotPermittedCalls, long totalSlowCalls,
			boolean automaticTransitionFromOpenToHalfOpen, @Nullable Long halfOpenInMillis, CircuitBreakerRates rates,
			CircuitBreakerHistory history) {
	}

	/**
	 * A circuit breaker's calls per second over the latest sample interval.
	 *
	 * @param successful successful calls per second
	 * @param failed failed calls per second
	 * @param notPermitted rejected calls per second
	 */
	public record CircuitBreakerRates(double successful, double failed, double notPermitted) {
	}

	/**
	 * A circuit breaker's calls per second, one entry per sample.
	 *
	 * @param successful successful calls per second
	 * @param failed failed calls per second
	 * @param notPermitted rejected calls per second
	 */
	public record CircuitBreakerHistory(double[] successful, double[] failed, double[] notPermitted) {
	}

	/**
	 * One retry.
	 *
	 * @param name the name
	 * @param maxAttempts the most attempts of one call, the first included
	 * @param successfulCallsWithoutRetry calls that succeeded at the first attempt
	 * @param successfulCallsWithRetry calls that succeeded after at least one retry
	 * @param failedCallsWithoutRetry calls that failed without a retry
	 * @param failedCallsWithRetry calls that failed after at least one retry
	 * @param budget the retry budget, or {@code null} without one
	 * @param rates the same counts per second, and retry attempts per second, over the
	 * latest sample interval
	 * @param history the same per sample
	 */
	public record RetrySnapshot(String name, int maxAttempts, long successfulCallsWithoutRetry,
			long successfulCallsWithRetry, long failedCallsWithoutRetry, long failedCallsWithRetry,
			@Nullable RetryBudget budget, RetryRates rates, RetryHistory history) {
	}

	/**
	 * A retry budget's level.
	 *
	 * @param tokens the tokens now (a retry takes one)
	 * @param maxTokens the tokens of a full budget
	 */
	public record RetryBudget(double tokens, double maxTokens) {
	}

	/**
	 * A retry's calls per second by outcome, and its retry attempts per second.
	 *
	 * @param successfulWithoutRetry per second
	 * @param successfulWithRetry per second
	 * @param failedWithoutRetry per second
	 * @param failedWithRetry per second
	 * @param retries retry attempts ({@code RETRY} events) per second
	 */
	public record RetryRates(double successfulWithoutRetry, double successfulWithRetry, double failedWithoutRetry,
			double failedWithRetry, double retries) {
	}

	/**
	 * A retry's rates, one entry per sample.
	 *
	 * @param successfulWithoutRetry per second
	 * @param successfulWithRetry per second
	 * @param failedWithoutRetry per second
	 * @param failedWithRetry per second
	 * @param retries retry attempts per second
	 */
	public record RetryHistory(double[] successfulWithoutRetry, double[] successfulWithRetry,
			double[] failedWithoutRetry, double[] failedWithRetry, double[] retries) {
	}

	/**
	 * One rate limiter.
	 *
	 * @param name the name
	 * @param availablePermissions permits available now (negative when reserved ahead)
	 * @param limitForPeriod permits per refresh period
	 * @param limitRefreshPeriod the refresh period (ISO-8601)
	 * @param burstCapacity the bucket size in force ({@code limitForPeriod} unless set)
	 * @param timeoutDuration how long a caller may wait for permits (ISO-8601)
	 * @param keyed whether keys have buckets of their own now ({@code liveKeys > 0})
	 * @param liveKeys keys with a bucket of their own that has not refilled
	 * @param maxKeys the most live keys at once
	 * @param backend {@code local} or {@code redis}
	 * @param backendAvailable for {@code redis}, whether Redis answered the last
	 * decision; {@code null} for {@code local}
	 * @param onBackendFailure for {@code redis}, {@code allow} or {@code deny}; else
	 * {@code null}
	 * @param totalPermittedCalls calls permitted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 * @param rates calls per second over the latest sample interval
	 * @param history the same per sample
	 */
	public record RateLimiterSnapshot(String name, long availablePermissions, int limitForPeriod,
			String limitRefreshPeriod, int burstCapacity, String timeoutDuration, boolean keyed, long liveKeys,
			int maxKeys, String backend, @Nullable Boolean backendAvailable, @Nullable String onBackendFailure,
			long totalPermittedCalls, long totalRejectedCalls, PermitRates rates, PermitHistory history) {
	}

	/**
	 * One semaphore bulkhead.
	 *
	 * @param name the name
	 * @param type {@code semaphore}
	 * @param maxConcurrentCalls the limit now (an adaptive limit's current value)
	 * @param limitAlgorithm {@code fixed}, {@code aimd}, {@code gradient2} or
	 * {@code vegas}
	 * @param activeCalls calls in flight now
	 * @param availableConcurrentCalls places free now
	 * @param maxWaitDuration how long a caller may wait for a place (ISO-8601)
	 * @param keyed whether keys have bulkheads of their own now ({@code liveKeys > 0})
	 * @param liveKeys keys with a bulkhead of their own now
	 * @param totalPermittedCalls calls permitted since creation or reset
	 * @param totalRejectedCalls calls rejected since creation or reset
	 * @param rates calls per second over the latest sample interval
	 * @param history the same per sample
	 */
	public record BulkheadSnapshot(String name, String type, int maxConcurrentCalls, String limitAlgorithm,
			int activeCalls, int availableConcurrentCalls, String maxWaitDuration, boolean keyed, long liveKeys,
			long totalPermittedCalls, long totalRejectedCalls, PermitRates rates, PermitHistory history) {
	}

	/**
	 * One thread-pool bulkhead.
	 *
	 * @param name the name
	 * @param type {@code thread-pool}
	 * @param coreThreadPoolSize the configured core size
	 * @param threadPoolSize the threads now
	 * @param maxThreadPoolSize the configured maximum size
	 * @param activeThreads threads running a call now (approximate)
	 * @param queueDepth calls waiting for a thread
	 * @param queueCapacity the configured queue capacity
	 * @param totalPermittedCalls calls accepted since creation or reset
	 * @param totalRejectedCalls calls rejected since creation or reset
	 * @param rates calls per second over the latest sample interval
	 * @param history the same per sample
	 */
	public record ThreadPoolBulkheadSnapshot(String name, String type, int coreThreadPoolSize, int threadPoolSize,
			int maxThreadPoolSize, int activeThreads, int queueDepth, int queueCapacity, long totalPermittedCalls,
			long totalRejectedCalls, PermitRates rates, PermitHistory history) {
	}

	/**
	 * Permitted and rejected calls per second over the latest sample interval.
	 *
	 * @param permitted per second
	 * @param rejected per second
	 */
	public record PermitRates(double permitted, double rejected) {
	}

	/**
	 * Permitted and rejected calls per second, one entry per sample.
	 *
	 * @param permitted per second
	 * @param rejected per second
	 */
	public record PermitHistory(double[] permitted, double[] rejected) {
	}

	/**
	 * One timeout.
	 *
	 * @param name the name
	 * @param timeoutDuration the time limit (ISO-8601)
	 * @param totalSuccessfulCalls calls that completed in time, since creation or reset
	 * @param totalFailedCalls calls that failed in time, since creation or reset
	 * @param totalTimedOutCalls calls that timed out, since creation or reset
	 * @param rates calls per second over the latest sample interval
	 * @param history the same per sample
	 */
	public record TimeoutSnapshot(String name, String timeoutDuration, long totalSuccessfulCalls, long totalFailedCalls,
			long totalTimedOutCalls, TimeoutRates rates, TimeoutHistory history) {
	}

	/**
	 * A timeout's calls per second by outcome over the latest sample interval.
	 *
	 * @param successful per second
	 * @param failed per second
	 * @param timedOut per second
	 */
	public record TimeoutRates(double successful, double failed, double timedOut) {
	}

	/**
	 * A timeout's calls per second by outcome, one entry per sample.
	 *
	 * @param successful per second
	 * @param failed per second
	 * @param timedOut per second
	 */
	public record TimeoutHistory(double[] successful, double[] failed, double[] timedOut) {
	}

	/**
	 * One annotated method's latencies over the last minute.
	 *
	 * @param method the method ({@code resilience.method}:
	 * {@code SimpleClassName.method})
	 * @param windowSeconds the window's length in seconds (60; it covers the last 50 to
	 * 60 seconds, in slices of 10)
	 * @param count the calls that ended in the window
	 * @param outcomes the same calls by outcome
	 * @param p50 the median duration in milliseconds (within 6.25 %), {@code null} if
	 * {@code count} is 0
	 * @param p95 the 95th percentile in milliseconds, {@code null} if {@code count} is 0
	 * @param p99 the 99th percentile in milliseconds, {@code null} if {@code count} is 0
	 * @param max the longest call in milliseconds, {@code null} if {@code count} is 0
	 */
	public record MethodSnapshot(String method, int windowSeconds, long count, Outcomes outcomes, @Nullable Double p50,
			@Nullable Double p95, @Nullable Double p99, @Nullable Double max) {
	}

	/**
	 * Calls by outcome ({@code resilience.outcome}).
	 *
	 * @param success calls that returned
	 * @param failure calls that failed
	 * @param rejected calls that a stage rejected
	 * @param fallback calls the fallback answered
	 */
	public record Outcomes(long success, long failure, long rejected, long fallback) {
	}

	/**
	 * One event.
	 *
	 * @param id its position among the events of all instances, increasing
	 * @param primitive {@code circuitbreaker}, {@code retry}, {@code ratelimiter},
	 * {@code bulkhead} or {@code timeout}
	 * @param name the instance's name
	 * @param type the event's type
	 * @param timestamp when it was received, ISO-8601 in UTC
	 * @param details what the event says beyond these, as {@code resilienceevents} gives
	 * it
	 */
	public record EventSnapshot(long id, String primitive, String name, String type, String timestamp,
			Map<String, Object> details) {
	}

}
