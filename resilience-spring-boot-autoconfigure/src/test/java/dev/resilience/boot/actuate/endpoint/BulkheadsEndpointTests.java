package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.limit.LimitAlgorithm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code bulkheads} endpoint over HTTP, for both kinds of bulkhead.
 */
@EndpointTest
class BulkheadsEndpointTests {

	private static final BulkheadConfig TWO = BulkheadConfig.builder().maxConcurrentCalls(2).build();

	private static final ThreadPoolBulkheadConfig SMALL_POOL = ThreadPoolBulkheadConfig.builder()
		.coreThreadPoolSize(1)
		.maxThreadPoolSize(2)
		.queueCapacity(3)
		.build();

	@LocalServerPort
	private int port;

	@Autowired
	private BulkheadRegistry registry;

	@Autowired
	private ThreadPoolBulkheadRegistry threadPoolRegistry;

	private ActuatorClient actuator;

	@BeforeEach
	void createClient() {
		this.actuator = new ActuatorClient(this.port);
	}

	@Test
	void showsThePerKeyBoundAndTheLiveKeysOfASemaphoreBulkhead() {
		Bulkhead bulkhead = this.registry.instance("bh-keys",
				BulkheadConfig.builder().maxConcurrentCalls(2).maxKeys(300).build());
		bulkhead.forKey("ann").acquirePermission();
		bulkhead.forKey("bob").acquirePermission();
		ActuatorClient.Response response = this.actuator.get("bulkheads/bh-keys");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Integer>read("$.liveKeys")).isEqualTo(2);
		assertThat(response.<Map<String, Object>>read("$.config")).containsEntry("maxKeys", 300);
	}

	@Test
	void listsBothKindsWithFiguresAndConfiguration() throws Exception {
		Bulkhead bulkhead = this.registry.instance("bh-list", TWO);
		bulkhead.acquirePermission();
		bulkhead.acquirePermission();
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		ThreadPoolBulkhead pool = this.threadPoolRegistry.instance("tp-list", SMALL_POOL);
		pool.submit(() -> CompletableFuture.completedFuture("done")).get();
		ActuatorClient.Response response = this.actuator.get("bulkheads");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.bulkheads['bh-list']")).containsEntry("type", "semaphore")
			.containsEntry("maxConcurrentCalls", 2)
			.containsEntry("limit", 2)
			.containsEntry("limitAlgorithm", "fixed")
			.containsEntry("availableConcurrentCalls", 0)
			.containsEntry("activeCalls", 2)
			.containsEntry("totalPermittedCalls", 2)
			.containsEntry("totalRejectedCalls", 1);
		assertThat(response.<Map<String, Object>>read("$.bulkheads.inventory.config"))
			.containsEntry("maxConcurrentCalls", 2)
			.containsEntry("maxWaitDuration", "PT0S")
			.containsEntry("maxKeys", BulkheadConfig.DEFAULT_MAX_KEYS);
		assertThat(response.<Map<String, Object>>read("$.threadPoolBulkheads['tp-list']"))
			.containsEntry("type", "thread-pool")
			.containsEntry("coreThreadPoolSize", 1)
			.containsEntry("maxThreadPoolSize", 2)
			.containsEntry("queueCapacity", 3)
			.containsEntry("totalPermittedCalls", 1);
		assertThat(response.<Map<String, Object>>read("$.threadPoolBulkheads.reports.config"))
			.containsEntry("coreThreadPoolSize", 1)
			.containsEntry("maxThreadPoolSize", 2)
			.containsEntry("queueCapacity", 4)
			.containsEntry("keepAliveDuration", "PT0.02S");
		release(bulkhead, 2);
	}

	@Test
	void showsTheCurrentLimitAndTheAlgorithmOfAnAdaptiveBulkhead() {
		Bulkhead bulkhead = this.registry.instance("bh-adaptive",
				BulkheadConfig.builder()
					.limitAlgorithm(LimitAlgorithm.AIMD)
					.initialLimit(12)
					.minLimit(4)
					.maxLimit(40)
					.build());
		bulkhead.acquirePermission();
		ActuatorClient.Response response = this.actuator.get("bulkheads/bh-adaptive");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$")).containsEntry("limit", 12)
			.containsEntry("maxConcurrentCalls", 12)
			.containsEntry("limitAlgorithm", "aimd")
			.containsEntry("activeCalls", 1)
			.containsEntry("availableConcurrentCalls", 11);
		assertThat(response.<Map<String, Object>>read("$.config")).containsEntry("limitAlgorithm", "aimd")
			.containsEntry("initialLimit", 12)
			.containsEntry("minLimit", 4)
			.containsEntry("maxLimit", 40)
			.doesNotContainKey("maxConcurrentCalls");
		// A fixed size would be ignored by an adaptive limit: refused, naming the field.
		ActuatorClient.Response write = this.actuator.post("bulkheads/bh-adaptive", "{\"maxConcurrentCalls\":5}");
		assertThat(write.status()).isEqualTo(400);
		assertThat(write.<String>read("$.message"))
			.startsWith("maxConcurrentCalls applies to limitAlgorithm fixed only");
		assertThat(bulkhead.config().isAdaptive()).isTrue();
		release(bulkhead, 1);
	}

	@Test
	void findsEitherKindByNameAndTheTypeParameterPicksOne() {
		this.registry.instance("bh-shared", TWO);
		this.threadPoolRegistry.instance("bh-shared", SMALL_POOL);
		this.threadPoolRegistry.instance("tp-only", SMALL_POOL);
		assertThat(this.actuator.get("bulkheads/bh-shared").<String>read("$.type")).isEqualTo("semaphore");
		assertThat(this.actuator.get("bulkheads/bh-shared?type=thread-pool").<String>read("$.type"))
			.isEqualTo("thread-pool");
		assertThat(this.actuator.get("bulkheads/tp-only").<String>read("$.type")).isEqualTo("thread-pool");
		ActuatorClient.Response notSemaphore = this.actuator.get("bulkheads/tp-only?type=semaphore");
		assertThat(notSemaphore.status()).isEqualTo(404);
		assertThat(notSemaphore.<String>read("$.message")).isEqualTo("No semaphore bulkhead named 'tp-only'");
		ActuatorClient.Response badType = this.actuator.get("bulkheads/tp-only?type=fork-join");
		assertThat(badType.status()).isEqualTo(400);
		assertThat(badType.<String>read("$.message"))
			.isEqualTo("type must be 'semaphore' or 'thread-pool' but was 'fork-join'");
	}

	@Test
	void answers404ForAnUnknownNameWithoutCreatingABulkhead() {
		assertThat(this.actuator.get("bulkheads/bh-unknown").status()).isEqualTo(404);
		ActuatorClient.Response write = this.actuator.post("bulkheads/bh-unknown", "{\"maxConcurrentCalls\":5}");
		assertThat(write.status()).isEqualTo(404);
		assertThat(write.<String>read("$.message")).isEqualTo("No bulkhead named 'bh-unknown'");
		assertThat(this.registry.find("bh-unknown")).isEmpty();
		assertThat(this.threadPoolRegistry.find("bh-unknown")).isEmpty();
	}

	@Test
	void changesTheSizeAtRunTimeKeepingCallsInFlightAndTheTotals() {
		Bulkhead bulkhead = this.registry.instance("bh-change", TWO);
		bulkhead.acquirePermission();
		ActuatorClient.Response response = this.actuator.post("bulkheads/bh-change",
				"{\"maxConcurrentCalls\":5,\"maxWaitDuration\":\"250ms\"}");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$")).containsEntry("maxConcurrentCalls", 5)
			.containsEntry("activeCalls", 1)
			.containsEntry("availableConcurrentCalls", 4)
			.containsEntry("totalPermittedCalls", 1);
		assertThat(response.<String>read("$.config.maxWaitDuration")).isEqualTo("PT0.25S");
		assertThat(this.registry.find("bh-change")).containsSame(bulkhead);
		// The call in flight gives its place back to the new limit.
		bulkhead.releasePermission();
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(5);
		// Shrinking below the calls in flight admits no one until enough have left.
		bulkhead.acquirePermission();
		bulkhead.acquirePermission();
		ActuatorClient.Response shrunk = this.actuator.post("bulkheads/bh-change", "{\"maxConcurrentCalls\":1}");
		assertThat(shrunk.<Integer>read("$.maxConcurrentCalls")).isEqualTo(1);
		assertThat(bulkhead.tryAcquirePermission()).isFalse();
		release(bulkhead, 2);
		assertThat(bulkhead.tryAcquirePermission()).isTrue();
		release(bulkhead, 1);
	}

	@Test
	void changesAThreadPoolBulkheadsPoolButNotItsQueue() {
		ThreadPoolBulkhead pool = this.threadPoolRegistry.instance("tp-change", SMALL_POOL);
		ActuatorClient.Response response = this.actuator.post("bulkheads/tp-change",
				"{\"coreThreadPoolSize\":2,\"maxThreadPoolSize\":4,\"keepAliveDuration\":\"1s\"}");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.<Map<String, Object>>read("$.config")).containsEntry("coreThreadPoolSize", 2)
			.containsEntry("maxThreadPoolSize", 4)
			.containsEntry("keepAliveDuration", "PT1S");
		assertThat(pool.metrics().maxThreadPoolSize()).isEqualTo(4);
		ActuatorClient.Response queue = this.actuator.post("bulkheads/tp-change", "{\"queueCapacity\":10}");
		assertThat(queue.status()).isEqualTo(400);
		assertThat(queue.<String>read("$.message")).startsWith(
				"queueCapacity of ThreadPoolBulkhead 'tp-change' " + "cannot be changed at run time (from 3 to 10)");
		assertThat(pool.config().queueCapacity()).isEqualTo(3);
	}

	@Test
	void rejectsAnInvalidChangeWithTheSettingNamedAndChangesNothing() {
		Bulkhead bulkhead = this.registry.instance("bh-invalid", TWO);
		this.threadPoolRegistry.instance("tp-invalid", SMALL_POOL);
		assertBadRequest("bh-invalid", "{\"maxConcurrentCalls\":0}", "maxConcurrentCalls must be at least 1 but was 0");
		assertBadRequest("bh-invalid", "{\"maxWaitDuration\":\"-5ms\"}",
				"maxWaitDuration must not be negative but was PT-0.005S");
		assertBadRequest("bh-invalid", "{\"maxWaitDuration\":\"2d\"}",
				"maxWaitDuration must be at most PT24H but was PT48H");
		assertBadRequest("tp-invalid", "{\"keepAliveDuration\":\"99999999999d\"}",
				"keepAliveDuration must be at most PT24H but was PT2399999999976H");
		assertBadRequest("bh-invalid", "{\"coreThreadPoolSize\":3}",
				"coreThreadPoolSize does not apply to a semaphore bulkhead");
		assertBadRequest("bh-invalid", "{}",
				"Give at least one of maxConcurrentCalls, maxWaitDuration in the request body");
		assertBadRequest("tp-invalid", "{\"maxConcurrentCalls\":3}",
				"maxConcurrentCalls does not apply to a thread-pool bulkhead");
		assertBadRequest("tp-invalid", "{\"coreThreadPoolSize\":3}",
				"coreThreadPoolSize must not exceed maxThreadPoolSize (2) but was 3");
		assertThat(bulkhead.config()).isSameAs(TWO);
		assertThat(bulkhead.config().maxWaitDuration()).isEqualTo(Duration.ZERO);
	}

	private void assertBadRequest(String name, String body, String message) {
		ActuatorClient.Response response = this.actuator.post("bulkheads/" + name, body);
		assertThat(response.status()).as(body).isEqualTo(400);
		assertThat(response.<String>read("$.message")).as(body).isEqualTo(message);
	}

	private static void release(Bulkhead bulkhead, int places) {
		for (int i = 0; i < places; i++) {
			bulkhead.releasePermission();
		}
	}

}
