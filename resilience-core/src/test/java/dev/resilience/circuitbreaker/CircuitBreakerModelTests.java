package dev.resilience.circuitbreaker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

import dev.resilience.circuitbreaker.CircuitBreaker.Metrics;
import dev.resilience.circuitbreaker.CircuitBreaker.Permit;
import dev.resilience.circuitbreaker.CircuitBreaker.State;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.fail;

/**
 * Property-based tests without a library: seeded random step sequences run against the
 * real breaker (count window, fake time) and against a small reference model written as
 * plainly as possible; state, rejections, window figures and totals must agree after
 * every step. A failing sequence is shrunk before it is reported with its seed.
 * <p>
 * To replay one seed: {@code -Dcircuitbreaker.model.seed=<seed>}.
 */
class CircuitBreakerModelTests {

	private static final long BASE_SEED = 0x5EED_CB01L;

	private static final int SEQUENCES_PER_VARIANT = 300;

	private static final int RANDOM_CONFIG_SEQUENCES = 1000;

	private static final int STEPS = 80;

	private static final long SECOND = 1_000_000_000L;

	private static final long SLOW_THRESHOLD = 500_000_000L;

	@Test
	void lazyBreakerMatchesTheModel() {
		check("lazy",
				(random) -> CircuitBreakerConfig.builder()
					.slidingWindowSize(4)
					.minimumNumberOfCalls(3)
					.failureRateThreshold(50)
					.waitDurationInOpenState(Duration.ofSeconds(2))
					.permittedNumberOfCallsInHalfOpenState(2)
					.ignoreExceptions(IllegalStateException.class)
					.build(),
				1);
	}

	@Test
	void automaticBreakerWithGrowingWaitMatchesTheModel() {
		check("automatic",
				(random) -> CircuitBreakerConfig.builder()
					.slidingWindowSize(3)
					.minimumNumberOfCalls(5)
					.failureRateThreshold(60)
					.waitDurationInOpenState(Duration.ofSeconds(1))
					.waitDurationInOpenStateMultiplier(2)
					.maxWaitDurationInOpenState(Duration.ofSeconds(5))
					.automaticTransitionFromOpenToHalfOpenEnabled(true)
					.permittedNumberOfCallsInHalfOpenState(3)
					.ignoreExceptions(IllegalStateException.class)
					.build(),
				2);
	}

	@Test
	void slowCallBreakerWithHalfOpenLimitMatchesTheModel() {
		check("slow",
				(random) -> CircuitBreakerConfig.builder()
					.slidingWindowSize(5)
					.minimumNumberOfCalls(2)
					.failureRateThreshold(100)
					.slowCallDurationThreshold(Duration.ofNanos(SLOW_THRESHOLD))
					.slowCallRateThreshold(50)
					.waitDurationInOpenState(Duration.ofSeconds(3))
					.permittedNumberOfCallsInHalfOpenState(2)
					.maxWaitDurationInHalfOpenState(Duration.ofSeconds(2))
					.ignoreExceptions(IllegalStateException.class)
					.build(),
				3);
	}

	@Test
	void randomlyConfiguredBreakersMatchTheModel() {
		check("random", CircuitBreakerModelTests::randomConfig, 4);
	}

	private static CircuitBreakerConfig randomConfig(SplittableRandom random) {
		CircuitBreakerConfig.Builder builder = CircuitBreakerConfig.builder()
			.slidingWindowSize(1 + random.nextInt(6))
			.minimumNumberOfCalls(1 + random.nextInt(7))
			.failureRateThreshold(pick(random, 20f, 50f, 60f, 100f))
			.waitDurationInOpenState(Duration.ofSeconds(1 + random.nextInt(4)))
			.permittedNumberOfCallsInHalfOpenState(1 + random.nextInt(3))
			.automaticTransitionFromOpenToHalfOpenEnabled(random.nextBoolean())
			.ignoreExceptions(IllegalStateException.class);
		if (random.nextBoolean()) {
			builder.slowCallDurationThreshold(Duration.ofNanos(SLOW_THRESHOLD))
				.slowCallRateThreshold(pick(random, 34f, 50f, 100f));
		}
		if (random.nextInt(3) == 0) {
			builder.waitDurationInOpenStateMultiplier(2);
			if (random.nextBoolean()) {
				builder.maxWaitDurationInOpenState(Duration.ofSeconds(8));
			}
		}
		if (random.nextInt(3) == 0) {
			builder.maxWaitDurationInHalfOpenState(Duration.ofSeconds(1 + random.nextInt(3)));
		}
		return builder.build();
	}

