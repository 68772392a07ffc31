package dev.resilience.sample;

import java.util.List;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.Timeout;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * Fetches recommendations, a slow and optional dependency: the bulkhead keeps it from
 * taking every request thread, the timeout cuts off slow answers (the calling thread is
 * interrupted), and the fallback answers with no recommendations.
 */
@Component
class RecommendationClient {

	private final Downstream downstream;

	RecommendationClient(Downstream downstream) {
		this.downstream = downstream;
	}

	@Bulkhead(name = "recommendations")
	@Timeout(name = "recommendations")
	@Fallback(method = "none")
	public List<String> recommendations(String customer) {
		return this.downstream.client()
			.get()
			.uri("/recommendations/{customer}", customer)
			.retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
	}

	List<String> none(String customer) {
		return List.of();
	}

}
