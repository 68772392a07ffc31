package dev.resilience.boot.shedding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import dev.resilience.limit.PartitionedLimiter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sheds inbound servlet requests: each request is resolved to its partition (first
 * matching partition in configured order, else {@code default}) and admitted by the
 * {@link PartitionedLimiter}, waiting up to {@code max-wait-duration} when its partition
 * is below its share; a rejected one gets {@code 503} with {@code Retry-After} and a
 * short body, and the chain (the controller) never runs. An admitted request gives its
 * place back exactly once when it ends: after the chain, or for an asynchronous request
 * when its {@link AsyncListener} hears completion, timeout or error. Requests to the
 * Actuator base path are neither shed nor counted.
 * <p>
 * Runs on the {@code REQUEST} dispatch only (the later {@code ASYNC} and {@code ERROR}
 * dispatches belong to the request already admitted). Thread-safe.
 */
final class LoadSheddingServletFilter extends OncePerRequestFilter {

	static final byte[] BODY = "Service Unavailable: overloaded, retry later\n".getBytes(StandardCharsets.US_ASCII);

	private final PartitionedLimiter limiter;

	private final List<SheddingSettings.Partition> partitions;

	private final String retryAfter;

	private final String actuatorBasePath;

	private final boolean matchesPaths;

	LoadSheddingServletFilter(PartitionedLimiter limiter, SheddingSettings settings, String actuatorBasePath) {
		this.limiter = limiter;
		this.partitions = settings.partitions();
		this.retryAfter = settings.retryAfter();
		this.actuatorBasePath = actuatorBasePath;
		this.matchesPaths = this.partitions.stream()
			.flatMap((p) -> p.matches().stream())
			.anyMatch((m) -> m.kind() == SheddingSettings.Match.Kind.PATH);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return isActuator(request.getRequestURI(), request.getContextPath().length(), this.actuatorBasePath);
	}

	// Whether the path after the context path is the base path or under it; no substring.
	static boolean isActuator(String uri, int offset, String basePath) {
		if (basePath.isEmpty() || basePath.equals("/")) {
			// The Actuator at the root: its endpoints are not told apart by a prefix.
			return false;
		}
		int length = basePath.length();
		if (!uri.regionMatches(offset, basePath, 0, length)) {
			return false;
		}
		return uri.length() == offset + length || uri.charAt(offset + length) == '/';
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		int partition = partitionOf(request);
		if (!this.limiter.acquire(partition)) {
			reject(response);
			return;
		}
		long sampleStart = this.limiter.sampleStart();
		boolean failed = true;
		boolean async = false;
		try {
			chain.doFilter(request, response);
			failed = response.getStatus() >= 500;
			if (request.isAsyncStarted()) {
				// Given back when the asynchronous processing ends, once.
				request.getAsyncContext().addListener(new Release(this.limiter, partition, sampleStart));
				async = true;
			}
		}
		finally {
			if (!async) {
				this.limiter.release(partition, sampleStart, failed);
			}
		}
	}

	private int partitionOf(HttpServletRequest request) {
		if (this.partitions.isEmpty()) {
			return 0;
		}
		PathContainer path = null;
		if (this.matchesPaths) {
			String uri = request.getRequestURI();
			path = PathContainer.parsePath(uri.substring(request.getContextPath().length()));
		}
		for (int i = 0; i < this.partitions.size(); i++) {
			for (SheddingSettings.Match match : this.partitions.get(i).matches()) {
				if (matches(match, request, path)) {
					// The limiter's indexes: 0 is default, the named ones follow in
					// order.
					return i + 1;
				}
			}
		}
		return 0;
	}

	private static boolean matches(SheddingSettings.Match match, HttpServletRequest request, PathContainer path) {
		return switch (match.kind()) {
			case PATH -> Objects.requireNonNull(match.pattern()).matches(path);
			case HEADER -> {
				var values = request.getHeaders(match.name());
				boolean found = false;
				while (values != null && values.hasMoreElements() && !found) {
					found = values.nextElement().equals(match.value());
				}
				yield found;
			}
			case ATTRIBUTE -> {
				Object value = request.getAttribute(match.name());
				yield value != null && value.toString().equals(match.value());
			}
		};
	}

	private void reject(HttpServletResponse response) throws IOException {
		response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
		response.setHeader("Retry-After", this.retryAfter);
		response.setContentType("text/plain;charset=US-ASCII");
		response.setContentLength(BODY.length);
		response.getOutputStream().write(BODY);
	}

	/**
	 * Gives an asynchronous request's place back on the first of completion, timeout or
	 * error: the container calls completion after the others too.
	 */
	private static final class Release implements AsyncListener {

		private final PartitionedLimiter limiter;

		private final int partition;

		private final long sampleStart;

		private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

		Release(PartitionedLimiter limiter, int partition, long sampleStart) {
			this.limiter = limiter;
			this.partition = partition;
			this.sampleStart = sampleStart;
		}

		private void release(boolean failed) {
			if (this.released.compareAndSet(false, true)) {
				this.limiter.release(this.partition, this.sampleStart, failed);
			}
		}

		@Override
		public void onComplete(AsyncEvent event) {
			boolean failed = event.getSuppliedResponse() instanceof HttpServletResponse response
					&& response.getStatus() >= 500;
			release(failed);
		}

		@Override
		public void onTimeout(AsyncEvent event) {
			release(true);
		}

		@Override
		public void onError(AsyncEvent event) {
			release(true);
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// A new asynchronous cycle of the same request: keep listening.
			if (event.getAsyncContext() != null) {
				event.getAsyncContext().addListener(this);
			}
		}

	}

}
