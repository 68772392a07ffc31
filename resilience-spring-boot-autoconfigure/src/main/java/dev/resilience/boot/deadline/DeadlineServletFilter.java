package dev.resilience.boot.deadline;

import java.io.IOException;

import dev.resilience.deadline.Deadline;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Gives each servlet request its {@link Deadline}: read from its headers
 * ({@link InboundDeadlineHeaders}) when it enters the filter, the first in the chain, and
 * current on the request's thread until the chain returns (closed in {@code finally}, so
 * the thread goes back to its pool without it).
 * <p>
 * The deadline is kept in the request attribute {@link Deadline#CONTEXT_KEY}, and a later
 * dispatch of the same request (Spring MVC's {@code ASYNC} dispatch after a
 * {@code Callable} or {@code DeferredResult}, an {@code ERROR} dispatch) runs under that
 * same deadline, measured from the request's arrival, not from the dispatch. Between the
 * dispatches, a {@code Callable} runs on Spring MVC's task executor, which carries the
 * deadline when it is the {@code applicationTaskExecutor}
 * ({@link DeadlineTaskDecorator}); a {@code DeferredResult} is set by whatever thread
 * sets it, under that thread's deadline.
 * <p>
 * Stateless per request; thread-safe.
 */
final class DeadlineServletFilter implements Filter {

	private final InboundDeadlineHeaders headers;

	DeadlineServletFilter(InboundDeadlineHeaders headers) {
		this.headers = headers;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		Deadline deadline;
		if (request.getAttribute(Deadline.CONTEXT_KEY) instanceof Deadline dispatched) {
			deadline = dispatched;
		}
		else if (request instanceof HttpServletRequest http) {
			deadline = this.headers.read(http, HttpServletRequest::getHeader);
			if (deadline != null) {
				request.setAttribute(Deadline.CONTEXT_KEY, deadline);
			}
		}
		else {
			deadline = null;
		}
		if (deadline == null) {
			chain.doFilter(request, response);
			return;
		}
		try (Deadline.Scope scope = Deadline.enter(deadline)) {
			chain.doFilter(request, response);
		}
	}

}
