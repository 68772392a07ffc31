package dev.resilience.boot.health;

import dev.resilience.boot.autoconfigure.BackendState;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterEvent;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rate limiter whose state lives in a store (Redis) reports that store in its health:
 * the backend, whether it answers, and its failures; with
 * {@code allow-health-indicator-to-fail} an outage turns it {@code DOWN}.
 */
class BackendHealthTests {

	@Test
	void aBackendOutageShowsInTheDetailsAndFailsOnlyWhenAllowedTo() {
		StoreBackedLimiter limiter = new StoreBackedLimiter(false, 7);
		Health informational = ResilienceHealthIndicators.rateLimiter(limiter, false);
		assertThat(informational.getStatus()).isEqualTo(Status.UP);
		assertThat(informational.getDetails()).containsEntry("backend", "redis")
			.containsEntry("backendAvailable", false)
			.containsEntry("backendFailures", 7L);
		assertThat(ResilienceHealthIndicators.rateLimiter(limiter, true).getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void anAnsweringBackendKeepsTheUsualStatus() {
		StoreBackedLimiter limiter = new StoreBackedLimiter(true, 0);
		Health health = ResilienceHealthIndicators.rateLimiter(limiter, true);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("backendAvailable", true);
	}

	@Test
	void aLocalLimiterHasNoBackendDetails() {
		Health health = ResilienceHealthIndicators.rateLimiter(RateLimiter.of("local", RateLimiterConfig.ofDefaults()),
				false);
		assertThat(health.getDetails()).doesNotContainKeys("backend", "backendAvailable", "backendFailures");
	}

	/**
	 * A local limiter dressed as one whose state lives in a store, with a given store
	 * state.
	 */
	private static final class StoreBackedLimiter implements RateLimiter, BackendState {

		private final RateLimiter local = RateLimiter.of("partner", RateLimiterConfig.ofDefaults());

		private final boolean available;

		private final long failures;

		StoreBackedLimiter(boolean available, long failures) {
			this.available = available;
			this.failures = failures;
		}

		@Override
		public String backend() {
			return "redis";
		}

		@Override
		public boolean backendAvailable() {
			return this.available;
		}

		@Override
		public long backendFailures() {
			return this.failures;
		}

		@Override
		public ResilienceProperties.OnBackendFailure onBackendFailure() {
			return ResilienceProperties.OnBackendFailure.ALLOW;
		}

		@Override
		public String name() {
			return this.local.name();
		}

		@Override
		public RateLimiterConfig config() {
			return this.local.config();
		}

		@Override
		public void reconfigure(RateLimiterConfig config) {
			this.local.reconfigure(config);
		}

		@Override
		public void reset() {
			this.local.reset();
		}

		@Override
		public EventPublisher<RateLimiterEvent> events() {
			return this.local.events();
		}

		@Override
		public void acquirePermission(int permits) {
			this.local.acquirePermission(permits);
		}

		@Override
		public boolean tryAcquirePermission(int permits) {
			return this.local.tryAcquirePermission(permits);
		}

		@Override
		public long reservePermission(int permits) {
			return this.local.reservePermission(permits);
		}

		@Override
		public RateLimiter forKey(Object key) {
			return this.local.forKey(key);
		}

		@Override
		public Scheduler scheduler() {
			return this.local.scheduler();
		}

		@Override
		public Metrics metrics() {
			return this.local.metrics();
		}

	}

}
