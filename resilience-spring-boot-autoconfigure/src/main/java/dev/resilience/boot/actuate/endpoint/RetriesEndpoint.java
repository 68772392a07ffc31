package dev.resilience.boot.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryRegistry;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code retries} endpoint: every retry with its counters and configuration
 * ({@code GET}) and one by name ({@code GET /{name}}; 404 for an unknown name, which
 * creates nothing). Read-only. Thread-safe.
 */
@WebEndpoint(id = "retries")
public final class RetriesEndpoint {

	private final RetryRegistry registry;

	/**
	 * Creates the endpoint.
	 * @param registry the retries to show
	 */
	public RetriesEndpoint(RetryRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Describes every retry, ordered by name.
	 * @return the retries by name
	 */
	@ReadOperation
	public RetriesDescriptor retries() {
		Map<String, RetryDescriptor> byName = new LinkedHashMap<>();
		for (Retry retry : this.registry.all()) {
			byName.put(retry.name(), describe(retry));
		}
		return new RetriesDescriptor(byName);
	}

	/**
	 * Describes one retry.
	 * @param name the retry's name
	 * @return its description, or 404 if there is none of that name
	 */
	@ReadOperation
	public WebEndpointResponse<Object> retry(@Selector String name) {
		return this.registry.find(name)
			.map((retry) -> EndpointResponses.ok(describe(retry)))
			.orElseGet(() -> EndpointResponses.notFound("No retry named '" + name + "'"));
	}

	private static RetryDescriptor describe(Retry retry) {
		Retry.Metrics metrics = retry.metrics();
		return new RetryDescriptor(retry.name(), metrics.successfulCallsWithoutRetry(),
				metrics.successfulCallsWithRetry(), metrics.failedCallsWithoutRetry(), metrics.failedCallsWithRetry(),
				metrics.budgetTokens(), ConfigDescriptions.of(retry.config().describe()));
	}

	/**
	 * Every retry.
	 *
	 * @param retries the retries by name, ordered by name
	 */
	public record RetriesDescriptor(Map<String, RetryDescriptor> retries) {
	}

	/**
	 * One retry: its counts of finished executions (see {@link Retry.Metrics}) and its
	 * configuration.
	 *
	 * @param name the name
	 * @param successfulCallsWithoutRetry executions that succeeded at the first attempt
	 * @param successfulCallsWithRetry executions that succeeded after at least one retry
	 * @param failedCallsWithoutRetry executions that failed without a retry
	 * @param failedCallsWithRetry executions that failed after at least one retry
	 * @param budgetTokens the retry budget's tokens, or {@code -1} without a budget
	 * @param config the configuration in force, by setting name
	 */
	public record RetryDescriptor(String name, long successfulCallsWithoutRetry, long successfulCallsWithRetry,
			long failedCallsWithoutRetry, long failedCallsWithRetry, double budgetTokens, Map<String, Object> config) {
	}

}
