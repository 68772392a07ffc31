package dev.resilience.boot.deadline;

import dev.resilience.deadline.Deadline;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives each WebFlux exchange its {@link Deadline}: read from the request's headers
 * ({@link InboundDeadlineHeaders}) when it enters the filter, the first in the chain, and
 * put in the Reactor {@code Context} of the rest of the chain under
 * {@link Deadline#CONTEXT_KEY} (and in the exchange attribute of that name). Reactor
 * operators that know the key (resilience-reactor's) read it from there. With Reactor's
 * automatic context propagation ({@code spring.reactor.context-propagation=auto}) the
 * deadline is also current ({@code Deadline.current()}) wherever the handler and its
 * operators run, through {@link DeadlineThreadLocalAccessor}; without it, a thread-local
 * could not follow the exchange across the event loop's hops, so none is set.
 * <p>
 * Thread-safe.
 */
final class DeadlineWebFilter implements WebFilter, Ordered {

	/** The order of the deadline filters, servlet and reactive: after load shedding's. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

	private final InboundDeadlineHeaders headers;

	DeadlineWebFilter(InboundDeadlineHeaders headers) {
		this.headers = headers;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		Deadline deadline = this.headers.read(exchange.getRequest().getHeaders(), HttpHeaders::getFirst);
		if (deadline == null) {
			return chain.filter(exchange);
		}
		exchange.getAttributes().put(Deadline.CONTEXT_KEY, deadline);
		return chain.filter(exchange).contextWrite((context) -> context.put(Deadline.CONTEXT_KEY, deadline));
	}

	@Override
	public int getOrder() {
		// Measured from as early as the application sees the request: after load
		// shedding only, which rejects the excess before any other work.
		return ORDER;
	}

}
