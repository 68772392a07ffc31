package dev.resilience.lincheck;

import java.util.concurrent.atomic.AtomicInteger;

import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The harness can fail: on the JDK the build runs on, Lincheck finds the lost update of a
 * counter that reads and writes without an atomic step, by model checking within the
 * build's bounds ({@link LincheckRuns}) and under stress; and it passes the same counter
 * done right. If the agent could not instrument the classes on some JDK, or the bounds
 * were cut too far to find anything, these tests would fail, and a green Lincheck test
 * elsewhere would mean nothing.
 */
@Tag("concurrency")
class LincheckHarnessTests {

	@Test
	void modelCheckingFindsTheLostUpdateOfABrokenCounter() {
		assertThatThrownBy(() -> LincheckRuns.modelChecking().check(BrokenCounter.class))
			.isInstanceOf(LincheckAssertionError.class)
			.hasMessageContaining("Invalid execution results")
			// The interleaving that loses the update: both read before either writes.
			.hasMessageContaining("The following interleaving leads to the error");
	}

	@Test
	void stressFindsTheLostUpdateOfABrokenCounter() {
		// Real threads on a busy machine may take a while to overlap: search longer than
		// the build's bounds (the search stops at the first failure), and skip shrinking
		// the failing scenario, which would re-run it many times.
		assertThatThrownBy(() -> LincheckRuns.stress()
			.iterations(20)
			.invocationsPerIteration(1_000)
			.minimizeFailedScenario(false)
			.check(BrokenCounter.class)).isInstanceOf(LincheckAssertionError.class)
			.hasMessageContaining("Invalid execution results");
	}

	@Test
	void aCorrectCounterPassesInBothModes() {
		LincheckRuns.modelChecking().check(AtomicCounter.class);
		LincheckRuns.stress().check(AtomicCounter.class);
	}

	/**
	 * Reads, then writes: two increments that interleave lose one.
	 */
	public static class BrokenCounter {

		private volatile int value;

		@Operation
		public int incrementAndGet() {
			int next = this.value + 1;
			this.value = next;
			return next;
		}

		@Operation
		public int get() {
			return this.value;
		}

	}

	/**
	 * The same counter done right, so that a harness that fails everything is caught too.
	 */
	public static class AtomicCounter {

		private final AtomicInteger value = new AtomicInteger();

		@Operation
		public int incrementAndGet() {
			return this.value.incrementAndGet();
		}

		@Operation
		public int get() {
			return this.value.get();
		}

	}

}
