package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.Map;

import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ratelimiters} endpoint over HTTP. Time is fake and stands still, so the
 * bucket does not refill between the calls and the requests.
 */
@EndpointTest
class RateLimitersEndpointTests {

	private static final RateLimiterConfig TEN_PER_SECOND = RateLimiterConfig.builder()
		.limitForPeriod(10)
		.limitRefreshPeriod(Duration.ofSeconds(1))
		.timeoutDuration(Duration.ZERO)
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private RateLimiterRegistry registry;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void listsEveryRateLimiterWithFiguresAndConfiguration() {
		RateLimiter limiter = this.registry.instance("rl-list", TEN_PER_SECOND);
		take(limiter, 12);
		ActuatorClient.Response response = this.actuator.get("ratelimiters");
		assertThat(response.status()).isEqualTo(200);
		Map<String, Object> listed = response.read("$.rateLimiters['rl-list']");
		assertThat(listed).containsEntry("name", "rl-list")
			.containsEntry("availablePermissions", 0)
			.containsEntry("effectiveBurstCapacity", 10)
			.containsEntry("totalPermittedCalls", 10)
			.containsEntry("totalRejectedCalls", 2);
		assertThat(response.<Map<String, Object>>read("$.rateLimiters.search.config"))
			.containsEntry("limitForPeriod", 10)
			.containsEntry("limitRefreshPeriod", "PT1S")
			.containsEntry("timeoutDuration", "PT0S")
			.containsEntry("burstCapacity", 0);
	}

	@Test
	void showsMaxKeysAndLeavesBackendAvailableOutForALocalLimiter() {
		this.registry.instance("rl-keys", RateLimiterConfig.from(TEN_PER_SECOND).maxKeys(500).build());
		for (String path : new String[] { "ratelimiters/rl-keys", "ratelimiters" }) {
			ActuatorClient.Response response = this.actuator.get(path);
			String limiter = path.equals("ratelimiters") ? "$.rateLimiters['rl-keys']" : "$";
			Map<String, Object> described = response.read(limiter);
			assertThat(described).as(path).containsEntry("backend", "local").doesNotContainKey("backendAvailable");
			assertThat(response.<Map<String, Object>>read(limiter + ".config")).as(path).containsEntry("maxKeys", 500);
		}
		assertThat(this.actuator.get("ratelimiters").<Map<String, Object>>read("$.rateLimiters.search.config"))
			.as("the default")
			.containsEntry("maxKeys", RateLimiterConfig.DEFAULT_MAX_KEYS);
	}

	@Test
	void describesOneRateLimiterAndAnswers404ForAnUnknownOne() {
		this.registry.instance("rl-detail", TEN_PER_SECOND);
		ActuatorClient.Response response = this.actuator.get("ratelimiters/rl-detail");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Integer>read("$.availablePermissions")).isEqualTo(10);
		ActuatorClient.Response unknown = this.actuator.get("ratelimiters/rl-unknown");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.<String>read("$.message")).isEqualTo("No rate limiter named 'rl-unknown'");
		ActuatorClient.Response write = this.actuator.post("ratelimiters/rl-unknown", "{\"limitForPeriod\":5}");
		assertThat(write.status()).isEqualTo(404);
		assertThat(this.registry.find("rl-unknown")).isEmpty();
	}

	@Test
	void changesTheLimitAtRunTimeKeepingTheBucketAndTheTotals() {
		RateLimiter limiter = this.registry.instance("rl-change", TEN_PER_SECOND);
		take(limiter, 6);
		ActuatorClient.Response response = this.actuator.post("ratelimiters/rl-change",
				"{\"limitForPeriod\":20,\"limitRefreshPeriod\":\"2s\",\"timeoutDuration\":\"PT0.5S\","
						+ "\"burstCapacity\":30}");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.config")).containsEntry("limitForPeriod", 20)
			.containsEntry("limitRefreshPeriod", "PT2S")
			.containsEntry("timeoutDuration", "PT0.5S")
			.containsEntry("burstCapacity", 30);
		// The same instance, reconfigured: the 4 permits left are kept, not refilled to
		// the new capacity, and the totals go on.
		assertThat(this.registry.find("rl-change")).containsSame(limiter);
		assertThat(response.<Integer>read("$.availablePermissions")).isEqualTo(4);
		assertThat(response.<Integer>read("$.effectiveBurstCapacity")).isEqualTo(30);
		assertThat(response.<Integer>read("$.totalPermittedCalls")).isEqualTo(6);
		assertThat(limiter.config().limitForPeriod()).isEqualTo(20);
		// A smaller bucket holds fewer permits.
		ActuatorClient.Response smaller = this.actuator.post("ratelimiters/rl-change", "{\"burstCapacity\":2}");
		assertThat(smaller.<Integer>read("$.availablePermissions")).isEqualTo(2);
		assertThat(smaller.<Integer>read("$.config.limitForPeriod")).isEqualTo(20);
	}

	@Test
	void rejectsAnInvalidChangeWithTheSettingNamedAndChangesNothing() {
		RateLimiter limiter = this.registry.instance("rl-invalid", TEN_PER_SECOND);
		assertBadRequest("{\"limitForPeriod\":0}", "limitForPeriod must be at least 1 but was 0");
		assertBadRequest("{\"limitRefreshPeriod\":\"0s\"}",
				"limitRefreshPeriod must be greater than zero but was PT0S");
		assertBadRequest("{\"timeoutDuration\":\"-1s\"}", "timeoutDuration must not be negative but was PT-1S");
		assertBadRequest("{\"timeoutDuration\":\"99999999999d\"}",
				"timeoutDuration must be at most PT24H but was PT2399999999976H");
		assertBadRequest("{\"limitRefreshPeriod\":\"99999999999d\"}",
				"limitRefreshPeriod must be at most PT320255H58M24.606846976S but was PT2399999999976H");
		assertBadRequest("{\"limitForPeriod\":\"many\"}", "limitForPeriod must be an integer but was 'many'");
		assertBadRequest("{\"timeoutDuration\":\"soon\"}",
				"timeoutDuration must be a duration such as '500ms', '10s' or 'PT1S' but was 'soon'");
		assertBadRequest("{}", "Give at least one of limitForPeriod, limitRefreshPeriod, timeoutDuration, "
				+ "burstCapacity in the request body");
		assertThat(limiter.config()).isSameAs(TEN_PER_SECOND);
	}

	private void assertBadRequest(String body, String message) {
		ActuatorClient.Response response = this.actuator.post("ratelimiters/rl-invalid", body);
		assertThat(response.status()).as(body).isEqualTo(400);
		assertThat(response.<String>read("$.message")).as(body).isEqualTo(message);
	}

	private static void take(RateLimiter limiter, int calls) {
		for (int i = 0; i < calls; i++) {
			limiter.tryAcquirePermission(1);
		}
	}

}
