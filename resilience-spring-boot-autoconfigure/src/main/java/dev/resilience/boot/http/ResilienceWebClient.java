package dev.resilience.boot.http;

import java.util.Objects;

import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Applies the {@code resilience.http.clients.*} policy sets to {@code WebClient}s
 * explicitly, with the same semantics as {@link ResilienceHttp} for {@code RestClient}:
 * <pre>{@code
 * &#64;Bean
 * WebClient payments(WebClient.Builder builder, ResilienceWebClient http) {
 *     return http.webClient(builder, "payments").baseUrl("https://payments.example.com").build();
 * }
 * }</pre> A bean when WebFlux and resilience-reactor are on the class path; kept apart
 * from {@link ResilienceHttp} so that an application without WebFlux never loads its
 * types. Thread-safe.
 */
public final class ResilienceWebClient {

	private final ResilienceHttp http;

	ResilienceWebClient(ResilienceHttp http) {
		this.http = http;
	}

	/**
	 * Applies a policy set to a {@code WebClient.Builder}: its exchanges go through the
	 * set's stages, one attempt per subscription of the exchange. Replaces a set applied
	 * to the builder before.
	 * @param builder the builder
	 * @param name the policy set's name
	 * @return the builder
	 * @throws IllegalArgumentException if there is no set of that name
	 */
	public WebClient.Builder webClient(WebClient.Builder builder, String name) {
		Objects.requireNonNull(builder, "builder must not be null");
		return ReactiveHttpPolicy.apply(builder, this.http.set(name));
	}

	/**
	 * Returns the exchange filter that applies a policy set.
	 * @param name the policy set's name
	 * @return the filter
	 * @throws IllegalArgumentException if there is no set of that name
	 */
	public ExchangeFilterFunction filter(String name) {
		return ReactiveHttpPolicy.of(this.http.set(name));
	}

}
