package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.jspecify.annotations.Nullable;

/**
 * A plain HTTP client for the Actuator endpoints of the test application: real requests,
 * JSON answers read with JsonPath.
 */
final class ActuatorClient {

	static final String USER = "operator";

	static final String PASSWORD = "secret";

	private static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String baseUrl;

	ActuatorClient(int port) {
		this.baseUrl = "http://localhost:" + port + "/actuator/";
	}

	Response get(String path) {
		return send(request(path).GET().build());
	}

	/** Posts JSON as the test user. */
	Response post(String path, String json) {
		return send(request(path).header("Authorization", basic(USER, PASSWORD))
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	/** Posts JSON without credentials. */
	Response postAnonymously(String path, String json) {
		return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
	}

	/** Posts JSON with the given credentials. */
	Response postAs(String user, String password, String path, String json) {
		return send(request(path).header("Authorization", basic(user, password))
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	/**
	 * Posts a body as the test user with the given Content-Type, or none.
	 */
	Response postRaw(String path, @Nullable String contentType, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.timeout(Duration.ofSeconds(10))
			.header("Accept", "application/json")
			.header("Authorization", basic(USER, PASSWORD))
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		return send(request.build());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.header("Accept", "application/json");
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	private static Response send(HttpRequest request) {
		try {
			HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A response.
	 *
	 * @param status the HTTP status
	 * @param body the body, possibly empty
	 */
	record Response(int status, String body) {

		DocumentContext json() {
			return JsonPath.parse(this.body);
		}

		<T> T read(String path) {
			return JsonPath.read(this.body, path);
		}

	}

}
