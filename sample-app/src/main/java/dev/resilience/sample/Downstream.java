package dev.resilience.sample;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client of the downstream, which this application serves itself: the base URL
 * is known once the web server has started on its (possibly random) port, unless
 * {@code sample.downstream-url} names another server.
 */
@Component
class Downstream implements ApplicationListener<WebServerInitializedEvent> {

	private final RestClient.Builder builder;

	private volatile RestClient client;

	Downstream(RestClient.Builder builder, org.springframework.core.env.Environment environment) {
		this.builder = builder;
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
