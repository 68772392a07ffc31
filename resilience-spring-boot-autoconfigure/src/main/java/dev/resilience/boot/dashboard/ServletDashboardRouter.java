package dev.resilience.boot.dashboard;

import dev.resilience.boot.dashboard.DashboardFiles.File;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.function.RequestPredicate;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The dashboard's Spring MVC router function. In a class of its own so that a WebFlux
 * application never loads Spring MVC's types (and {@link ReactiveDashboardRouter} the
 * other way round). Stateless: every response is built from the files read at startup.
 */
final class ServletDashboardRouter {

	private ServletDashboardRouter() {
	}

	static RouterFunction<ServerResponse> router(DashboardSettings settings, DashboardFiles files) {
		String path = settings.path();
		String location = settings.redirectLocation();
		return RouterFunctions.route()
			.route(getOrHead(path),
					(request) -> ServerResponse.status(HttpStatus.FOUND)
						.headers(DashboardFiles::securityHeaders)
						.header(HttpHeaders.LOCATION, location)
						.build())
			.route(getOrHead(path + "/"), (request) -> file(files.index()))
			.route(getOrHead(path + "/{file}"), (request) -> file(files.get(request.pathVariable("file"))))
			.build();
	}

	private static RequestPredicate getOrHead(String pattern) {
		return RequestPredicates.GET(pattern).or(RequestPredicates.HEAD(pattern));
	}

	private static ServerResponse file(@Nullable File file) {
		if (file == null) {
			return ServerResponse.notFound().build();
		}
		byte[] bytes = file.bytes();
		// Written straight to the response: no message converter to pick, whatever the
		// request's Accept header says.
		return ServerResponse.ok()
			.contentType(file.type())
			.contentLength(bytes.length)
			.headers(DashboardFiles::securityHeaders)
			.build((request, response) -> {
				response.getOutputStream().write(bytes);
				return null;
			});
	}

}
