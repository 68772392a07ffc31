package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.util.ClassUtils;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.UrlPathHelper;

/**
 * Answers the requests to our endpoints that Spring MVC rejects before the endpoint runs,
 * with a message: a body that is not JSON, not a JSON object, or has an array or object
 * where a field's value belongs (400), and a body without a JSON content type (415).
 * Spring MVC's own answer has no message (Spring Boot leaves messages out of error
 * responses by default), so an operator could not tell what was wrong.
 * <p>
 * A {@link HandlerExceptionResolver}, because Actuator reads the body itself (into a map
 * of strings) and offers no hook before that: it runs after Spring Security's filters (so
 * an anonymous request still gets 401 first) and after the endpoint's request mapping (so
 * access rules and {@code 405}s are untouched), sees only these two exceptions, and only
 * for requests whose path is one of our endpoints' (as {@link PathMappedEndpoints} maps
 * them, base path included); every other request goes on to Spring MVC's resolvers as
 * before. The body has the shape of the endpoints' own errors.
 */
final class EndpointRequestErrors implements HandlerExceptionResolver, Ordered {

	/** Our endpoints; only the ones that are exposed have a path. */
	static final List<EndpointId> ENDPOINTS = List.of(EndpointId.of("circuitbreakers"), EndpointId.of("retries"),
			EndpointId.of("ratelimiters"), EndpointId.of("bulkheads"), EndpointId.of("timeouts"),
			EndpointId.of("resilienceevents"));

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.core.JacksonException",
			EndpointRequestErrors.class.getClassLoader());

	private static final String NOT_AN_OBJECT = "The request body must be a JSON object of fields, such as "
			+ "{\"name\": \"value\"}";

	private final ObjectProvider<PathMappedEndpoints> endpoints;

	EndpointRequestErrors(ObjectProvider<PathMappedEndpoints> endpoints) {
		this.endpoints = endpoints;
	}

	@Override
	public int getOrder() {
		// Before Spring MVC's resolvers (order 0), after the one that records the
		// exception for the error attributes (the highest precedence).
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		if (!(ex instanceof HttpMessageNotReadableException || ex instanceof HttpMediaTypeNotSupportedException)
				|| response.isCommitted() || !isOurEndpoint(request)) {
			return null;
		}
		try {
			if (ex instanceof HttpMediaTypeNotSupportedException) {
				String contentType = request.getContentType();
				write(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type",
						"Send the body as JSON with Content-Type: application/json; the request has "
								+ ((contentType != null) ? contentType : "no Content-Type"));
			}
			else {
				write(response, HttpServletResponse.SC_BAD_REQUEST, "Bad Request",
						describe((HttpMessageNotReadableException) ex));
			}
		}
		catch (IOException writeFailure) {
			return null;
		}
		return new ModelAndView();
	}

	private boolean isOurEndpoint(HttpServletRequest request) {
		PathMappedEndpoints mapped = this.endpoints.getIfAvailable();
		if (mapped == null) {
			return false;
		}
		String path = ServletRequestPathUtils.hasCachedPath(request)
				? ServletRequestPathUtils.getCachedPathValue(request)
				: UrlPathHelper.defaultInstance.getLookupPathForRequest(request);
		for (EndpointId id : ENDPOINTS) {
			String root = mapped.getPath(id);
			if (root != null && (path.equals(root) || path.startsWith(root + "/"))) {
				return true;
			}
		}
		return false;
	}

	static String describe(HttpMessageNotReadableException ex) {
		if (JACKSON_PRESENT) {
			String described = JacksonFailures.describe(ex.getCause());
			if (described != null) {
				return described;
			}
		}
		// Another JSON library: its message is all there is.
		return NOT_AN_OBJECT + ", whose values are strings, numbers or booleans (" + ex.getMessage() + ")";
	}

	private static void write(HttpServletResponse response, int status, String error, String message)
			throws IOException {
		response.setStatus(status);
		response.setContentType("application/json");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.getWriter()
			.write("{\"status\":" + status + ",\"error\":" + quote(error) + ",\"message\":" + quote(message) + "}");
		response.flushBuffer();
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
				default -> {
					if (c < 0x20) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}

	/** Reads Jackson 3's failures; loaded only when Jackson 3 is present. */
	private static final class JacksonFailures {

		static @Nullable String describe(@Nullable Throwable cause) {
			if (!(cause instanceof JacksonException jackson)) {
				return null;
			}
			if (jackson instanceof StreamReadException) {
				TokenStreamLocation location = jackson.getLocation();
				String at = (location != null && location.getLineNr() > 0)
						? " at line " + location.getLineNr() + ", column " + location.getColumnNr() : "";
				return "The request body is not valid JSON" + at + ": " + shorten(jackson.getOriginalMessage());
			}
			// Actuator reads the body as a map of strings: a mapping failure is either a
			// body that is no object, or a field whose value is no scalar.
			List<JacksonException.Reference> path = jackson.getPath();
			if (!path.isEmpty() && path.get(0).getPropertyName() != null) {
				return path.get(0).getPropertyName()
						+ " must be a string, a number or a boolean, not an array or an object";
			}
			return NOT_AN_OBJECT;
		}

		private static String shorten(@Nullable String message) {
			if (message == null) {
				return "unreadable";
			}
			// Jackson appends where the enclosing structure started, with a source
			// description that says nothing to an operator.
			int detail = message.indexOf(" (start marker at");
			String shortened = (detail >= 0) ? message.substring(0, detail) : message;
			int newline = shortened.indexOf('\n');
			return (newline >= 0) ? shortened.substring(0, newline) : shortened;
		}

	}

}
