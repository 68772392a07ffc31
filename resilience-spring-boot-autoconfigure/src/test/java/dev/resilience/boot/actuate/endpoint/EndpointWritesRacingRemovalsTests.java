package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.RegistryEvent;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint write racing the removal of its instance never re-creates the instance: it
 * answers 404 and changes nothing, or it changed the instance while the instance was
 * registered and answers 200 with that instance's description.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndpointWritesRacingRemovalsTests {

	private static final int ROUNDS = 1_000;

	private static final int MAX_SPINS = 2_000;

	private static final Random RANDOM = new Random();

	private final ExecutorService executor = Executors.newFixedThreadPool(2);

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
	}

	@Test
	void aRateLimiterRemovedWhileItsWriteIsPreparedIsNotRecreatedAndTheWriteAnswers404() {
		// The removal lands exactly between the endpoint's lookup and its change: the
		// limiter removes itself when the endpoint first reads its configuration.
		AtomicBoolean removeOnNextConfigRead = new AtomicBoolean();
		AtomicReference<RateLimiterRegistry> registry = new AtomicReference<>();
		FakeTicker ticker = new FakeTicker();
		registry.set(RateLimiterRegistry.of(RateLimiterConfig.ofDefaults(), ticker, new ManualScheduler(ticker),
				(name, config, time, scheduler) -> new RemovedOnConfigRead(
						RateLimiter.of(name, config, time, scheduler), removeOnNextConfigRead, registry)));
		AtomicInteger added = countAdded(registry.get());
		RateLimiter limiter = registry.get().instance("search");
		RateLimiterConfig before = limiter.config();
		removeOnNextConfigRead.set(true);

		WebEndpointResponse<Object> response = new RateLimitersEndpoint(registry.get()).update("search", "20", null,
				null, null);

		assertThat(response.getStatus()).isEqualTo(404);
		assertThat(registry.get().find("search")).as("no limiter made by the write").isEmpty();
		assertThat(added).hasValue(1);
		assertThat(limiter.config()).as("the removed limiter is not changed").isSameAs(before);
	}

	@Test
	@Tag("concurrency")
	void rateLimiterWritesRacingRemovals() throws Exception {
		RateLimiterRegistry registry = RateLimiterRegistry.of(RateLimiterConfig.ofDefaults());
		RateLimitersEndpoint endpoint = new RateLimitersEndpoint(registry);
		race(registry, () -> registry.instance("search", RateLimiterConfig.ofDefaults()),
				() -> endpoint.update("search", "77", null, null, null),
				(limiter) -> limiter.config().limitForPeriod() == 77);
	}

	@Test
	@Tag("concurrency")
	void timeoutWritesRacingRemovals() throws Exception {
		TimeoutRegistry registry = TimeoutRegistry.of(TimeoutConfig.ofDefaults());
		TimeoutsEndpoint endpoint = new TimeoutsEndpoint(registry);
		race(registry, () -> registry.instance("quotes", TimeoutConfig.ofDefaults()),
				() -> endpoint.update("quotes", "7s", null),
				(timeout) -> timeout.config().timeoutDuration().equals(Duration.ofSeconds(7)));
	}

	@Test
	@Tag("concurrency")
	void semaphoreBulkheadWritesRacingRemovals() throws Exception {
		BulkheadRegistry registry = BulkheadRegistry.of(BulkheadConfig.ofDefaults());
		BulkheadsEndpoint endpoint = new BulkheadsEndpoint(registry, null);
		race(registry, () -> registry.instance("inventory", BulkheadConfig.ofDefaults()),
				() -> endpoint.update("inventory", null, "77", null, null, null, null, null),
				(bulkhead) -> bulkhead.config().maxConcurrentCalls() == 77);
	}

	@Test
	@Tag("concurrency")
	void threadPoolBulkheadWritesRacingRemovals() throws Exception {
		ThreadPoolBulkheadRegistry registry = ThreadPoolBulkheadRegistry.of(ThreadPoolBulkheadConfig.ofDefaults());
		BulkheadsEndpoint endpoint = new BulkheadsEndpoint(BulkheadRegistry.of(BulkheadConfig.ofDefaults()), registry);
		ThreadPoolBulkheadConfig before = ThreadPoolBulkheadConfig.builder()
			.coreThreadPoolSize(1)
			.maxThreadPoolSize(1)
			.build();
		try {
			race(registry, () -> registry.instance("reports", before),
					() -> endpoint.update("reports", "thread-pool", null, null, null, "7", null, null),
					(bulkhead) -> bulkhead.config().maxThreadPoolSize() == 7);
		}
		finally {
			registry.close();
		}
	}

	@Test
	@Tag("concurrency")
	void circuitBreakerTransitionsRacingRemovals() throws Exception {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.ofDefaults());
		CircuitBreakersEndpoint endpoint = new CircuitBreakersEndpoint(registry);
		// One clock for both: a transition reported as done must come before the
		// removal of its breaker.
		AtomicLong clock = new AtomicLong();
		AtomicLong removedAt = new AtomicLong();
		AtomicLong transitionedAt = new AtomicLong();
		registry.events().onEvent((event) -> {
			if (event.type() == RegistryEvent.Type.REMOVED) {
				removedAt.set(clock.incrementAndGet());
			}
		});
		race(registry, () -> {
			removedAt.set(Long.MAX_VALUE);
			transitionedAt.set(0);
			CircuitBreaker breaker = registry.instance("payments", CircuitBreakerConfig.ofDefaults());
			breaker.events().onEvent((event) -> {
				if (event.type() == CircuitBreakerEvent.Type.STATE_TRANSITION) {
					transitionedAt.set(clock.incrementAndGet());
				}
			});
			return breaker;
		}, () -> endpoint.update("payments", "FORCED_OPEN", null), (breaker) -> {
			boolean forced = breaker.state() == CircuitBreaker.State.FORCED_OPEN;
			assertThat(!forced || transitionedAt.get() < removedAt.get())
				.as("forced open at %d, after its removal at %d", transitionedAt.get(), removedAt.get())
				.isTrue();
			return forced;
		});
	}

	/**
	 * Each round: create the instance, then one thread writes through the endpoint while
	 * another removes the instance.
	 */
	private <P extends Policy<?>> void race(Registry<P, ?> registry, Supplier<P> create,
			Supplier<WebEndpointResponse<Object>> write, Predicate<P> changedByTheWrite) throws Exception {
		AtomicInteger added = countAdded(registry);
		int applied = 0;
		for (int round = 0; round < ROUNDS; round++) {
			P created = create.get();
			String name = created.name();
			CyclicBarrier start = new CyclicBarrier(2);
			// A random head start for one side, so that both orders happen often.
			int writerSpins = RANDOM.nextBoolean() ? RANDOM.nextInt(MAX_SPINS) : 0;
			int removerSpins = (writerSpins == 0) ? RANDOM.nextInt(MAX_SPINS) : 0;
			Future<WebEndpointResponse<Object>> writing = this.executor.submit(() -> {
				start.await();
				spin(writerSpins);
				return write.get();
			});
			Future<Optional<P>> removing = this.executor.submit(() -> {
				start.await();
				spin(removerSpins);
				return registry.remove(name);
			});
			WebEndpointResponse<Object> response = writing.get(10, TimeUnit.SECONDS);
			assertThat(removing.get(10, TimeUnit.SECONDS)).as("round %d", round).containsSame(created);
			assertThat(registry.find(name)).as("round %d: an instance made by the write", round).isEmpty();
			assertThat(response.getStatus()).as("round %d", round).isIn(200, 404);
			if (response.getStatus() == 200) {
				applied++;
				assertThat(changedByTheWrite.test(created))
					.as("round %d: 200, but the removed instance is unchanged", round)
					.isTrue();
			}
			else {
				assertThat(changedByTheWrite.test(created)).as("round %d: 404, but the instance was changed", round)
					.isFalse();
			}
		}
		assertThat(added).as("instances created, all by the test").hasValue(ROUNDS);
		// Not an invariant: a check that both outcomes of the race were exercised.
		assertThat(applied).isBetween(1, ROUNDS - 1);
	}

	private static void spin(int spins) {
		for (int i = 0; i < spins; i++) {
			Thread.onSpinWait();
		}
	}

	private static AtomicInteger countAdded(Registry<?, ?> registry) {
		AtomicInteger added = new AtomicInteger();
		registry.events().onEvent((event) -> {
			if (event.type() == RegistryEvent.Type.ADDED) {
				added.incrementAndGet();
			}
		});
		return added;
	}

	/**
	 * A rate limiter that removes itself from its registry when asked for its config,
	 * once armed.
	 */
	private static final class RemovedOnConfigRead implements RateLimiter {

		private final RateLimiter delegate;

		private final AtomicBoolean armed;

		private final AtomicReference<RateLimiterRegistry> registry;

		RemovedOnConfigRead(RateLimiter delegate, AtomicBoolean armed, AtomicReference<RateLimiterRegistry> registry) {
			this.delegate = delegate;
			this.armed = armed;
			this.registry = registry;
		}

		@Override
		public RateLimiterConfig config() {
			if (this.armed.compareAndSet(true, false)) {
				this.registry.get().remove(name());
			}
			return this.delegate.config();
		}

		@Override
		public String name() {
			return this.delegate.name();
		}

		@Override
		public void reconfigure(RateLimiterConfig config) {
			this.delegate.reconfigure(config);
		}

		@Override
		public void reset() {
			this.delegate.reset();
		}

		@Override
		public void acquirePermission(int permits) {
			this.delegate.acquirePermission(permits);
		}

		@Override
		public boolean tryAcquirePermission(int permits) {
			return this.delegate.tryAcquirePermission(permits);
		}

		@Override
		public long reservePermission(int permits) {
			return this.delegate.reservePermission(permits);
		}

		@Override
		public RateLimiter forKey(Object key) {
			return this.delegate.forKey(key);
		}

		@Override
		public Scheduler scheduler() {
			return this.delegate.scheduler();
		}

		@Override
		public Metrics metrics() {
			return this.delegate.metrics();
		}

		@Override
		public EventPublisher<RateLimiterEvent> events() {
			return this.delegate.events();
		}

	}

}
