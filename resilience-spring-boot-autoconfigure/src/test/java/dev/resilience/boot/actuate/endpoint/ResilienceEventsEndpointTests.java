package dev.resilience.boot.actuate.endpoint;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code resilienceevents} endpoint over HTTP. Every instance here is created after
 * startup, so each test also shows that instances created later are followed. The shared
 * context keeps 8 events per instance.
 */
@EndpointTest
class ResilienceEventsEndpointTests {

	private static final CircuitBreakerConfig SMALL_WINDOW = CircuitBreakerConfig.builder()
		.slidingWindowSize(4)
		.minimumNumberOfCalls(4)
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RetryRegistry retries;

	@Autowired
	private RateLimiterRegistry rateLimiters;

	@Autowired
	private BulkheadRegistry bulkheads;

	@Autowired
	private TimeoutRegistry timeouts;

	@Autowired
	private FakeClock clock;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void showsACircuitBreakersOutcomesTransitionsAndRejectionsInOrderStampedByTheApplicationsClock() {
		Instant start = this.clock.advance(Duration.ofHours(1));
		CircuitBreaker breaker = this.circuitBreakers.instance("ev-cb", SMALL_WINDOW);
		breaker.acquirePermit().onSuccess(0, null);
		for (int i = 0; i < 3; i++) {
			this.clock.advance(Duration.ofMillis(1));
			breaker.acquirePermit().onFailure(0, new IOException("refused"));
		}
		this.clock.advance(Duration.ofMillis(1));
		assertThatExceptionOfType(CallNotPermittedException.class).isThrownBy(breaker::acquirePermit);
		ActuatorClient.Response response = this.actuator.get("resilienceevents?name=ev-cb");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<List<String>>read("$.events[*].type")).containsExactly("SUCCESS", "ERROR", "ERROR",
				"ERROR", "STATE_TRANSITION", "NOT_PERMITTED");
		assertThat(response.<List<String>>read("$.events[*].primitive")).containsOnly("circuitbreaker");
		assertThat(response.<Map<String, Object>>read("$.events[1].details"))
			.isEqualTo(Map.of("failure", Map.of("type", "java.io.IOException", "message", "refused")));
		assertThat(response.<Map<String, Object>>read("$.events[4].details"))
			.isEqualTo(Map.of("fromState", "CLOSED", "toState", "OPEN"));
		assertThat(response.<Map<String, Object>>read("$.events[0].details")).isEmpty();
		// The third failure opens the breaker: both events are received at the same time.
		assertThat(response.<List<String>>read("$.events[*].timestamp")).containsExactly(start.toString(),
				start.plusMillis(1).toString(), start.plusMillis(2).toString(), start.plusMillis(3).toString(),
				start.plusMillis(3).toString(), start.plusMillis(4).toString());
	}

	@Test
	void showsTheDetailsOfEveryPrimitivesEvents() throws Throwable {
		Retry retry = this.retries.instance("ev-all",
				RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ofMillis(200)).build());
		retry.onFailure(1, new IllegalStateException("busy"));
		retry.onResult(2, "ok");
		RateLimiter limiter = this.rateLimiters.instance("ev-all",
				RateLimiterConfig.builder().limitForPeriod(2).timeoutDuration(Duration.ZERO).build());
		limiter.acquirePermission(2);
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(() -> limiter.acquirePermission(1));
		Bulkhead bulkhead = this.bulkheads.instance("ev-all", BulkheadConfig.ofDefaults());
		bulkhead.acquirePermission();
		bulkhead.releasePermission();
		Timeout timeout = this.timeouts.instance("ev-all");
		timeout.execute(() -> "fast");
		ActuatorClient.Response response = this.actuator.get("resilienceevents?name=ev-all");
		assertThat(response.<List<String>>read("$.events[*].primitive")).containsExactlyInAnyOrder("retry", "retry",
				"ratelimiter", "ratelimiter", "bulkhead", "bulkhead", "timeout");
		assertThat(details(response, "retry", "RETRY")).isEqualTo(Map.of("attempt", 1, "wait", "PT0.2S", "failure",
				Map.of("type", "java.lang.IllegalStateException", "message", "busy")));
		assertThat(details(response, "retry", "SUCCESS")).isEqualTo(Map.of("attempt", 2));
		assertThat(details(response, "ratelimiter", "PERMITTED")).isEqualTo(Map.of("permits", 2));
		assertThat(details(response, "ratelimiter", "REJECTED")).isEqualTo(Map.of("permits", 1));
		assertThat(details(response, "bulkhead", "PERMITTED")).isEqualTo(Map.of("bulkheadType", "semaphore"));
		assertThat(details(response, "bulkhead", "FINISHED")).isEqualTo(Map.of("bulkheadType", "semaphore"));
		assertThat(details(response, "timeout", "SUCCESS")).isEmpty();
	}

	@Test
	void filtersByPrimitiveNameAndTypeTogether() {
		CircuitBreaker breaker = this.circuitBreakers.instance("ev-filter", SMALL_WINDOW);
		breaker.acquirePermit().onSuccess(0, null);
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		Retry retry = this.retries.instance("ev-filter", RetryConfig.ofDefaults());
		retry.onFailure(1, new IOException());
		assertThat(types("resilienceevents?name=ev-filter")).containsExactlyInAnyOrder("SUCCESS", "STATE_TRANSITION",
				"RETRY");
		assertThat(types("resilienceevents?name=ev-filter&primitive=circuitbreaker")).containsExactly("SUCCESS",
				"STATE_TRANSITION");
		assertThat(types("resilienceevents?name=ev-filter&primitive=RETRY")).containsExactly("RETRY");
		assertThat(types("resilienceevents?name=ev-filter&type=state_transition")).containsExactly("STATE_TRANSITION");
		assertThat(types("resilienceevents?name=ev-filter&primitive=retry&type=SUCCESS")).isEmpty();
		ActuatorClient.Response byType = this.actuator
			.get("resilienceevents?primitive=circuitbreaker&type=STATE_TRANSITION");
		assertThat(byType.<List<String>>read("$.events[*].name")).contains("ev-filter");
		assertThat(byType.<List<String>>read("$.events[*].type")).containsOnly("STATE_TRANSITION");
	}

	@Test
	void rejectsAnUnknownPrimitiveOrType() {
		assertBadRequest("resilienceevents?primitive=fuse",
				"primitive must be one of [bulkhead, chaos, circuitbreaker, ratelimiter, retry, timeout] but was 'fuse'");
		assertBadRequest("resilienceevents?primitive=ratelimiter&type=STATE_TRANSITION",
				"type must be one of [PERMITTED, REJECTED] for ratelimiter but was 'STATE_TRANSITION'");
		ActuatorClient.Response unknownType = this.actuator.get("resilienceevents?type=EXPLODED");
		assertThat(unknownType.status()).isEqualTo(400);
		assertThat(unknownType.<String>read("$.message")).startsWith("type must be one of [")
			.endsWith("] but was 'EXPLODED'");
	}

	@Test
	void keepsOnlyTheMostRecentEventsOfEachInstance() {
		CircuitBreaker breaker = this.circuitBreakers.instance("ev-bounded",
				CircuitBreakerConfig.builder()
					.failureRateThreshold(100)
					.slidingWindowSize(100)
					.minimumNumberOfCalls(100)
					.build());
		for (int call = 1; call <= 20; call++) {
			breaker.acquirePermit().onFailure(0, new IOException("call " + call));
		}
		ActuatorClient.Response response = this.actuator.get("resilienceevents?name=ev-bounded");
		assertThat(response.<List<String>>read("$.events[*].details.failure.message")).containsExactly("call 13",
				"call 14", "call 15", "call 16", "call 17", "call 18", "call 19", "call 20");
	}

	@Test
	void dropsTheEventsOfARemovedInstanceAndStopsListeningToIt() {
		CircuitBreaker breaker = this.circuitBreakers.instance("ev-removed", SMALL_WINDOW);
		breaker.acquirePermit().onSuccess(0, null);
		assertThat(types("resilienceevents?name=ev-removed")).containsExactly("SUCCESS");
		assertThat(breaker.events().hasListeners()).isTrue();
		this.circuitBreakers.remove("ev-removed");
		assertThat(types("resilienceevents?name=ev-removed")).isEmpty();
		assertThat(breaker.events().hasListeners()).isFalse();
	}

	private List<String> types(String path) {
		ActuatorClient.Response response = this.actuator.get(path);
		assertThat(response.status()).as(path).isEqualTo(200);
		return response.read("$.events[*].type");
	}

	private static Map<String, Object> details(ActuatorClient.Response response, String primitive, String type) {
		List<Map<String, Object>> details = response
			.read("$.events[?(@.primitive == '" + primitive + "' && @.type == '" + type + "')].details");
		assertThat(details).as(primitive + " " + type).hasSize(1);
		return details.get(0);
	}

	private void assertBadRequest(String path, String message) {
		ActuatorClient.Response response = this.actuator.get(path);
		assertThat(response.status()).as(path).isEqualTo(400);
		assertThat(response.<String>read("$.message")).as(path).isEqualTo(message);
	}

}
