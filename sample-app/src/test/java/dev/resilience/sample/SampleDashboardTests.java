package dev.resilience.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app serves the live dashboard that demo.sh tells the user to open: the page
 * at {@code /resilience/}, whose snapshot URL leads to the {@code resilience} endpoint
 * listing the sample's instances.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.banner-mode=off", "logging.level.root=warn" })
@Tag("slow")
class SampleDashboardTests {

	private static final Pattern SNAPSHOT = Pattern.compile("<meta name=\"resilience-snapshot\" content=\"([^\"]*)\">");

	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.build();

	@LocalServerPort
	private int port;

	@Test
	void servesTheDashboardAndItsSnapshot() throws Exception {
		HttpResponse<String> redirect = get(URI.create("http://localhost:" + this.port + "/resilience"));
		assertThat(redirect.statusCode()).isEqualTo(302);
		assertThat(redirect.headers().firstValue("Location")).hasValue("resilience/");

		URI page = URI.create("http://localhost:" + this.port + "/resilience/");
		HttpResponse<String> index = get(page);
		assertThat(index.statusCode()).isEqualTo(200);
		assertThat(index.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
		assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow())
			.startsWith("default-src 'self';");
		assertThat(get(page.resolve("dashboard.js")).statusCode()).isEqualTo(200);

		Matcher snapshot = SNAPSHOT.matcher(index.body());
		assertThat(snapshot.find()).as("the page's resilience-snapshot meta").isTrue();
		URI snapshotUri = page.resolve(snapshot.group(1));
		assertThat(snapshotUri.getPath()).isEqualTo("/actuator/resilience");
		HttpResponse<String> json = get(snapshotUri);
		assertThat(json.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(json.body(), "$.application")).isEqualTo("sample-app");
	}

	private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