	private static float pick(SplittableRandom random, float... values) {
		return values[random.nextInt(values.length)];
	}

	private void check(String variant, ConfigSource configs, int variantNumber) {
		String replay = System.getProperty("circuitbreaker.model.seed");
		int sequences = (variantNumber == 4) ? RANDOM_CONFIG_SEQUENCES : SEQUENCES_PER_VARIANT;
		for (int i = 0; i < sequences; i++) {
			long seed = (replay != null) ? Long.decode(replay) : BASE_SEED + variantNumber * 1_000_000L + i;
			SplittableRandom random = new SplittableRandom(seed);
			CircuitBreakerConfig config = configs.create(random);
			long startNanos = random.nextLong(1_000_000 * SECOND);
			List<Step> steps = randomSteps(random);
			String mismatch = run(config, startNanos, steps);
			if (mismatch != null) {
				List<Step> minimal = shrink(config, startNanos, steps);
				StringBuilder report = new StringBuilder();
				report.append("Model mismatch in variant '")
					.append(variant)
					.append("', seed ")
					.append(seed)
					.append("\n  config: ")
					.append(config)
					.append("\n  ticker starts at: ")
					.append(startNanos)
					.append("\n  minimal sequence (")
					.append(minimal.size())
					.append(" of ")
					.append(steps.size())
					.append(" steps):");
				for (int s = 0; s < minimal.size(); s++) {
					report.append("\n    ").append(s).append(": ").append(minimal.get(s));
				}
				report.append("\n  ").append(run(config, startNanos, minimal));
				fail(report.toString());
			}
			if (replay != null) {
				return;
			}
		}
	}

	private static List<Step> randomSteps(SplittableRandom random) {
		List<Step> steps = new ArrayList<>(STEPS);
		for (int i = 0; i < STEPS; i++) {
			int roll = random.nextInt(100);
			Kind kind;
			long amount = 0;
			if (roll < 30) {
				kind = Kind.SUCCESS;
				// Exactly the threshold is not slow: cover the boundary.
				amount = random.nextBoolean() ? 0 : SLOW_THRESHOLD;
			}
			else if (roll < 55) {
				kind = Kind.FAILURE;
			}
			else if (roll < 63) {
				kind = Kind.SLOW_SUCCESS;
				amount = SLOW_THRESHOLD + 1 + random.nextLong(SECOND);
			}
			else if (roll < 67) {
				kind = Kind.IGNORED_FAILURE;
			}
			else if (roll < 71) {
				kind = Kind.RELEASE;
			}
			else if (roll < 75) {
				kind = Kind.HOLD;
			}
			else if (roll < 80) {
				kind = random.nextBoolean() ? Kind.COMPLETE_HELD_SUCCESS : Kind.COMPLETE_HELD_FAILURE;
			}
			else if (roll < 95) {
				kind = Kind.ADVANCE;
				amount = randomDelay(random);
			}
			else {
				kind = Kind.ADVANCE_TICKER_ONLY;
				amount = randomDelay(random);
			}
			steps.add(new Step(kind, amount));
		}
		return steps;
	}

	private static long randomDelay(SplittableRandom random) {
		return switch (random.nextInt(4)) {
			case 0 -> 1 + random.nextLong(10);
			case 1 -> (1 + random.nextInt(8)) * SECOND / 2;
			case 2 -> (1 + random.nextInt(5)) * SECOND - 1;
			default -> random.nextLong(6 * SECOND);
		};
	}

