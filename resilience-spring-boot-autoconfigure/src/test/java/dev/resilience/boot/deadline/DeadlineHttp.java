package dev.resilience.boot.deadline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests to the test application on loopback, and what its answers say.
 */
final class DeadlineHttp {

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private DeadlineHttp() {
	}

	/**
	 * Sends a GET with the given headers (name, value, name, value...).
	 */
	static HttpResponse<String> get(int port, String path, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(20))
			.GET();
		if (headers.length > 0) {
			request.headers(headers);
		}
		HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response;
	}

	/**
	 * Asserts that a reported remaining budget is left of the one sent: more than 0, at
	 * most the budget.
	 */
	static void assertWithin(String remaining, long budgetMillis) {
		assertThat(remaining).as("remaining budget").isNotEqualTo("none");
		assertThat(Long.parseLong(remaining)).as("remaining budget").isPositive().isLessThanOrEqualTo(budgetMillis);
	}

	/** The remaining part of {@code <remaining>@<thread>}. */
	static String remainingOf(String answer) {
		return answer.substring(0, answer.indexOf('@'));
	}

	/** The thread part of {@code <remaining>@<thread>}. */
	static String threadOf(String answer) {
		return answer.substring(answer.indexOf('@') + 1);
	}

}
