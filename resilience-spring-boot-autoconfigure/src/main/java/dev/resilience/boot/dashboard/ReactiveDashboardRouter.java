package dev.resilience.boot.dashboard;

import dev.resilience.boot.dashboard.DashboardFiles.File;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dashboard's WebFlux router function; see {@link ServletDashboardRouter}. Stateless:
 * every response is built from the files read at startup.
 */
final class ReactiveDashboardRouter {

	private ReactiveDashboardRouter() {
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

	private static Mono<ServerResponse> file(@Nullable File file) {
		if (file == null) {
			return ServerResponse.notFound().build();
		}
		return ServerResponse.ok()
			.contentType(file.type())
			.contentLength(file.bytes().length)
			.headers(DashboardFiles::securityHeaders)
			.bodyValue(file.bytes());
	}

}
