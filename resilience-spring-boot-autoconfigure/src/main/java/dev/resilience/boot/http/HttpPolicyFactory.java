package dev.resilience.boot.http;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.autoconfigure.ResilienceProperties.HttpClientSettings;
import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.ExceptionMatcher;
import dev.resilience.core.InvalidSettingException;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.Scheduler;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.pipeline.AttemptObserver;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.pipeline.Pipeline.Stage;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Compiles the {@code resilience.http.clients.*} policy sets at startup, failing on the
 * first setting that cannot work, named with its property and value.
 */
final class HttpPolicyFactory {

	static final String PREFIX = "resilience.http.clients.";

	static final String STANDARD = "standard";

	/** The standard preset's total timeout: every attempt and wait included. */
	static final Duration STANDARD_TOTAL_TIMEOUT = Duration.ofSeconds(30);

	/** The standard preset's attempt timeout. */
	static final Duration STANDARD_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * The standard preset's retry: 3 attempts, 500 ms doubling, +-50 % jitter, waits
	 * capped at 10 s (so a {@code Retry-After} above 10 s ends the retry).
	 */
	static final RetryConfig STANDARD_RETRY = RetryConfig.builder()
		.maxAttempts(3)
		.waitDuration(Duration.ofMillis(500))
		.exponentialBackoffMultiplier(2.0)
		.randomizedWaitFactor(0.5)
		.exponentialMaxWaitDuration(Duration.ofSeconds(10))
		.build();

	private final CircuitBreakerRegistry circuitBreakers;

	private final RetryRegistry retries;

	private final RateLimiterRegistry rateLimiters;

	private final BulkheadRegistry bulkheads;

	private final TimeoutRegistry timeouts;

	private final DeadlineConfig deadlines;

	private final ResilienceProperties.Deadlines deadlineProperties;

	private final Scheduler scheduler;

	private final Function<String, @Nullable DoubleConsumer> meters;

	private final Clock clock;

	private final Function<String, @Nullable AttemptObserver> observers;

	HttpPolicyFactory(CircuitBreakerRegistry circuitBreakers, RetryRegistry retries, RateLimiterRegistry rateLimiters,
			BulkheadRegistry bulkheads, TimeoutRegistry timeouts, DeadlineConfig deadlines,
			ResilienceProperties.Deadlines deadlineProperties, Scheduler scheduler,
			Function<String, @Nullable DoubleConsumer> meters, Clock clock,
			Function<String, @Nullable AttemptObserver> observers) {
		this.circuitBreakers = circuitBreakers;
		this.retries = retries;
		this.rateLimiters = rateLimiters;
		this.bulkheads = bulkheads;
		this.timeouts = timeouts;
		this.deadlines = deadlines;
		this.deadlineProperties = deadlineProperties;
		this.scheduler = scheduler;
		this.meters = meters;
		this.clock = clock;
		this.observers = observers;
	}

	Map<String, HttpPolicySet> compile(Map<String, HttpClientSettings> clients) {
		Map<String, HttpPolicySet> sets = new TreeMap<>();
		for (Map.Entry<String, HttpClientSettings> entry : new TreeMap<>(clients).entrySet()) {
			sets.put(entry.getKey(), compile(entry.getKey(), entry.getValue()));
		}
		return sets;
	}

