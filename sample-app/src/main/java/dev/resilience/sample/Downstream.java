package dev.resilience.sample;

import dev.resilience.boot.http.ResilienceHttp;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client of the downstream, which this application serves itself: the base URL
 * is known once the web server has started on its (possibly random) port, unless
 * {@code sample.downstream-url} names another server.
 * <p>
 * Every request it sends goes through the {@code downstream} policy set of
 * {@code application.yml} ({@code resilience.http.clients.downstream}, the
 * {@code standard} preset): a total and an attempt timeout, retries of the requests that
 * may be repeated (GETs, not the POST that charges a payment) honouring
 * {@code Retry-After}, a circuit breaker that counts 5xx but not 404, and the request's
 * deadline sent on in {@code X-Request-Timeout-Ms}.
 */
@Component
class Downstream implements ApplicationListener<WebServerInitializedEvent> {

	private final RestClient.Builder builder;

	private volatile RestClient client;

	Downstream(RestClient.Builder builder, ResilienceHttp http, org.springframework.core.env.Environment environment) {
		this.builder = http.restClient(builder, "downstream");
		String configured = environment.getProperty("sample.downstream-url");
		this.client = (configured != null) ? builder.baseUrl(configured).build() : null;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (this.client == null) {
			this.client = this.builder.baseUrl("http://localhost:" + event.getWebServer().getPort() + "/downstream")
				.build();
		}
	}

	RestClient client() {
		RestClient client = this.client;
		if (client == null) {
			throw new IllegalStateException("The downstream URL is not known before the web server has started");
		}
		return client;
	}

}
