package dev.resilience.boot.dashboard;

import java.util.Locale;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.env.Environment;

/**
 * Where the dashboard is served and where its page finds the snapshot, worked out and
 * checked once at startup in the main application context (the management child context,
 * when there is one, reads it from there).
 *
 * @param path the page's path, relative to the server's root ({@code /resilience}); valid
 * @param root the relative URL from the page ({@code path + "/"}) to the server's root:
 * {@code ../} per segment of the path
 * @param snapshot the relative URL from the page to the {@code resilience} endpoint
 * ({@code ../actuator/resilience})
 */
record DashboardSettings(String path, String root, String snapshot) {

	static final String ENABLED_PROPERTY = "resilience.dashboard.enabled";

	static final String PATH_PROPERTY = "resilience.dashboard.path";

	static final EndpointId SNAPSHOT_ENDPOINT = EndpointId.of("resilience");

	/**
	 * Checks the configuration and works out the page's relative URLs.
	 * @param path the configured {@code resilience.dashboard.path}
	 * @param endpoints the web endpoints as Actuator maps them
	 * @param environment to say why the {@code resilience} endpoint is missing
	 * @return the settings
	 * @throws ResilienceConfigurationException when the path cannot be served or the
	 * endpoint is not available over the web
	 */
	static DashboardSettings of(String path, PathMappedEndpoints endpoints, Environment environment) {
		checkPath(path);
		String endpointPath = endpoints.getPath(SNAPSHOT_ENDPOINT);
		if (endpointPath == null) {
			throw endpointNotAvailable(environment);
		}
		checkOutsideActuator(path, endpoints);
		// One "../" per segment leads from "{path}/" back to the server's root, whatever
		// the context path or management base path in front of it: the page needs no
		// absolute URL, so proxies that add a prefix keep working.
		int depth = (int) path.chars().filter((c) -> c == '/').count();
		String root = "../".repeat(depth);
		return new DashboardSettings(path, root, root + stripLeadingSlashes(endpointPath));
	}

	/**
	 * The last segment and a slash, {@code resilience/} for {@code /ops/resilience}: the
	 * relative {@code Location} that sends {@code {path}} to {@code {path}/}.
	 * @return the redirect's relative location
	 */
	String redirectLocation() {
		return this.path.substring(this.path.lastIndexOf('/') + 1) + "/";
	}

	static void checkPath(@Nullable String path) {
		String problem = pathProblem(path);
		if (problem != null) {
			throw new ResilienceConfigurationException(PATH_PROPERTY, "invalid value '" + path + "': " + problem,
					"Set " + PATH_PROPERTY + " to a path such as /resilience or /ops/resilience: starting with /,"
							+ " not ending with /, without *, {, }, ?, #, %, ;, \\, .., spaces or empty segments"
							+ " (or remove it for the default /resilience).");
		}
	}

	private static @Nullable String pathProblem(@Nullable String path) {
		if (path == null || path.isEmpty()) {
			return "it is empty";
		}
		if (path.equals("/")) {
			return "the root cannot hold the dashboard, since the application's own pages live there";
		}
		if (!path.startsWith("/")) {
			return "it does not start with /";
		}
		if (path.endsWith("/")) {
			return "it ends with /";
		}
		if (path.contains("//")) {
			return "it has an empty segment (//)";
		}
		if (path.contains("..")) {
			return "it contains ..";
		}
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			// Pattern syntax (* { } ?), what a URL cannot carry in a path (# ? %), what
			// servlet containers treat specially (; \) and what needs encoding (spaces,
			// controls): none of them can be matched literally.
			if ("*{}?#%;\\".indexOf(c) >= 0 || c <= ' ' || c == 0x7f) {
				return "it contains '" + c + "'";
			}
		}
		return null;
	}

	private static void checkOutsideActuator(String path, PathMappedEndpoints endpoints) {
		String basePath = endpoints.getBasePath();
		boolean clash;
		if (basePath.isEmpty() || basePath.equals("/")) {
			// Endpoints at the root: the dashboard must not take an endpoint's own path.
			String first = path.substring(1).split("/", 2)[0];
			clash = endpoints.getAllRootPaths().contains(first);
		}
		else {
			clash = path.equals(basePath) || path.startsWith(basePath + "/");
		}
		if (clash) {
			throw new ResilienceConfigurationException(PATH_PROPERTY,
					"invalid value '" + path + "': it lies among the Actuator endpoints (base path '" + basePath
							+ "', management.endpoints.web.base-path)",
					"Set " + PATH_PROPERTY + " to a path outside the Actuator endpoints, such as /resilience.");
		}
	}

	private static ResilienceConfigurationException endpointNotAvailable(Environment environment) {
		if (accessIsNone(environment)) {
			return new ResilienceConfigurationException(ENABLED_PROPERTY,
					"the dashboard is switched on but the 'resilience' Actuator endpoint, which it reads, is"
							+ " switched off (its access is none)",
					"Set management.endpoint.resilience.access=read-only (and keep resilience in"
							+ " management.endpoints.web.exposure.include), or set " + ENABLED_PROPERTY + "=false.");
		}
		return new ResilienceConfigurationException(ENABLED_PROPERTY,
				"the dashboard is switched on but the 'resilience' Actuator endpoint, which it reads, is not exposed"
						+ " over the web",
				"Add resilience to management.endpoints.web.exposure.include (for example"
						+ " management.endpoints.web.exposure.include=health,resilience), or set " + ENABLED_PROPERTY
						+ "=false.");
	}

	private static boolean accessIsNone(Environment environment) {
		String access = environment.getProperty("management.endpoint.resilience.access");
		if (access == null) {
			access = environment.getProperty("management.endpoints.access.default");
		}
		return isNone(access) || isNone(environment.getProperty("management.endpoints.access.max-permitted"));
	}

	private static boolean isNone(@Nullable String access) {
		return access != null && access.trim().toLowerCase(Locale.ROOT).equals("none");
	}

	private static String stripLeadingSlashes(String path) {
		int start = 0;
		while (start < path.length() && path.charAt(start) == '/') {
			start++;
		}
		return path.substring(start);
	}

}