	HttpPolicySet compile(String name, HttpClientSettings settings) {
		String prefix = PREFIX + name + ".";
		boolean standard = preset(settings.preset(), prefix + "preset");
		RetryConfig retryBase = (settings.retry() != null)
				? find(this.retries, settings.retry(), prefix + "retry", "resilience.retry").config()
				: (standard ? STANDARD_RETRY : null);
		CircuitBreaker breaker = (settings.circuitBreaker() != null)
				? find(this.circuitBreakers, settings.circuitBreaker(), prefix + "circuit-breaker",
						"resilience.circuitbreaker")
				: (standard ? this.circuitBreakers.instance("http." + name) : null);
		if (breaker != null) {
			checkCountsFailureStatuses(breaker, settings.circuitBreaker(), prefix + "circuit-breaker");
		}
		RateLimiter rateLimiter = (settings.rateLimiter() != null)
				? find(this.rateLimiters, settings.rateLimiter(), prefix + "rate-limiter", "resilience.ratelimiter")
				: null;
		Bulkhead bulkhead = (settings.bulkhead() != null)
				? find(this.bulkheads, settings.bulkhead(), prefix + "bulkhead", "resilience.bulkhead") : null;
		Duration attempt = (settings.attemptTimeout() != null) ? settings.attemptTimeout()
				: (standard ? STANDARD_ATTEMPT_TIMEOUT : null);
		Duration total = (settings.totalTimeout() != null) ? settings.totalTimeout()
				: (standard ? STANDARD_TOTAL_TIMEOUT : null);
		Timeout attemptTimeout = (attempt != null)
				? timeout("http." + name + ".attempt", attempt, prefix + "attempt-timeout") : null;
		Timeout totalTimeout = (total != null) ? timeout("http." + name + ".total", total, prefix + "total-timeout")
				: null;
		StatusSet failures = (settings.failureStatuses() != null)
				? StatusSet.parse(settings.failureStatuses(), prefix + "failure-statuses") : StatusSet.DEFAULT_FAILURES;
		StatusSet retryStatuses = (settings.retryStatuses() != null)
				? StatusSet.parse(settings.retryStatuses(), prefix + "retry-statuses") : failures;
		boolean perHost = Boolean.TRUE.equals(settings.breakerPerHost());
		if (perHost && breaker == null) {
			throw new ResilienceConfigurationException(prefix + "breaker-per-host",
					"'true' needs a circuit breaker, and the set has none",
					"Name one in " + prefix + "circuit-breaker, or use preset: standard.");
		}
		List<String> baseUrls = baseUrls(settings.baseUrls(), prefix + "base-urls");
		Retry retry = (retryBase != null) ? this.retries.replaceConfig("http." + name, httpRetry(retryBase)) : null;
		AttemptObserver observer = (retry != null) ? this.observers.apply(name) : null;
		Function<CircuitBreaker, Pipeline[]> inner = (cb) -> new Pipeline[] {
				inner(retry, cb, attemptTimeout, bulkhead, observer), inner(null, cb, attemptTimeout, bulkhead, null) };
		Pipeline[] shared = inner.apply(breaker);
		Pipeline outer = null;
		if (rateLimiter != null || totalTimeout != null) {
			Pipeline.Builder builder = Pipeline.builder()
				.order(Stage.RATE_LIMITER, Stage.TIMEOUT, Stage.RETRY, Stage.CIRCUIT_BREAKER, Stage.BULKHEAD)
				.deadlines(this.deadlines);
			if (rateLimiter != null) {
				builder.rateLimiter(rateLimiter);
			}
			if (totalTimeout != null) {
				builder.timeout(totalTimeout);
			}
			outer = builder.build();
		}
		DoubleConsumer remaining = this.meters.apply(name);
		HttpPolicySet.Outbound outbound = new HttpPolicySet.Outbound(this.deadlineProperties.enabled(),
				this.deadlineProperties.outboundHeader(), this.deadlineProperties.outboundMargin(), this.deadlines,
				this.scheduler, remaining);
		return new HttpPolicySet(name, outer, shared[0], shared[1],
				perHost ? HttpPolicySet.perHost(this.circuitBreakers, breaker, inner) : null, failures, retryStatuses,
				Boolean.TRUE.equals(settings.retryNonIdempotent()), baseUrls,
				(settings.qualifiers() != null) ? settings.qualifiers() : List.of(), outbound, this.clock);
	}

	private Pipeline inner(@Nullable Retry retry, @Nullable CircuitBreaker breaker, @Nullable Timeout timeout,
			@Nullable Bulkhead bulkhead, @Nullable AttemptObserver observer) {
		// Retry outside the breaker (it sees an open breaker's rejection and stops), the
		// attempt timeout inside it (a slow attempt counts as a failure), the bulkhead
		// innermost (a place is held only while the exchange runs).
		Pipeline.Builder builder = Pipeline.builder()
			.order(Stage.RETRY, Stage.CIRCUIT_BREAKER, Stage.TIMEOUT, Stage.BULKHEAD, Stage.RATE_LIMITER)
			.deadlines(this.deadlines);
		if (retry != null) {
			builder.retry(retry);
			if (observer != null) {
				builder.attemptObserver(observer);
			}
		}
		if (breaker != null) {
			builder.circuitBreaker(breaker);
		}
		if (timeout != null) {
			builder.timeout(timeout);
		}
		if (bulkhead != null) {
			builder.bulkhead(bulkhead);
		}
		return builder.build();
	}

