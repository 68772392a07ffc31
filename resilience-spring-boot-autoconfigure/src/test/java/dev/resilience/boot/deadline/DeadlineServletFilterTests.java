package dev.resilience.boot.deadline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.deadline.Deadline;
import dev.resilience.testing.FakeTicker;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The servlet filter on its own: the deadline is current for the chain and gone after,
 * however the chain ends, and a later dispatch of the request reuses it.
 */
class DeadlineServletFilterTests {

	private final FakeTicker ticker = new FakeTicker();

	private final DeadlineServletFilter filter = new DeadlineServletFilter(new InboundDeadlineHeaders(
			List.of("X-Request-Timeout-Ms"), null, this.ticker, InboundDeadlineHeaders.MalformedHeaders.NONE));

	@Test
	void theDeadlineIsCurrentForTheChainAndGoneAfter() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.addHeader("X-Request-Timeout-Ms", "300");
		AtomicReference<Deadline> seen = new AtomicReference<>();
		this.filter.doFilter(request, new MockHttpServletResponse(), (req, resp) -> seen.set(Deadline.current()));
		assertThat(seen.get()).isNotNull();
		assertThat(seen.get().remainingNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
		assertThat(request.getAttribute(Deadline.CONTEXT_KEY)).isSameAs(seen.get());
		assertThat(Deadline.current()).isNull();
	}

	@Test
	void theDeadlineIsGoneAfterAChainThatThrows() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.addHeader("X-Request-Timeout-Ms", "300");
		assertThatExceptionOfType(ServletException.class)
			.isThrownBy(() -> this.filter.doFilter(request, new MockHttpServletResponse(), (req, resp) -> {
				assertThat(Deadline.current()).isNotNull();
				throw new ServletException("boom");
			}));
		assertThat(Deadline.current()).isNull();
	}

	@Test
	void aLaterDispatchRunsUnderTheDeadlineOfTheRequestsArrival() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.addHeader("X-Request-Timeout-Ms", "300");
		this.filter.doFilter(request, new MockHttpServletResponse(), new MockFilterChain());
		Deadline first = (Deadline) request.getAttribute(Deadline.CONTEXT_KEY);
		this.ticker.advance(Duration.ofMillis(200));
		request.setDispatcherType(DispatcherType.ASYNC);
		AtomicReference<Deadline> seen = new AtomicReference<>();
		this.filter.doFilter(request, new MockHttpServletResponse(), (req, resp) -> seen.set(Deadline.current()));
		assertThat(seen.get()).isSameAs(first);
		assertThat(seen.get().remainingNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
	}

	@Test
	void aRequestWithoutABudgetPassesWithoutADeadline() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		AtomicReference<Deadline> seen = new AtomicReference<>(Deadline.after(Duration.ZERO, this.ticker));
		this.filter.doFilter(request, new MockHttpServletResponse(), (req, resp) -> seen.set(Deadline.current()));
		assertThat(seen.get()).isNull();
		assertThat(request.getAttribute(Deadline.CONTEXT_KEY)).isNull();
	}

}
