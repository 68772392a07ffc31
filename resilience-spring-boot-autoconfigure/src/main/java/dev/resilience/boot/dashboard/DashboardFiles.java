package dev.resilience.boot.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * The dashboard's files, read from the class path once at startup: every file directly in
 * {@code dev/resilience/boot/dashboard/static/}, by name, with its bytes and headers.
 * {@code index.html} gets its two placeholders replaced: {@code @ROOT@} and
 * {@code @SNAPSHOT@}.
 * <p>
 * Immutable once built, so the router functions of both web stacks share it between
 * threads; a request only looks a name up, and nothing is read, parsed or built per
 * request. The folder is not one that Spring Boot serves by itself
 * ({@code META-INF/resources}, {@code static/}), so nothing is served when the dashboard
 * is off.
 */
final class DashboardFiles {

	static final String LOCATION = "dev/resilience/boot/dashboard/static/";

	static final String INDEX = "index.html";

	static final String ROOT_PLACEHOLDER = "@ROOT@";

	static final String SNAPSHOT_PLACEHOLDER = "@SNAPSHOT@";

	/**
	 * The page allows nothing but its own origin's files and requests: no inline script
	 * or style, no framing, no form target.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
			+ "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

	private static final Map<String, MediaType> TYPES = Map.ofEntries(
			Map.entry("html", new MediaType("text", "html", StandardCharsets.UTF_8)),
			Map.entry("js", new MediaType("text", "javascript", StandardCharsets.UTF_8)),
			Map.entry("mjs", new MediaType("text", "javascript", StandardCharsets.UTF_8)),
			Map.entry("css", new MediaType("text", "css", StandardCharsets.UTF_8)),
			Map.entry("svg", new MediaType("image", "svg+xml", StandardCharsets.UTF_8)),
			Map.entry("json", new MediaType("application", "json", StandardCharsets.UTF_8)),
			Map.entry("txt", new MediaType("text", "plain", StandardCharsets.UTF_8)),
			Map.entry("png", MediaType.IMAGE_PNG), Map.entry("ico", new MediaType("image", "x-icon")),
			Map.entry("woff2", new MediaType("font", "woff2")));

	private final Map<String, File> files;

	private DashboardFiles(Map<String, File> files) {
		this.files = files;
	}

	/**
	 * Reads the files and replaces the placeholders of {@code index.html}.
	 * @param classLoader where to find them
	 * @param settings the page's relative URLs
	 * @return the files
	 * @throws IllegalStateException when {@code index.html} or one of its placeholders is
	 * missing, or a file has a type the dashboard does not know
	 */
	static DashboardFiles load(@Nullable ClassLoader classLoader, DashboardSettings settings) {
		Map<String, File> files = new TreeMap<>();
		try {
			Resource[] resources = new PathMatchingResourcePatternResolver(classLoader)
				.getResources("classpath:" + LOCATION + "*");
			for (Resource resource : resources) {
				String name = resource.getFilename();
				// Directories are not readable: only the folder's own files are served.
				if (name == null || name.isEmpty() || !resource.isReadable()) {
					continue;
				}
				byte[] bytes;
				try (InputStream in = resource.getInputStream()) {
					bytes = in.readAllBytes();
				}
				if (name.equals(INDEX)) {
					bytes = index(new String(bytes, StandardCharsets.UTF_8), settings).getBytes(StandardCharsets.UTF_8);
				}
				files.put(name, new File(name, bytes, type(name)));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the dashboard's files from classpath:" + LOCATION, ex);
		}
		if (!files.containsKey(INDEX)) {
			throw new IllegalStateException("The dashboard's page is missing: no classpath:" + LOCATION + INDEX);
		}
		return new DashboardFiles(Map.copyOf(files));
	}

	private static String index(String html, DashboardSettings settings) {
		for (String placeholder : new String[] { ROOT_PLACEHOLDER, SNAPSHOT_PLACEHOLDER }) {
			if (!html.contains(placeholder)) {
				throw new IllegalStateException("The dashboard's " + INDEX + " lacks its placeholder " + placeholder
						+ " (classpath:" + LOCATION + INDEX + "): the page would not find the resilience endpoint");
			}
		}
		// The values go into attributes: escaped, although a valid path has nothing to
		// escape (an endpoint's path mapping might).
		return html.replace(SNAPSHOT_PLACEHOLDER, escape(settings.snapshot()))
			.replace(ROOT_PLACEHOLDER, escape(settings.root()));
	}

	private static String escape(String value) {
		return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static MediaType type(String name) {
		int dot = name.lastIndexOf('.');
		MediaType type = (dot < 0) ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
		if (type == null) {
			throw new IllegalStateException("The dashboard's file classpath:" + LOCATION + name
					+ " has a type the dashboard cannot serve; known extensions: " + new TreeMap<>(TYPES).keySet());
		}
		return type;
	}

	/**
	 * Returns the file of that name.
	 * @param name a file name, as it stands in the request's last segment
	 * @return the file, or {@code null} when the dashboard has none of that name
	 */
	@Nullable File get(String name) {
		return this.files.get(name);
	}

	/**
	 * Returns the page.
	 * @return {@code index.html}
	 */
	File index() {
		File index = this.files.get(INDEX);
		if (index == null) {
			throw new IllegalStateException("No " + INDEX);
		}
		return index;
	}

	/**
	 * Returns the names of the files, sorted.
	 * @return the names
	 */
	Set<String> names() {
		return new TreeSet<>(this.files.keySet());
	}

	/**
	 * Sets the headers every dashboard response carries: no caching without asking again
	 * (a new version of the starter must not show an old page), no type sniffing, and the
	 * content security policy.
	 * @param headers the response's headers
	 */
	static void securityHeaders(HttpHeaders headers) {
		headers.setCacheControl("no-cache");
		headers.set("X-Content-Type-Options", "nosniff");
		headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
	}

	/**
	 * One file: its name, bytes and content type.
	 *
	 * @param name the file's name
	 * @param bytes its content (not to be modified)
	 * @param type its content type, with a charset for text
	 */
	record File(String name, byte[] bytes, MediaType type) {

	}

}
