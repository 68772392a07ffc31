package dev.resilience.boot.http;

import java.io.IOException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Applies a policy set to a {@code RestClient}'s exchanges: one set given explicitly (or
 * by the builder's qualifier), or the set whose base URL the request's URL starts with
 * (requests that match none go out untouched).
 */
final class ResilienceHttpInterceptor implements ClientHttpRequestInterceptor {

	private final @Nullable HttpPolicySet fixed;

	private final List<HttpPolicySet> byUrl;

	private ResilienceHttpInterceptor(@Nullable HttpPolicySet fixed, List<HttpPolicySet> byUrl) {
		this.fixed = fixed;
		this.byUrl = byUrl;
	}

	static ResilienceHttpInterceptor of(HttpPolicySet set) {
		return new ResilienceHttpInterceptor(set, List.of());
	}

	static ResilienceHttpInterceptor byUrl(List<HttpPolicySet> sets) {
		return new ResilienceHttpInterceptor(null, List.copyOf(sets));
	}

	boolean isFixed() {
		return this.fixed != null;
	}

	@Nullable HttpPolicySet fixed() {
		return this.fixed;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		HttpPolicySet set = (this.fixed != null) ? this.fixed : select(request);
		return (set != null) ? set.execute(request, body, execution) : execution.execute(request, body);
	}

	private @Nullable HttpPolicySet select(HttpRequest request) {
		for (HttpPolicySet set : this.byUrl) {
			if (set.matches(request.getURI())) {
				return set;
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return "ResilienceHttpInterceptor[" + ((this.fixed != null) ? this.fixed.name() : "by base URL") + "]";
	}

}