	/** Shrinks by removing chunks (halves, quarters, ... single steps) while it fails. */
	private static List<Step> shrink(CircuitBreakerConfig config, long startNanos, List<Step> failing) {
		List<Step> current = failing;
		boolean progress = true;
		while (progress) {
			progress = false;
			for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; chunk /= 2) {
				int start = 0;
				while (start + chunk <= current.size()) {
					List<Step> candidate = new ArrayList<>(current.subList(0, start));
					candidate.addAll(current.subList(start + chunk, current.size()));
					if (run(config, startNanos, candidate) != null) {
						current = candidate;
						progress = true;
					}
					else {
						start += chunk;
					}
				}
			}
		}
		return current;
	}

	/**
	 * Runs the steps on the breaker and the model; returns the first mismatch, if any.
	 */
	private static @Nullable String run(CircuitBreakerConfig config, long startNanos, List<Step> steps) {
		FakeTicker ticker = new FakeTicker(startNanos);
		ManualScheduler scheduler = new ManualScheduler(ticker);
		CircuitBreaker breaker = CircuitBreaker.of("model", config, ticker, scheduler);
		Model model = new Model(config, startNanos);
		Deque<Held> held = new ArrayDeque<>();
		for (int i = 0; i < steps.size(); i++) {
			Step step = steps.get(i);
			try {
				String mismatch = apply(step, breaker, ticker, scheduler, model, held);
				if (mismatch == null) {
					mismatch = compare(breaker, model);
				}
				if (mismatch != null) {
					return "step " + i + " (" + step + "): " + mismatch;
				}
			}
			catch (RuntimeException | AssertionError ex) {
				return "step " + i + " (" + step + ") threw " + ex;
			}
		}
		return null;
	}

	private static @Nullable String apply(Step step, CircuitBreaker breaker, FakeTicker ticker,
			ManualScheduler scheduler, Model model, Deque<Held> held) {
		long now = ticker.read();
		switch (step.kind) {
			case ADVANCE -> {
				scheduler.advance(step.amount);
				model.advance(step.amount, true);
				return null;
			}
			case ADVANCE_TICKER_ONLY -> {
				ticker.advance(step.amount);
				model.advance(step.amount, false);
				return null;
			}
			case COMPLETE_HELD_SUCCESS, COMPLETE_HELD_FAILURE -> {
				Held permit = held.pollFirst();
				if (permit == null) {
					return null;
				}
				boolean failed = step.kind == Kind.COMPLETE_HELD_FAILURE;
				if (failed) {
					permit.real.onFailure(permit.start, new IOException());
				}
				else {
					permit.real.onSuccess(permit.start, "ok");
				}
				model.complete(permit.model, failed, now - permit.start);
				return null;
			}
			default -> {
			}
		}
		Model.Permit expected = model.acquire();
		Permit actual;
		try {
			actual = breaker.acquirePermit();
		}
		catch (CallNotPermittedException ex) {
			if (expected != null) {
				return "breaker rejected in " + ex.state() + ", model permitted in " + model.state;
			}
			if (ex.state() != model.rejectedIn) {
				return "breaker rejected in " + ex.state() + ", model rejected in " + model.rejectedIn;
			}
			return null;
		}
		if (expected == null) {
			return "breaker permitted, model rejected in " + model.rejectedIn;
		}
		switch (step.kind) {
			case SUCCESS, SLOW_SUCCESS -> {
				actual.onSuccess(now - step.amount, "ok");
				model.complete(expected, false, step.amount);
			}
			case FAILURE -> {
				actual.onFailure(now, new IOException());
				model.complete(expected, true, 0);
			}
			case IGNORED_FAILURE -> {
				actual.onFailure(now, new IllegalStateException());
				model.ignore(expected);
			}
			case RELEASE -> {
				actual.release();
				model.release(expected);
			}
			case HOLD -> held.addLast(new Held(actual, expected, now));
			default -> throw new IllegalStateException(step.kind.toString());
		}
		return null;
	}

	private static @Nullable String compare(CircuitBreaker breaker, Model model) {
		Metrics metrics = breaker.metrics();
		if (metrics.state() != model.state) {
			return "breaker is " + metrics.state() + ", model is " + model.state;
		}
		if (model.state == State.CLOSED) {
			int failed = model.count(Model.FAILED);
			int slow = model.count(Model.SLOW);
			if (metrics.bufferedCalls() != model.window.size() || metrics.failedCalls() != failed
					|| metrics.slowCalls() != slow) {
				return "breaker window " + metrics.bufferedCalls() + "/" + metrics.failedCalls() + "/"
						+ metrics.slowCalls() + " (buffered/failed/slow), model window " + model.window;
			}
		}
		long[] expected = { model.successful, model.failed, model.ignored, model.notPermitted, model.slow };
		long[] actual = { metrics.totalSuccessfulCalls(), metrics.totalFailedCalls(), metrics.totalIgnoredCalls(),
				metrics.totalNotPermittedCalls(), metrics.totalSlowCalls() };
		if (!Arrays.equals(expected, actual)) {
			return "breaker totals " + Arrays.toString(actual) + ", model totals " + Arrays.toString(expected)
					+ " (success/failed/ignored/notPermitted/slow)";
		}
		return null;
	}

	@FunctionalInterface
	private interface ConfigSource {

		CircuitBreakerConfig create(SplittableRandom random);

	}

	private enum Kind {

		SUCCESS, FAILURE, SLOW_SUCCESS, IGNORED_FAILURE, RELEASE, HOLD, COMPLETE_HELD_SUCCESS, COMPLETE_HELD_FAILURE,
		ADVANCE, ADVANCE_TICKER_ONLY

	}

	/**
	 * One step; {@code amount} is a call's duration or a clock advance, in nanoseconds.
	 */
	private record Step(Kind kind, long amount) {

		@Override
		public String toString() {
			return (this.amount != 0) ? this.kind + "(" + this.amount + " ns)" : this.kind.toString();
		}

	}

	private record Held(Permit real, Model.Permit model, long start) {
	}

	/**
	 * The reference: a list for the window, plain fields for the state machine, no
	 * concurrency and no cleverness.
	 */
	private static final class Model {

		static final int FAILED = 1;

		static final int SLOW = 2;

		final CircuitBreakerConfig config;

		final long waitNanos;

		final long maxWaitNanos;

		final long halfOpenLimitNanos;

		final long slowNanos;

		long now;

		State state = State.CLOSED;

		/** Incremented on every state entry; a permit from another epoch is stale. */
		int epoch;

		final List<Integer> window = new ArrayList<>();

		int streak;

		long openedAt;

		long openWait;

		long halfOpenedAt;

		int taken;

		int completed;

		int trialFailures;

		int trialSlow;

		@Nullable State rejectedIn;

		long successful;

		long failed;

		long ignored;

		long notPermitted;

		long slow;

		Model(CircuitBreakerConfig config, long startNanos) {
			this.config = config;
			this.now = startNanos;
			this.waitNanos = config.waitDurationInOpenState().toNanos();
			Duration max = config.maxWaitDurationInOpenState();
			this.maxWaitNanos = (max != null) ? max.toNanos() : CircuitBreakerConfig.MAX_DURATION.toNanos();
			this.halfOpenLimitNanos = config.maxWaitDurationInHalfOpenState().toNanos();
			Duration slowThreshold = config.slowCallDurationThreshold();
			this.slowNanos = (slowThreshold != null) ? slowThreshold.toNanos() : -1;
		}

		@Nullable Permit acquire() {
			while (true) {
				switch (this.state) {
					case CLOSED -> {
						return new Permit(this.epoch, State.CLOSED);
					}
					case OPEN -> {
						if (this.now - this.openedAt >= this.openWait) {
							enterHalfOpen();
							continue;
						}
						return reject();
					}
					case HALF_OPEN -> {
						if (this.halfOpenLimitNanos > 0 && this.now - this.halfOpenedAt >= this.halfOpenLimitNanos) {
							enterOpen(this.streak + 1);
							continue;
						}
						if (this.taken >= this.config.permittedNumberOfCallsInHalfOpenState()) {
							return reject();
						}
						this.taken++;
						return new Permit(this.epoch, State.HALF_OPEN);
					}
					default -> throw new IllegalStateException(this.state.toString());
				}
			}
		}

		private @Nullable Permit reject() {
			this.notPermitted++;
			this.rejectedIn = this.state;
			return null;
		}

		void complete(Permit permit, boolean failure, long duration) {
			boolean isSlow = this.slowNanos >= 0 && duration > this.slowNanos;
			if (failure) {
				this.failed++;
			}
			else {
				this.successful++;
			}
			if (isSlow) {
				this.slow++;
			}
			if (permit.epoch != this.epoch) {
				return;
			}
			int outcome = (failure ? FAILED : 0) | (isSlow ? SLOW : 0);
			if (this.state == State.CLOSED) {
				this.window.add(outcome);
				if (this.window.size() > this.config.slidingWindowSize()) {
					this.window.remove(0);
				}
				int minimum = Math.min(this.config.minimumNumberOfCalls(), this.config.slidingWindowSize());
				if (this.window.size() >= minimum && tooMany(count(FAILED), count(SLOW), this.window.size())) {
					enterOpen(1);
				}
			}
			else if (this.state == State.HALF_OPEN) {
				this.completed++;
				this.trialFailures += failure ? 1 : 0;
				this.trialSlow += isSlow ? 1 : 0;
				int permitted = this.config.permittedNumberOfCallsInHalfOpenState();
				if (this.completed == permitted) {
					if (tooMany(this.trialFailures, this.trialSlow, permitted)) {
						enterOpen(this.streak + 1);
					}
					else {
						enterClosed();
					}
				}
			}
		}

		void ignore(Permit permit) {
			this.ignored++;
			release(permit);
		}

		void release(Permit permit) {
			if (permit.epoch == this.epoch && this.state == State.HALF_OPEN) {
				this.taken--;
			}
		}

		/** Moves time; with {@code runTasks}, scheduled transitions fire on the way. */
		void advance(long nanos, boolean runTasks) {
			long target = this.now + nanos;
			while (runTasks) {
				long due;
				if (this.state == State.OPEN && this.config.automaticTransitionFromOpenToHalfOpenEnabled()) {
					due = this.openedAt + this.openWait;
				}
				else if (this.state == State.HALF_OPEN && this.halfOpenLimitNanos > 0) {
					due = this.halfOpenedAt + this.halfOpenLimitNanos;
				}
				else {
					break;
				}
				if (due > target) {
					break;
				}
				// An overdue task runs at the current time, not back at its due time.
				this.now = Math.max(this.now, due);
				if (this.state == State.OPEN) {
					enterHalfOpen();
				}
				else {
					enterOpen(this.streak + 1);
				}
			}
			this.now = target;
		}

		int count(int bit) {
			int result = 0;
			for (int outcome : this.window) {
				if ((outcome & bit) != 0) {
					result++;
				}
			}
			return result;
		}

		private boolean tooMany(int failures, int slowCalls, int calls) {
			return failures * 100.0f / calls >= this.config.failureRateThreshold()
					|| slowCalls * 100.0f / calls >= this.config.slowCallRateThreshold();
		}

		private void enterOpen(int streak) {
			this.state = State.OPEN;
			this.epoch++;
			this.streak = streak;
			this.openedAt = this.now;
			// The variants use multipliers 1 and 2 only, so integer arithmetic is exact.
			long multiplier = (long) this.config.waitDurationInOpenStateMultiplier();
			long wait = this.waitNanos;
			for (int i = 1; i < streak; i++) {
				wait = (wait > this.maxWaitNanos / multiplier) ? this.maxWaitNanos : wait * multiplier;
			}
			this.openWait = Math.min(wait, this.maxWaitNanos);
		}

		private void enterHalfOpen() {
			this.state = State.HALF_OPEN;
			this.epoch++;
			this.halfOpenedAt = this.now;
			this.taken = 0;
			this.completed = 0;
			this.trialFailures = 0;
			this.trialSlow = 0;
		}

		private void enterClosed() {
			this.state = State.CLOSED;
			this.epoch++;
			this.streak = 0;
			this.window.clear();
		}

		record Permit(int epoch, State issuedIn) {
		}

	}

}
