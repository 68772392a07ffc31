package dev.resilience.boot.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The responses the endpoints share: a body with status 200, or an error body that says
 * what was wrong, in the shape of Spring Boot's own error responses.
 */
final class EndpointResponses {

	private EndpointResponses() {
	}

	static WebEndpointResponse<Object> ok(Object body) {
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	static WebEndpointResponse<Object> notFound(String message) {
		return error(WebEndpointResponse.STATUS_NOT_FOUND, "Not Found", message);
	}

	static WebEndpointResponse<Object> badRequest(String message) {
		return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Bad Request", message);
	}

	private static WebEndpointResponse<Object> error(int status, String error, String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put("error", error);
		body.put("message", message);
		return new WebEndpointResponse<>(body, status);
	}

}
