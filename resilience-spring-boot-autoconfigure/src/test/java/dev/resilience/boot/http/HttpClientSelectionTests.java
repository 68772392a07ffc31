package dev.resilience.boot.http;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which client gets which policy set: by bean qualifier, by base URL, explicitly; and an
 * HTTP interface client on such a client. Each server answers 503 then 200, so a client
 * that goes through a set with a retry gets {@code ok} and one that does not gets the
 * 503.
 */
class HttpClientSelectionTests {

	private final TestServer server = new TestServer().answer(503).answer(200);

	private final TestServer other = new TestServer().answer(503).answer(200);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
				ResilienceHttpAutoConfiguration.class, RestClientAutoConfiguration.class))
		.withPropertyValues("resilience.retry.instances.quick.wait-duration=10ms",
				"resilience.http.clients.api.retry=quick");

	@AfterEach
	void close() {
		this.server.close();
		this.other.close();
	}

	@Test
	void aSetAppliesToTheBuilderItsQualifierNames() {
		this.runner.withPropertyValues("resilience.http.clients.api.qualifiers=payments")
			.withUserConfiguration(QualifiedBuilders.class)
			.run((context) -> {
				RestClient payments = context.getBean("paymentsClient", RestClient.class);
				RestClient plain = context.getBean("plainClient", RestClient.class);
				assertThat(payments.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
				assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
					.isThrownBy(() -> plain.get().uri(this.other.url("/a")).retrieve().body(String.class));
			});
	}

	@Test
	void aSetAppliesToTheRequestsUnderItsBaseUrl() {
		this.runner.withPropertyValues("resilience.http.clients.api.base-urls=" + this.server.url("/api"))
			.run((context) -> {
				RestClient client = context.getBean(RestClient.Builder.class)
					.requestFactory(new JdkClientHttpRequestFactory())
					.build();
				assertThat(client.get().uri(this.server.url("/api/a")).retrieve().body(String.class)).isEqualTo("ok");
				assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
					.isThrownBy(() -> client.get().uri(this.other.url("/api/a")).retrieve().body(String.class));
				assertThat(this.server.received()).hasSize(2);
				assertThat(this.other.received()).hasSize(1);
			});
	}

	@Test
	void aSetAppliesToTheBuilderItIsGivenExplicitly() {
		this.runner.run((context) -> {
			ResilienceHttp http = context.getBean(ResilienceHttp.class);
			RestClient.Builder builder = context.getBean(RestClient.Builder.class)
				.requestFactory(new JdkClientHttpRequestFactory());
			RestClient client = http.restClient(builder, "api").build();
			assertThat(client.get().uri(this.server.url("/a")).retrieve().body(String.class)).isEqualTo("ok");
			RestClient without = context.getBean(RestClient.Builder.class)
				.requestFactory(new JdkClientHttpRequestFactory())
				.build();
			assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
				.isThrownBy(() -> without.get().uri(this.other.url("/a")).retrieve().body(String.class));
		});
	}

	@Test
	void aSetGivenExplicitlyReplacesTheOneChosenByBaseUrl() {
		try (TestServer twiceFailing = new TestServer().answer(503).answer(503).answer(200)) {
			this.runner.withPropertyValues("resilience.http.clients.once.retry=quick",
					"resilience.http.clients.once.base-urls=" + twiceFailing.url(),
					"resilience.retry.instances.twice.max-attempts=2",
					"resilience.retry.instances.twice.wait-duration=10ms", "resilience.http.clients.twice.retry=twice")
				.run((context) -> {
					RestClient client = context.getBean(ResilienceHttp.class)
						.restClient(context.getBean(RestClient.Builder.class)
							.requestFactory(new JdkClientHttpRequestFactory()), "twice")
						.build();
					// Through "twice" alone: two attempts, both 503. Had "once" (three
					// attempts) stayed inside, the third answer, a 200, would come back.
					assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
						.isThrownBy(() -> client.get().uri(twiceFailing.url("/a")).retrieve().body(String.class));
					assertThat(twiceFailing.received()).hasSize(2);
				});
		}
	}

	@Test
	void anHttpInterfaceClientOnSuchAClientGetsTheSet() {
		this.runner.run((context) -> {
			RestClient client = context.getBean(ResilienceHttp.class)
				.restClient(RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()), "api")
				.baseUrl(this.server.url())
				.build();
			Things things = HttpServiceProxyFactory.builderFor(RestClientAdapter.create(client))
				.build()
				.createClient(Things.class);
			assertThat(things.thing()).isEqualTo("ok");
			assertThat(this.server.received()).extracting(TestServer.Received::path)
				.containsExactly("/thing", "/thing");
		});
	}

	interface Things {

		@GetExchange("/thing")
		String thing();

	}

	@Configuration(proxyBeanMethods = false)
	static class QualifiedBuilders {

		@Bean
		@Qualifier("payments")
		RestClient paymentsClient() {
			return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()).build();
		}

		@Bean
		RestClient plainClient() {
			return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()).build();
		}

	}

}
