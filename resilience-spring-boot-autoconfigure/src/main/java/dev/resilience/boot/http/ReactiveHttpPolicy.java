package dev.resilience.boot.http;

import java.time.Duration;
import java.util.List;

import dev.resilience.deadline.Deadline;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.reactor.ResilienceOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;

/*
 * Design.
 *
 * The same policy set as the RestClient interceptor, on resilience-reactor's operators:
 * one attempt is one subscription of next.exchange(request), so the retry subscribes again
 * for the next attempt. The inner pipeline (breaker, attempt timeout, bulkhead, retry) is
 * applied around the attempt, the outer one (rate limiter, total timeout) around that.
 *
 * A failure status's body is read whole (error bodies are small) and the response rebuilt
 * on those bytes before it is thrown inside a FailureStatusException: a retried attempt
 * then leaves no connection behind, and the last one reaches the caller with its body,
 * which retrieve() turns into its WebClientResponseException as without us.
 *
 * The deadline comes from the subscriber's Reactor Context (Deadline.CONTEXT_KEY), or else
 * from the thread that subscribes; it is read once per exchange, as the retry's later
 * subscriptions happen on scheduler threads where no deadline is current.
 */
/**
 * Applies a policy set to {@code WebClient} exchanges, as an
 * {@link ExchangeFilterFunction}. Stateless beyond the set; thread-safe.
 */
final class ReactiveHttpPolicy implements ExchangeFilterFunction {

	private final @Nullable HttpPolicySet fixed;

	private final List<HttpPolicySet> byUrl;

	private ReactiveHttpPolicy(@Nullable HttpPolicySet fixed, List<HttpPolicySet> byUrl) {
		this.fixed = fixed;
		this.byUrl = byUrl;
	}

	static ReactiveHttpPolicy of(HttpPolicySet set) {
		return new ReactiveHttpPolicy(set, List.of());
	}

	static ReactiveHttpPolicy byUrl(List<HttpPolicySet> sets) {
		return new ReactiveHttpPolicy(null, List.copyOf(sets));
	}

	static boolean isWebClient(Object bean) {
		return bean instanceof WebClient.Builder || bean instanceof WebClient;
	}

	/**
	 * Applies a set to a {@code WebClient.Builder} or {@code WebClient} bean.
	 */
	static Object apply(Object bean, HttpPolicySet set) {
		if (bean instanceof WebClient.Builder builder) {
			return apply(builder, set);
		}
		return apply(((WebClient) bean).mutate(), set).build();
	}

	static WebClient.Builder apply(WebClient.Builder builder, HttpPolicySet set) {
		ReactiveHttpPolicy filter = of(set);
		return builder.filters((filters) -> {
			filters.removeIf(ReactiveHttpPolicy.class::isInstance);
			// First, so that each attempt runs the other filters again.
			filters.add(0, filter);
		});
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		HttpPolicySet set = (this.fixed != null) ? this.fixed : select(request);
		if (set == null) {
			return next.exchange(request);
		}
		return Mono.deferContextual((context) -> exchange(set, request, next, deadline(set, context)));
	}

	private @Nullable HttpPolicySet select(ClientRequest request) {
		for (HttpPolicySet set : this.byUrl) {
			if (set.matches(request.url())) {
				return set;
			}
		}
		return null;
	}

	private static @Nullable Deadline deadline(HttpPolicySet set, ContextView context) {
		Object fromContext = context.getOrDefault(Deadline.CONTEXT_KEY, null);
		Deadline deadline = (fromContext instanceof Deadline given) ? given : Deadline.current();
		return (deadline != null) ? set.outbound.start(deadline) : null;
	}

	private static Mono<ClientResponse> exchange(HttpPolicySet set, ClientRequest request, ExchangeFunction next,
			@Nullable Deadline deadline) {
		boolean mayRepeat = set.mayRepeat(request.method(), request.headers());
		Pipeline inner = set.inner(request.url(), mayRepeat);
		long userMillis = set.outbound.userMillis(request.headers());
		Mono<ClientResponse> attempt = Mono.defer(() -> attempt(set, request, next, deadline, userMillis));
		Mono<ClientResponse> guarded = attempt.transform(ResilienceOperator.of(inner));
		Pipeline outer = set.outer();
		if (outer != null) {
			guarded = guarded.transform(ResilienceOperator.of(outer));
		}
		// The last attempt's failure response goes to the caller as it came.
		return guarded.onErrorResume(FailureStatusException.class,
				(failure) -> Mono.just((ClientResponse) failure.response()));
	}

	private static Mono<ClientResponse> attempt(HttpPolicySet set, ClientRequest request, ExchangeFunction next,
			@Nullable Deadline deadline, long userMillis) {
		ClientRequest sent = request;
		Mono<ClientResponse> exchange;
		if (deadline != null) {
			long millis = set.outbound.budgetMillis(set.name(), deadline, userMillis);
			String header = set.outbound.header();
			sent = ClientRequest.from(request).headers((headers) -> headers.set(header, Long.toString(millis))).build();
			exchange = next.exchange(sent);
			if (set.outbound.mode() == DeadlineMode.ENFORCE) {
				exchange = exchange.timeout(Duration.ofNanos(Math.max(1, deadline.remainingNanos())),
						Mono.defer(() -> Mono.error(set.outbound.cutReactive(set.name(), deadline))));
			}
		}
		else {
			exchange = next.exchange(sent);
		}
		return exchange.flatMap((response) -> classify(set, response));
	}

	private static Mono<ClientResponse> classify(HttpPolicySet set, ClientResponse response) {
		int status = response.statusCode().value();
		if (!set.failures.contains(status)) {
			return Mono.just(response);
		}
		boolean retryable = set.retries.contains(status);
		long retryAfter = retryable
				? RetryAfter.nanos(status, response.headers().asHttpHeaders().getFirst(RetryAfter.HEADER), set.clock)
				: 0;
		return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((bytes) -> {
			ClientResponse buffered = response.mutate()
				.body(Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes))))
				.build();
			return Mono.error(new FailureStatusException(buffered, status, retryable, retryAfter));
		});
	}

}
