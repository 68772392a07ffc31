package dev.resilience.boot.shedding;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.resilience.limit.PartitionedLimiter;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Sheds inbound WebFlux requests, as {@link LoadSheddingServletFilter} does servlet ones,
 * without blocking: a request of a partition below its share that finds the limit reached
 * waits (up to {@code max-wait-duration}) on the limiter's asynchronous admission. An
 * admitted request gives its place back exactly once, when the chain completes, fails or
 * is cancelled (the client went away). First of the web filters. Thread-safe.
 */
final class LoadSheddingWebFilter implements WebFilter, Ordered {

	private final PartitionedLimiter limiter;

	private final List<SheddingSettings.Partition> partitions;

	private final String retryAfter;

	private final String actuatorBasePath;

	LoadSheddingWebFilter(PartitionedLimiter limiter, SheddingSettings settings, String actuatorBasePath) {
		this.limiter = limiter;
		this.partitions = settings.partitions();
		this.retryAfter = settings.retryAfter();
		this.actuatorBasePath = actuatorBasePath;
	}

	@Override
	public int getOrder() {
		return LoadSheddingAutoConfiguration.FILTER_ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		if (LoadSheddingServletFilter.isActuator(path.value(), 0, this.actuatorBasePath)) {
			return chain.filter(exchange);
		}
		int partition = partitionOf(exchange, path);
		CompletableFuture<Boolean> decision = this.limiter.acquireAsync(partition);
		Ticket ticket = new Ticket(this.limiter, partition);
		if (decision.isDone()) {
			// Decided at once (admitted, or rejected without a wait).
			return decision.join() ? admitted(exchange, chain, ticket) : reject(exchange);
		}
		return Mono.fromFuture(decision, true)
			.flatMap((ok) -> ok ? admitted(exchange, chain, ticket) : reject(exchange))
			.doOnCancel(() -> {
				// Cancelled while waiting ends the wait; granted just before, the place
				// is given back here (once: the ticket guards it).
				if (!decision.cancel(false) && Boolean.TRUE.equals(decision.getNow(Boolean.FALSE))) {
					ticket.release(false);
				}
			});
	}

	private static Mono<Void> admitted(ServerWebExchange exchange, WebFilterChain chain, Ticket ticket) {
		ticket.start();
		return chain.filter(exchange).doOnSuccess((done) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			ticket.release(status != null && status.is5xxServerError());
		}).doOnError((ex) -> ticket.release(true)).doOnCancel(() -> ticket.release(false));
	}

	private int partitionOf(ServerWebExchange exchange, PathContainer path) {
		ServerHttpRequest request = exchange.getRequest();
		for (int i = 0; i < this.partitions.size(); i++) {
			for (SheddingSettings.Match match : this.partitions.get(i).matches()) {
				boolean matches = switch (match.kind()) {
					case PATH -> Objects.requireNonNull(match.pattern()).matches(path);
					case HEADER -> {
						List<String> values = request.getHeaders().get(match.name());
						yield values != null && values.contains(match.value());
					}
					case ATTRIBUTE -> {
						Object value = exchange.getAttribute(match.name());
						yield value != null && value.toString().equals(match.value());
					}
				};
				if (matches) {
					return i + 1;
				}
			}
		}
		return 0;
	}

	private Mono<Void> reject(ServerWebExchange exchange) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
		response.getHeaders().set("Retry-After", this.retryAfter);
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		response.getHeaders().setContentLength(LoadSheddingServletFilter.BODY.length);
		DataBuffer body = response.bufferFactory().wrap(LoadSheddingServletFilter.BODY);
		return response.writeWith(Mono.just(body));
	}

	/**
	 * An admitted request's place, given back once.
	 */
	private static final class Ticket extends AtomicBoolean {

		private final PartitionedLimiter limiter;

		private final int partition;

		private long sampleStart;

		Ticket(PartitionedLimiter limiter, int partition) {
			this.limiter = limiter;
			this.partition = partition;
		}

		void start() {
			this.sampleStart = this.limiter.sampleStart();
		}

		void release(boolean failed) {
			if (compareAndSet(false, true)) {
				this.limiter.release(this.partition, this.sampleStart, failed);
			}
		}

	}

}
