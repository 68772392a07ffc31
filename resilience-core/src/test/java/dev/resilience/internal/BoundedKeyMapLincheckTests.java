package dev.resilience.internal;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.resilience.lincheck.LincheckRuns;
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
 * Lincheck: a {@link BoundedKeyMap} whose states can never be dropped is linearizable
 * against a plain bounded set of keys ({@link Model}): a key gets a state while fewer
 * than {@code maxKeys} (2 here) keys have one, keeps it, and {@code size()} never exceeds
 * {@code maxKeys}. Keys are 0, 1 and 2.
 */
@Tag("concurrency")
class BoundedKeyMapLincheckTests {

	static final int MAX_KEYS = 2;

	@Test
	void keysGetAStateOnlyWhileThereIsRoom() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.sequentialSpecification(Model.class)
			// One place left, two new keys at once: only one may have it.
			.addCustomScenario(scenario(List.of(call(c, "get", 0)),
					List.of(List.of(call(c, "get", 1)), List.of(call(c, "get", 2))), List.of(call(c, "withinBound"))))
			.check(c);
	}

	@Test
	void aKeyCreatedByAnotherCallerAtTheSameTimeIsNotRefused() {
		Class<?> c = Scenario.class;
		LincheckRuns.modelChecking()
			.iterations(0)
			.invocationsPerIteration(2_000)
			.sequentialSpecification(Model.class)
			// One place left, two callers of the same new key: both must get its state.
			.addCustomScenario(scenario(List.of(call(c, "get", 0)),
					List.of(List.of(call(c, "get", 1)), List.of(call(c, "get", 1))), List.of(call(c, "withinBound"))))
			.check(c);
	}

	@Test
	void keysGetAStateOnlyWhileThereIsRoomUnderStress() {
		LincheckRuns.stress().sequentialSpecification(Model.class).check(Scenario.class);
	}

	/**
	 * The operations on the real map, whose states are never droppable.
	 */
	@Param(name = "key", gen = IntGen.class, conf = "0:2")
	public static class Scenario {

		private final BoundedKeyMap<Kept> map = new BoundedKeyMap<>(MAX_KEYS, (key) -> new Kept(), new FakeTicker());

		/** Whether the key has a state (kept, or created now). */
		@Operation
		public boolean get(@Param(name = "key") int key) {
			return this.map.get(key) != null;
		}

		/**
		 * Whether the bound holds now. ({@code size()} itself is not linearizable: it may
		 * lag an insertion in progress, as
		 * {@link java.util.concurrent.ConcurrentHashMap}'s does, and it is never above
		 * {@code maxKeys}.)
		 */
		@Operation
		public boolean withinBound() {
			return this.map.size() <= MAX_KEYS;
		}

		@Validate
		public void neverMoreKeysThanMaxKeys() {
			if (this.map.size() > MAX_KEYS) {
				throw new IllegalStateException(this.map.size() + " keys, maxKeys " + MAX_KEYS);
			}
		}

	}

	/**
	 * A state that can never be forgotten.
	 */
	static final class Kept implements BoundedKeyMap.State {

		@Override
		public long retire(long now) {
			return Long.MAX_VALUE;
		}

		@Override
		public boolean isRetired() {
			return false;
		}

	}

	/**
	 * The sequential specification: a set of at most {@code maxKeys} keys.
	 */
	public static class Model {

		private final Set<Integer> keys = new LinkedHashSet<>();

		public boolean get(int key) {
			if (this.keys.contains(key)) {
				return true;
			}
			if (this.keys.size() >= MAX_KEYS) {
				return false;
			}
			this.keys.add(key);
			return true;
		}

		public boolean withinBound() {
			return this.keys.size() <= MAX_KEYS;
		}

	}

}
