package dev.resilience.bulkhead;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.lincheck.LincheckRuns;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.resilience.lincheck.LincheckRuns.call;
import static dev.resilience.lincheck.LincheckRuns.scenario;

/**
 * Lincheck: the invariants of a per-key bulkhead ({@link Bulkhead#forKey}) hold in every
 * interleaving Lincheck tries:
 * <ul>
 * <li>a key never has more calls in flight than its limit (1 here);</li>
 * <li>never more keys have calls in flight, nor more keys are kept, than {@code maxKeys}
 * (1 here);</li>
 * <li>once a reconfiguration is over, every key runs on the configuration in force.</li>
 * </ul>
 * A caller (a Lincheck thread) acquires on the bulkhead {@code forKey} returned and
 * remembers that object, as a real caller does, to release on it later. The callers count
 * the calls in flight per key themselves: up after a place was taken, down before it is
 * given back, so their count is never above the real one. The operations answer
 * {@code "ok"}, or which invariant broke; sequentially every invariant holds, so any
 * other answer is a failure, shown with its interleaving. Keys are 0 and 1. Besides the
 * random scenarios, each test runs the short scenario that reaches its race; every
 * scenario starts with a sequential operation, which creates the bulkhead (see
 * {@code bulkhead()}).
 */
@Tag("concurrency")
class KeyedBulkheadLincheckTests {

	static final int LIMIT = 1;

	static final int MAX_KEYS = 1;

	static final int KEYS = 2;

	static final String OK = "ok";

	static BulkheadConfig config(int waitMillis) {
		return BulkheadConfig.builder()
			.maxConcurrentCalls(LIMIT)
			.maxKeys(MAX_KEYS)
			.maxWaitDuration(Duration.ofMillis(waitMillis))
			.build();
	}

	/**
	 * Two callers, two new keys, one place for a key: only one may be kept.
	 */
	@Test
	void neverMoreKeysThanMaxKeysWhenNewKeysArriveTogether() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.addCustomScenario(scenario(List.of(call(c, "liveKeys")),
					List.of(List.of(call(c, "acquire", 1, 0)), List.of(call(c, "acquire", 2, 1))),
					List.of(call(c, "liveKeys"))))
			.check(c);
	}

	/**
	 * Key 0 has a bulkhead, idle (so droppable). A caller gets it but has not acquired
	 * yet; another caller's new key sweeps it, uses key 1 and gives it back, then takes
	 * key 0 on a new bulkhead. The first caller now acquires on the old one.
	 */
	@Test
	void aKeyNeverHasMoreCallsInFlightThanItsLimit() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.iterations(0)
			.invocationsPerIteration(2_000)
			.addCustomScenario(scenario(List.of(call(c, "acquire", 0, 0), call(c, "release", 0)),
					List.of(List.of(call(c, "acquire", 1, 0)),
							List.of(call(c, "acquire", 2, 1), call(c, "release", 2), call(c, "acquire", 2, 0))),
					List.of()))
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
			.addCustomScenario(scenario(List.of(call(c, "liveKeys")),
					List.of(List.of(call(c, "acquire", 1, 0)), List.of(call(c, "reconfigure", 1))), List.of()))
			.check(c);
	}

	@Test
	void theInvariantsHoldUnderStress() {
		LincheckRuns.stress().check(Scenario.class);
	}

	/**
	 * The operations on the real bulkhead.
	 */
	@Param(name = "caller", gen = ThreadIdGen.class)
	@Param(name = "key", gen = IntGen.class, conf = "0:1")
	@Param(name = "waitMillis", gen = IntGen.class, conf = "0:1")
	public static class Scenario {

		// Created by the first operation, not by the constructor: inside a scenario the
		// model checker answers System.nanoTime() with a constant, and the bulkhead's key
		// map spaces its sweeps by the system ticker, so a map created outside the
		// scenario (at the real time) would see time go backwards and never sweep.
		private @Nullable Bulkhead bulkhead;

		// Per caller (a slot is only touched by its caller): the bulkhead it acquired on.
		private final @Nullable Bulkhead[] heldOn = new Bulkhead[LincheckRuns.SLOTS];

		private final int[] heldKey = new int[LincheckRuns.SLOTS];

		private final AtomicInteger[] inFlight = { new AtomicInteger(), new AtomicInteger() };

		@Operation
		public String acquire(@Param(name = "caller") int caller, @Param(name = "key") int key) {
			if (this.heldOn[caller] != null) {
				return OK;
			}
			Bulkhead keyBulkhead;
			try {
				keyBulkhead = bulkhead().forKey(key);
			}
			catch (BulkheadFullException ex) {
				return invariants();
			}
			if (!keyBulkhead.tryAcquirePermission()) {
				return invariants();
			}
			this.heldOn[caller] = keyBulkhead;
			this.heldKey[caller] = key;
			this.inFlight[key].incrementAndGet();
			return invariants();
		}

		@Operation
		public String release(@Param(name = "caller") int caller) {
			Bulkhead keyBulkhead = this.heldOn[caller];
			if (keyBulkhead == null) {
				return OK;
			}
			this.heldOn[caller] = null;
			this.inFlight[this.heldKey[caller]].decrementAndGet();
			keyBulkhead.releasePermission();
			return invariants();
		}

		@Operation
		public void reconfigure(@Param(name = "waitMillis") int waitMillis) {
			bulkhead().reconfigure(config(waitMillis));
		}

		@Operation
		public String liveKeys() {
			return invariants();
		}

		private synchronized Bulkhead bulkhead() {
			Bulkhead bulkhead = this.bulkhead;
			if (bulkhead == null) {
				bulkhead = Bulkhead.of("lincheck", config(0));
				this.bulkhead = bulkhead;
			}
			return bulkhead;
		}

		private String invariants() {
			int keysInFlight = 0;
			for (int key = 0; key < KEYS; key++) {
				int calls = this.inFlight[key].get();
				if (calls > LIMIT) {
					return calls + " calls of key " + key + " in flight, limit " + LIMIT;
				}
				if (calls > 0) {
					keysInFlight++;
				}
			}
			if (keysInFlight > MAX_KEYS) {
				return keysInFlight + " keys with calls in flight, maxKeys " + MAX_KEYS;
			}
			long live = bulkhead().metrics().liveKeys();
			if (live > MAX_KEYS) {
				return live + " live keys, maxKeys " + MAX_KEYS;
			}
			return OK;
		}

		/**
		 * Once every call is over and given back: each key runs on the instance's
		 * configuration, with every place free. (Keys are looked at in order; looking at
		 * a key may sweep a later one, which can hide a stale later key but never accuses
		 * a good one.)
		 */
		@Validate
		public void everyKeyRunsOnTheConfigurationInForce() {
			for (int caller = 0; caller < LincheckRuns.SLOTS; caller++) {
				release(caller);
			}
			BulkheadConfig inForce = bulkhead().config();
			for (int key = 0; key < KEYS; key++) {
				Bulkhead keyBulkhead = bulkhead().forKey(key);
				if (!keyBulkhead.config().equals(inForce)) {
					throw new IllegalStateException(
							"key " + key + " runs on " + keyBulkhead.config() + " while the instance is on " + inForce);
				}
				int free = keyBulkhead.metrics().availableConcurrentCalls();
				if (free != inForce.maxConcurrentCalls()) {
					throw new IllegalStateException("key " + key + " has " + free + " free places, limit "
							+ inForce.maxConcurrentCalls() + ", with no call in flight");
				}
			}
		}

	}

}
