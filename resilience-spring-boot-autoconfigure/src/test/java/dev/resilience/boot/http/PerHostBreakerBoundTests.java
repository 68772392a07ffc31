package dev.resilience.boot.http;

import java.net.URI;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.pipeline.Pipeline;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code breaker-per-host} keeps memory bounded whatever the number of hosts.
 */
class PerHostBreakerBoundTests {

	@Test
	void atMostMaxHostsGetTheirOwnBreakerAndTheRestShareTheNamedOne() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceHttpAutoConfiguration.class))
			.withPropertyValues("resilience.http.clients.api.preset=standard",
					"resilience.http.clients.api.breaker-per-host=true")
			.run((context) -> {
				HttpPolicySet set = context.getBean(ResilienceHttp.class).set("api");
				for (int i = 0; i < HttpPolicySet.MAX_HOSTS + 50; i++) {
					set.inner(URI.create("http://host-" + i + ".example.com/a"), true);
				}
				assertThat(set.hostCount()).isEqualTo(HttpPolicySet.MAX_HOSTS);
				Pipeline first = set.inner(URI.create("http://host-0.example.com/b"), true);
				Pipeline beyond = set.inner(URI.create("http://host-999.example.com/b"), true);
				assertThat(first.circuitBreaker().name()).isEqualTo("http.api@host-0.example.com");
				assertThat(beyond.circuitBreaker().name()).isEqualTo("http.api");
				// The same host in another case is the same breaker.
				assertThat(set.inner(URI.create("http://HOST-0.example.com/c"), false).circuitBreaker())
					.isSameAs(first.circuitBreaker());
				assertThat(context.getBean(CircuitBreakerRegistry.class).all()).hasSize(HttpPolicySet.MAX_HOSTS + 1);
			});
	}

}
