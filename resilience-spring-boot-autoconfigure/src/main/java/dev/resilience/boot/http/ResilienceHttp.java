package dev.resilience.boot.http;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;

/**
 * The {@code resilience.http.clients.*} policy sets, and the way to apply one to a client
 * explicitly: <pre>{@code
 * &#64;Bean
 * RestClient payments(RestClient.Builder builder, ResilienceHttp http) {
 *     return http.restClient(builder, "payments").baseUrl("https://payments.example.com").build();
 * }
 * }</pre> An HTTP interface client built on that {@code RestClient}
 * ({@code RestClientAdapter}) goes through the set too. A set also applies, without code,
 * to the builders whose bean qualifier it lists ({@code qualifiers}), and to the requests
 * of every auto-configured builder whose URL starts with one of its {@code base-urls}.
 * <p>
 * One bean, made at startup, where every set is checked: an unknown preset or instance
 * name, a bad status or URL fails startup naming the property. Thread-safe.
 */
public final class ResilienceHttp {

	private final Map<String, HttpPolicySet> sets;

	ResilienceHttp(Map<String, HttpPolicySet> sets) {
		// In name order, so that the first set by name wins where several match.
		this.sets = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sets));
	}

	/**
	 * Returns the names of the policy sets.
	 * @return the names
	 */
	public Set<String> names() {
		return this.sets.keySet();
	}

	/**
	 * Applies a policy set to a {@code RestClient.Builder}: its requests go through the
	 * set's stages. Replaces a set applied to the builder before (by qualifier or base
	 * URL), so that no request goes through two.
	 * @param builder the builder
	 * @param name the policy set's name
	 * @return the builder
	 * @throws IllegalArgumentException if there is no set of that name
	 */
	public RestClient.Builder restClient(RestClient.Builder builder, String name) {
		Objects.requireNonNull(builder, "builder must not be null");
		ResilienceHttpInterceptor interceptor = ResilienceHttpInterceptor.of(set(name));
		return builder.requestInterceptors((interceptors) -> {
			interceptors.removeIf(ResilienceHttpInterceptor.class::isInstance);
			// First, so that the set's attempts wrap the other interceptors' work (each
			// attempt is then stamped, signed, logged as the first would be).
			interceptors.add(0, interceptor);
		});
	}

	/**
	 * Returns the interceptor that applies a policy set, for clients built another way
	 * ({@code RestTemplate}, a hand-made {@code RestClient}).
	 * @param name the policy set's name
	 * @return the interceptor
	 * @throws IllegalArgumentException if there is no set of that name
	 */
	public ClientHttpRequestInterceptor interceptor(String name) {
		return ResilienceHttpInterceptor.of(set(name));
	}

	HttpPolicySet set(String name) {
		HttpPolicySet set = this.sets.get(Objects.requireNonNull(name, "name must not be null"));
		if (set == null) {
			throw new IllegalArgumentException(
					"No HTTP policy set named '" + name + "' (known: " + new java.util.TreeSet<>(this.sets.keySet())
							+ "); configure it under resilience.http.clients." + name);
		}
		return set;
	}

	Map<String, HttpPolicySet> sets() {
		return this.sets;
	}

	List<HttpPolicySet> byBaseUrl() {
		return this.sets.values().stream().filter((set) -> !set.baseUrls().isEmpty()).toList();
	}

	/**
	 * Returns the set a qualifier selects.
	 * @param qualifiers the bean's name and qualifiers
	 * @return the set, or {@code null} if none lists one of them
	 */
	HttpPolicySet forQualifiers(Set<String> qualifiers) {
		for (HttpPolicySet set : this.sets.values()) {
			for (String qualifier : set.qualifiers()) {
				if (qualifiers.contains(qualifier)) {
					return set;
				}
			}
		}
		return null;
	}

}
