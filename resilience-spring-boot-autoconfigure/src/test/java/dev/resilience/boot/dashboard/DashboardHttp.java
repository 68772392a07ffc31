package dev.resilience.boot.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every dashboard HTTP test checks, as a browser would see it: the path redirects to
 * its folder, the page and its files come with their types and security headers, the
 * snapshot URL the page carries resolves to the {@code resilience} endpoint, and nothing
 * else is served.
 */
final class DashboardHttp {

	static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
			+ "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	private static final Pattern SNAPSHOT_META = Pattern
		.compile("<meta name=\"resilience-snapshot\" content=\"([^\"]*)\">");

	private static final Pattern ROOT_META = Pattern.compile("<meta name=\"resilience-root\" content=\"([^\"]*)\">");

	// Redirects are checked, not followed.
	private static final HttpClient client = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	private DashboardHttp() {
	}

	/**
	 * Checks the whole dashboard at {@code base + path}.
	 * @param base the server's root, as the browser sees it
	 * ({@code http://localhost:8080/app/})
	 * @param path the dashboard's path without leading slash ({@code ops/resilience})
	 * @param application the expected {@code spring.application.name} in the snapshot
	 */
	static void assertServed(String base, String path, String application) {
		URI dashboard = URI.create(base + path);
		HttpResponse<String> redirect = get(dashboard);
		assertThat(redirect.statusCode()).isEqualTo(302);
		String location = redirect.headers().firstValue("Location").orElseThrow();
		assertThat(URI.create(location).isAbsolute()).as("relative Location %s", location).isFalse();
		URI page = dashboard.resolve(location);
		assertThat(page).isEqualTo(URI.create(base + path + "/"));

		HttpResponse<String> index = get(page);
		assertThat(index.statusCode()).isEqualTo(200);
		assertFileHeaders(index, "text/html;charset=UTF-8");
		String html = index.body();
		assertThat(html).doesNotContain("@SNAPSHOT@").doesNotContain("@ROOT@");
		assertThat(page.resolve(meta(ROOT_META, html))).isEqualTo(URI.create(base));

		HttpResponse<String> script = get(page.resolve("dashboard.js"));
		assertThat(script.statusCode()).isEqualTo(200);
		assertFileHeaders(script, "text/javascript;charset=UTF-8");
		HttpResponse<String> styles = get(page.resolve("dashboard.css"));
		assertThat(styles.statusCode()).isEqualTo(200);
		assertFileHeaders(styles, "text/css;charset=UTF-8");
		HttpResponse<String> indexByName = get(page.resolve("index.html"));
		assertThat(indexByName.statusCode()).isEqualTo(200);
		assertThat(indexByName.body()).isEqualTo(html);

		URI snapshot = page.resolve(meta(SNAPSHOT_META, html));
		assertThat(snapshot).isEqualTo(URI.create(base + "actuator/resilience"));
		HttpResponse<String> json = get(snapshot);
		assertThat(json.statusCode()).isEqualTo(200);
		assertThat(json.headers().firstValue("Content-Type").orElseThrow()).contains("json");
		assertThat(JsonPath.<String>read(json.body(), "$.application")).isEqualTo(application);
		assertThat(JsonPath.<String>read(json.body(), "$.timestamp")).isNotBlank();

		HttpResponse<String> head = send(
				HttpRequest.newBuilder(page).method("HEAD", HttpRequest.BodyPublishers.noBody()));
		assertThat(head.statusCode()).isEqualTo(200);
		assertThat(head.body()).isEmpty();
		assertFileHeaders(head, "text/html;charset=UTF-8");

		for (String unknown : new String[] { "unknown.js", "index.htm", "INDEX.HTML", "static/index.html",
				"META-INF/MANIFEST.MF", "dashboard.js/", "dashboard.js/x" }) {
			assertThat(get(URI.create(page + unknown)).statusCode()).as("GET %s", page + unknown).isEqualTo(404);
		}
		// Ways out of the folder: the server refuses them (400) or nothing matches (404).
		for (String escape : new String[] { "%2e%2e/%2e%2e/application.properties", "..%2F..%2Fapplication.properties",
				"%2e%2e%2fDashboardFiles.class", "..;/index.html" }) {
			assertThat(get(URI.create(page + escape)).statusCode()).as("GET %s", page + escape).isIn(400, 404);
		}
	}

	/**
	 * Checks that nothing of the dashboard is served at {@code base + path}.
	 * @param base the server's root
	 * @param path the dashboard's path without leading slash
	 */
	static void assertNotServed(String base, String path) {
		for (String url : new String[] { base + path, base + path + "/", base + path + "/index.html",
				base + path + "/dashboard.js" }) {
			assertThat(get(URI.create(url)).statusCode()).as("GET %s", url).isEqualTo(404);
		}
	}

	static HttpResponse<String> get(URI uri) {
		return send(HttpRequest.newBuilder(uri).GET());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void assertFileHeaders(HttpResponse<String> response, String contentType) {
		assertThat(response.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""))
			.isEqualToIgnoringCase(contentType);
		assertThat(response.headers().allValues("Cache-Control")).containsExactly("no-cache");
		assertThat(response.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
		assertThat(response.headers().allValues("Content-Security-Policy")).containsExactly(CSP);
	}

	private static String meta(Pattern pattern, String html) {
		Matcher matcher = pattern.matcher(html);
		assertThat(matcher.find()).as("%s in %s", pattern, html).isTrue();
		return matcher.group(1);
	}

}