	/**
	 * The named (or preset) retry's settings, with the HTTP decisions: a failure status
	 * is retried if it is a retry status, other failures as the settings say; the
	 * response's {@code Retry-After} is the least wait.
	 */
	static RetryConfig httpRetry(RetryConfig base) {
		ExceptionMatcher matcher = base.exceptionMatcher();
		return RetryConfig.from(base)
			.retryExceptions(List.of())
			.retryOnExceptionPredicate((failure) -> (failure instanceof FailureStatusException status)
					? status.retryable() : matcher.matches(failure))
			.retryOnResult(null)
			.minimumWait((result, failure) -> (failure instanceof FailureStatusException status)
					? status.retryAfterNanos() : 0)
			.build();
	}

	private static boolean preset(@Nullable String preset, String property) {
		if (preset == null) {
			return false;
		}
		if (STANDARD.equals(preset.trim().toLowerCase(Locale.ROOT))) {
			return true;
		}
		throw new ResilienceConfigurationException(property, "'" + preset + "' is no preset",
				"Use 'standard', or leave the property out and name each stage.");
	}

	/**
	 * A failure status reaches the set's breaker as a {@link FailureStatusException}; a
	 * named breaker whose {@code record-exceptions}, {@code ignore-exceptions} or
	 * {@code record-failure-predicate} would not count it as a failure would never open
	 * on 5xx, silently. Refused at startup instead.
	 */
	private static void checkCountsFailureStatuses(CircuitBreaker breaker, @Nullable String named, String property) {
		FailureStatusException probe = new FailureStatusException(new Object(), 503, true, 0);
		if (!breaker.config().exceptionMatcher().matches(probe)) {
			throw new ResilienceConfigurationException(property, "the circuit breaker '" + breaker.name()
					+ "' would not count the set's failure statuses (its record-exceptions, ignore-exceptions or "
					+ "record-failure-predicate leave them out), so it would never open on them",
					"Name a breaker" + ((named != null) ? " other than '" + named + "'" : "")
							+ " without record-exceptions / ignore-exceptions / record-failure-predicate for the set: "
							+ "the set decides what is a failure itself (failure-statuses).");
		}
	}

	private static <P extends Policy<?>> P find(Registry<P, ?> registry, String name, String property,
			String primitive) {
		return registry.find(name)
			.orElseThrow(() -> new ResilienceConfigurationException(property,
					"no instance named '" + name + "' (known: "
							+ new TreeSet<>(registry.all().stream().map(Policy::name).toList()) + ")",
					"Configure it under " + primitive + ".instances." + name + ", or name one that exists."));
	}

	private Timeout timeout(String instance, Duration duration, String property) {
		TimeoutConfig config;
		try {
			config = TimeoutConfig.builder().timeoutDuration(duration).build();
		}
		catch (InvalidSettingException ex) {
			throw new ResilienceConfigurationException(property, "'" + duration + "': " + ex.getMessage(),
					"Give a positive duration of at most " + TimeoutConfig.MAX_TIMEOUT_DURATION + ".");
		}
		return this.timeouts.replaceConfig(instance, config);
	}

	private static List<String> baseUrls(@Nullable List<String> urls, String property) {
		if (urls == null) {
			return List.of();
		}
		List<String> checked = new ArrayList<>();
		for (int i = 0; i < urls.size(); i++) {
			String url = urls.get(i);
			java.net.URI uri;
			try {
				uri = (url != null) ? java.net.URI.create(url.trim()) : null;
			}
			catch (IllegalArgumentException ex) {
				uri = null;
			}
			if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
				throw new ResilienceConfigurationException(property + "[" + i + "]", "'" + url + "' is no absolute URL",
						"Give the start of the clients' URLs, such as https://payments.example.com/api.");
			}
			checked.add(uri.toString());
		}
		return List.copyOf(checked);
	}

}
