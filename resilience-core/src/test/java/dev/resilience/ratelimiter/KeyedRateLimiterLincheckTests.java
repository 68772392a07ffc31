package dev.resilience.ratelimiter;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.lincheck.LincheckRuns;
import dev.resilience.lincheck.UnusedScheduler;
import dev.resilience.testing.FakeTicker;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.resilience.lincheck.LincheckRuns.call;
import static dev.resilience.lincheck.LincheckRuns.scenario;

/**
 * Lincheck: the invariants of per-key limiters ({@link RateLimiter#forKey}) hold in every
 * interleaving Lincheck tries:
 * <ul>
 * <li>a key is never granted more than its bucket's capacity plus its refill (time does
 * not move here, so never more than the capacity, 1);</li>
 * <li>never more keys hold a bucket that has not refilled, nor more keys are kept, than
 * {@code maxKeys} (1 here);</li>
 * <li>once a reconfiguration is over, every key runs on the configuration in force.</li>
 * </ul>
 * Time stands still, so a bucket that granted a permit never refills: every key that was
 * granted one holds a spent bucket. The callers count the grants per key themselves. The
 * operations answer {@code "ok"}, or which invariant broke; sequentially every invariant
 * holds, so any other answer is a failure, shown with its interleaving. Keys are 0 and 1.
 */
@Tag("concurrency")
class KeyedRateLimiterLincheckTests {

	static final int CAPACITY = 1;

	static final int MAX_KEYS = 1;

	static final int KEYS = 2;

	static final String OK = "ok";

	static RateLimiterConfig config(int timeoutMillis) {
		return RateLimiterConfig.builder()
			.limitForPeriod(CAPACITY)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ofMillis(timeoutMillis))
			.maxKeys(MAX_KEYS)
			.build();
	}

	/**
	 * Two callers, two new keys, room for one key's bucket.
	 */
	@Test
	void neverMoreKeysThanMaxKeysWhenNewKeysArriveTogether() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.addCustomScenario(
					scenario(List.of(), List.of(List.of(call(c, "tryAcquire", 0)), List.of(call(c, "tryAcquire", 1))),
							List.of(call(c, "liveKeys"))))
			.check(c);
	}

	/**
	 * Key 0 has a bucket, full (so droppable). A caller gets it but has not taken from it
	 * yet; another caller's new key sweeps it and takes a permit; the first caller then
	 * takes from the forgotten bucket: two keys hold a spent bucket with room for one,
	 * and key 0's is no longer counted.
	 */
	@Test
	void aBucketForgottenBySweepIsNotTakenFrom() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.iterations(0)
			.invocationsPerIteration(2_000)
			.addCustomScenario(scenario(List.of(call(c, "lookUp", 0)),
					List.of(List.of(call(c, "tryAcquire", 0)), List.of(call(c, "tryAcquire", 1))),
					List.of(call(c, "liveKeys"))))
			.check(c);
	}

	/**
	 * A key created while the instance is reconfigured must end up on the new
	 * configuration.
	 */
	@Test
	void aKeyRunsOnTheConfigurationInForceOnceAReconfigurationIsOver() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.iterations(0)
			.invocationsPerIteration(2_000)
			.addCustomScenario(scenario(List.of(),
					List.of(List.of(call(c, "tryAcquire", 0)), List.of(call(c, "reconfigure", 1))), List.of()))
			.check(c);
	}

	@Test
	void theInvariantsHoldUnderStress() {
		LincheckRuns.stress().check(Scenario.class);
	}

	/**
	 * The operations on the real limiter.
	 */
	@Param(name = "key", gen = IntGen.class, conf = "0:1")
	@Param(name = "timeoutMillis", gen = IntGen.class, conf = "0:1")
	public static class Scenario {

		private final FakeTicker ticker = new FakeTicker();

		private final RateLimiter limiter = RateLimiter.of("lincheck", config(0), this.ticker, new UnusedScheduler());

		private final AtomicInteger[] granted = { new AtomicInteger(), new AtomicInteger() };

		@Operation
		public String tryAcquire(@Param(name = "key") int key) {
			RateLimiter keyLimiter;
			try {
				keyLimiter = this.limiter.forKey(key);
			}
			catch (RequestNotPermittedException ex) {
				return invariants();
			}
			if (keyLimiter.tryAcquirePermission(1)) {
				this.granted[key].incrementAndGet();
			}
			return invariants();
		}

		/** Looks the key's limiter up, as a caller does before it decides to call. */
		@Operation
		public String lookUp(@Param(name = "key") int key) {
			try {
				this.limiter.forKey(key);
			}
			catch (RequestNotPermittedException ex) {
				// Refused: no room.
			}
			return invariants();
		}

		@Operation
		public void reconfigure(@Param(name = "timeoutMillis") int timeoutMillis) {
			this.limiter.reconfigure(config(timeoutMillis));
		}

		@Operation
		public String liveKeys() {
			return invariants();
		}

		private String invariants() {
			int spentKeys = 0;
			for (int key = 0; key < KEYS; key++) {
				int permits = this.granted[key].get();
				if (permits > CAPACITY) {
					return permits + " permits granted to key " + key + " without refill, capacity " + CAPACITY;
				}
				if (permits > 0) {
					spentKeys++;
				}
			}
			if (spentKeys > MAX_KEYS) {
				return spentKeys + " keys hold a spent bucket, maxKeys " + MAX_KEYS;
			}
			long live = this.limiter.metrics().liveKeys();
			if (live > MAX_KEYS) {
				return live + " live keys, maxKeys " + MAX_KEYS;
			}
			return OK;
		}

		/**
		 * Once every call is over: each key that still has a bucket runs on the
		 * instance's configuration. (Keys are looked at in order; looking at a key may
		 * sweep a later one, which can hide a stale later key but never accuses a good
		 * one.)
		 */
		@Validate
		public void everyKeyRunsOnTheConfigurationInForce() {
			RateLimiterConfig inForce = this.limiter.config();
			for (int key = 0; key < KEYS; key++) {
				RateLimiter keyLimiter;
				try {
					keyLimiter = this.limiter.forKey(key);
				}
				catch (RequestNotPermittedException ex) {
					// Full of another key's spent bucket: nothing to look at for this
					// key.
					continue;
				}
				if (!keyLimiter.config().equals(inForce)) {
					throw new IllegalStateException(
							"key " + key + " runs on " + keyLimiter.config() + " while the instance is on " + inForce);
				}
			}
		}

	}

}
