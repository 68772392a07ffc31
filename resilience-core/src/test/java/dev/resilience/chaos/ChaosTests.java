package dev.resilience.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ChaosTests {

	private final ManualScheduler scheduler = new ManualScheduler(new FakeTicker());

	private final AtomicInteger draws = new AtomicInteger();

	/** Counts the draws; each returns 0.5. */
	private final ChaosRandom half = () -> {
		this.draws.incrementAndGet();
		return 0.5;
	};

	@Test
	void theSameSeedGivesTheSameNumbersAndAnotherSeedOthers() {
		ChaosRandom first = ChaosRandom.seeded(42);
		ChaosRandom second = ChaosRandom.seeded(42);
		ChaosRandom other = ChaosRandom.seeded(43);
		List<Double> a = new ArrayList<>();
		List<Double> b = new ArrayList<>();
		List<Double> c = new ArrayList<>();
		for (int i = 0; i < 1_000; i++) {
			a.add(first.nextDouble());
			b.add(second.nextDouble());
			c.add(other.nextDouble());
		}
		assertThat(a).isEqualTo(b).isNotEqualTo(c).allMatch((d) -> d >= 0.0 && d < 1.0);
		// Spread over [0, 1), not stuck in a corner.
		assertThat(a.stream().filter((d) -> d < 0.5).count()).isBetween(400L, 600L);
	}

	@Test
	void concurrentDrawsOfASeededSourceShareOneSequenceNoneLostOrRepeated() throws Exception {
		int threads = 4;
		int each = 10_000;
		List<Double> sequential = new ArrayList<>();
		ChaosRandom reference = ChaosRandom.seeded(7);
		for (int i = 0; i < threads * each; i++) {
			sequential.add(reference.nextDouble());
		}
		ChaosRandom shared = ChaosRandom.seeded(7);
		ConcurrentLinkedQueue<Double> drawn = new ConcurrentLinkedQueue<>();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				done.add(pool.submit(() -> {
					start.await();
					for (int i = 0; i < each; i++) {
						drawn.add(shared.nextDouble());
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : done) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(drawn).containsExactlyInAnyOrderElementsOf(sequential);
	}

	@Test
	void theSystemSourceDrawsBetweenZeroAndOne() {
		for (int i = 0; i < 1_000; i++) {
			assertThat(ChaosRandom.system().nextDouble()).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
		}
	}

	@Test
	void aSiteWithoutRulesDrawsNothingAndAffectsNothing() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		assertThat(chaos.decide()).isNull();
		assertThat(chaos.rules()).isEmpty();
		assertThat(this.draws).hasValue(0);
	}

	@Test
	void disabledRulesDrawNothing() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		ChaosRule rule = ChaosRule.of("off", result(1.0).enabled(false).build());
		chaos.rules(List.of(rule));
		for (int i = 0; i < 10; i++) {
			assertThat(chaos.decide()).isNull();
		}
		assertThat(this.draws).hasValue(0);
		assertThat(rule.injections()).isZero();
	}

	@Test
	void theFirstEnabledRuleWhoseDrawHitsAffectsTheCall() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		ChaosRule misses = ChaosRule.of("misses", result(0.4).build());
		ChaosRule off = ChaosRule.of("off", result(1.0).enabled(false).build());
		ChaosRule hits = ChaosRule.of("hits", result(0.6).build());
		ChaosRule later = ChaosRule.of("later", result(1.0).build());
		chaos.rules(List.of(misses, off, hits, later));
		Chaos.Injection injection = chaos.decide();
		assertThat(injection).isNotNull();
		assertThat(injection.rule()).isSameAs(hits);
		// One draw for "misses", one for "hits"; none for the disabled rule nor after the
		// hit.
		assertThat(this.draws).hasValue(2);
		assertThat(hits.injections()).isEqualTo(1);
		assertThat(misses.injections()).isZero();
		assertThat(later.injections()).isZero();
	}

	@Test
	void aRuleAtRateZeroNeverHitsAndAtRateOneAlwaysDoes() {
		Chaos never = Chaos.of("never", this.scheduler, ChaosRandom.seeded(1));
		never.rules(List.of(ChaosRule.of("zero", result(0.0).build())));
		Chaos always = Chaos.of("always", this.scheduler, ChaosRandom.seeded(1));
		always.rules(List.of(ChaosRule.of("one", result(1.0).build())));
		for (int i = 0; i < 10_000; i++) {
			assertThat(never.decide()).isNull();
			assertThat(always.decide()).isNotNull();
		}
	}

	@Test
	void withAFixedSeedARuleAtRateThreeTenthsAffectsExactlyTheCallsItsDrawsPick() {
		ChaosRandom reference = ChaosRandom.seeded(2026);
		Set<Integer> expected = new HashSet<>();
		for (int call = 0; call < 200; call++) {
			if (reference.nextDouble() < 0.3) {
				expected.add(call);
			}
		}
		for (int run = 0; run < 2; run++) {
			Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(2026));
			chaos.rules(List.of(ChaosRule.of("r", result(0.3).build())));
			Set<Integer> affected = new HashSet<>();
			for (int call = 0; call < 200; call++) {
				if (chaos.decide() != null) {
					affected.add(call);
				}
			}
			assertThat(affected).isEqualTo(expected);
		}
		assertThat(expected).hasSizeBetween(40, 80);
	}

	@Test
	void replacedRulesApplyToTheNextCall() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		ChaosRule first = ChaosRule.of("first", result(1.0).build());
		ChaosRule second = ChaosRule.of("second", result(1.0).build());
		chaos.rules(List.of(first));
		assertThat(chaos.decide().rule()).isSameAs(first);
		chaos.rules(List.of(second));
		assertThat(chaos.rules()).containsExactly(second);
		assertThat(chaos.decide().rule()).isSameAs(second);
		chaos.rules(List.of());
		assertThat(chaos.decide()).isNull();
		// A rule removed from the site no longer refreshes it.
		first.reconfigure(result(1.0).build());
		assertThat(chaos.decide()).isNull();
	}

	@Test
	void aReconfiguredRuleAppliesToEverySiteThatHoldsIt() {
		Chaos one = Chaos.of("one", this.scheduler, this.half);
		Chaos two = Chaos.of("two", this.scheduler, this.half);
		ChaosRule rule = ChaosRule.of("r", result(1.0).build());
		one.rules(List.of(rule));
		two.rules(List.of(rule));
		rule.reconfigure(result(1.0).enabled(false).build());
		assertThat(one.decide()).isNull();
		assertThat(two.decide()).isNull();
		ChaosRuleConfig again = result(0.6).build();
		rule.reconfigure(again);
		assertThat(rule.config()).isSameAs(again);
		assertThat(one.decide().config()).isSameAs(again);
		assertThat(two.decide().config()).isSameAs(again);
		rule.reconfigure(result(0.4).build());
		assertThat(one.decide()).isNull();
	}

	@Test
	void injectionsAreCountedOncePerAffectedCallAcrossSites() {
		Chaos one = Chaos.of("one", this.scheduler, this.half);
		Chaos two = Chaos.of("two", this.scheduler, this.half);
		ChaosRule rule = ChaosRule.of("r", result(1.0).build());
		one.rules(List.of(rule));
		two.rules(List.of(rule));
		one.decide();
		one.decide();
		two.decide();
		assertThat(rule.injections()).isEqualTo(3);
	}

	@Test
	void aRuleGivenTwiceIsRejected() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		ChaosRule rule = ChaosRule.of("r", result(1.0).build());
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> chaos.rules(List.of(rule, rule)))
			.withMessageStartingWith("rules names rule 'r' twice");
		assertThat(chaos.rules()).isEmpty();
	}

	@Test
	void everyInjectionIsAnEventWithTheSiteTheRuleAndTheFault() {
		Chaos chaos = Chaos.of("payments", this.scheduler, this.half);
		chaos.rules(List.of(
				ChaosRule.of("slow",
						ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(Duration.ofMillis(5)).rate(0.6).build()),
				ChaosRule.of("never", result(0.1).build())));
		List<ChaosEvent> events = new ArrayList<>();
		chaos.events().onEvent(events::add);
		chaos.decide();
		chaos.decide();
		assertThat(events).hasSize(2).allSatisfy((event) -> {
			assertThat(event.instanceName()).isEqualTo("payments");
			assertThat(event.primitive()).isEqualTo("chaos");
			assertThat(event.type()).isEqualTo(ChaosEvent.Type.CHAOS_INJECTED);
			assertThat(event.rule()).isEqualTo("slow");
			assertThat(event.fault()).isEqualTo(ChaosFault.LATENCY);
		});
		assertThat(events.get(0)).hasToString("chaos 'payments' CHAOS_INJECTED rule slow fault latency");
	}

	@Test
	void anInjectedExceptionIsFreshOfTheConfiguredTypeAndMarked() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		chaos.rules(List.of(ChaosRule.of("boom",
				ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
					.exception(() -> new IOException("chaos: rule boom"))
					.build())));
		Throwable first = chaos.decide().exception();
		Throwable second = chaos.decide().exception();
		assertThat(first).isInstanceOf(IOException.class).hasMessage("chaos: rule boom").isNotSameAs(second);
		assertThat(first.getSuppressed()).singleElement()
			.isInstanceOfSatisfying(ChaosInjectedException.class, (mark) -> assertThat(mark.rule()).isEqualTo("boom"));
		assertThat(Chaos.isInjected(first)).isTrue();
		assertThat(Chaos.isInjected(second)).isTrue();
	}

	@Test
	void anExceptionThatRefusesSuppressionIsMarkedInTheRegistry() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		chaos.rules(List.of(ChaosRule.of("quiet",
				ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
					.exception(() -> new Unsuppressable("chaos: rule quiet"))
					.build())));
		Throwable injected = chaos.decide().exception();
		assertThat(injected.getSuppressed()).isEmpty();
		assertThat(Chaos.isInjected(injected)).isTrue();
		assertThat(Chaos.isInjected(new Unsuppressable("real"))).isFalse();
	}

	@Test
	void aRealFailureIsNotInjectedButOneCausedByAnInjectedOneIs() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		chaos.rules(List.of(ChaosRule.of("boom",
				ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
					.exception(() -> new IOException("chaos: rule boom"))
					.build())));
		Throwable injected = chaos.decide().exception();
		assertThat(Chaos.isInjected(new IOException("real"))).isFalse();
		assertThat(Chaos.isInjected(null)).isFalse();
		assertThat(Chaos.isInjected(new UncheckedIOException((IOException) injected))).isTrue();
		assertThat(Chaos.isInjected(new ChaosInjectedException("r"))).isTrue();
	}

	@Test
	void anExceptionSupplierThatReturnsNullFailsNamingTheRule() {
		Chaos chaos = Chaos.of("site", this.scheduler, this.half);
		chaos.rules(List
			.of(ChaosRule.of("broken", ChaosRuleConfig.builder(ChaosFault.EXCEPTION).exception(() -> null).build())));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> chaos.decide().exception())
			.withMessage("chaos: the exception supplier of rule 'broken' returned null");
	}

	@Test
	void aLatencyRangeIsDrawnBetweenItsBounds() {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(3));
		chaos.rules(List.of(ChaosRule.of("slow",
				ChaosRuleConfig.builder(ChaosFault.LATENCY)
					.latency(Duration.ofMillis(100), Duration.ofMillis(300))
					.build())));
		Set<Long> waits = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			long wait = chaos.decide().latencyNanos();
			assertThat(wait).isBetween(Duration.ofMillis(100).toNanos(), Duration.ofMillis(300).toNanos());
			waits.add(wait);
		}
		assertThat(waits).hasSizeGreaterThan(90);
		assertThat(waits.stream().mapToLong(Long::longValue).min().getAsLong())
			.isLessThan(Duration.ofMillis(150).toNanos());
		assertThat(waits.stream().mapToLong(Long::longValue).max().getAsLong())
			.isGreaterThan(Duration.ofMillis(250).toNanos());
	}

	@Test
	void concurrentCallsCountEveryInjectionOnceWhileRulesChange() throws Exception {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.system());
		ChaosRule rule = ChaosRule.of("r", result(1.0).build());
		ChaosRule other = ChaosRule.of("other", result(1.0).build());
		int threads = 4;
		int each = 20_000;
		AtomicInteger affected = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				done.add(pool.submit(() -> {
					start.await();
					for (int i = 0; i < each; i++) {
						if (chaos.decide() != null) {
							affected.incrementAndGet();
						}
					}
					return null;
				}));
			}
			Future<?> changer = pool.submit(() -> {
				start.await();
				for (int i = 0; i < 2_000; i++) {
					chaos.rules((i % 2 == 0) ? List.of(rule) : List.of(other, rule));
					rule.reconfigure(result(1.0).enabled(i % 3 != 0).build());
				}
				return null;
			});
			start.countDown();
			for (Future<?> future : done) {
				future.get(60, TimeUnit.SECONDS);
			}
			changer.get(60, TimeUnit.SECONDS);
		}
		finally {
			pool.shutdownNow();
		}
		// Every affected call was counted once, by the rule that affected it.
		assertThat(rule.injections() + other.injections()).isEqualTo(affected.get());
		// The last change wins at every site.
		rule.reconfigure(result(1.0).enabled(false).build());
		chaos.rules(List.of(rule));
		assertThat(chaos.decide()).isNull();
	}

	private static ChaosRuleConfig.Builder result(double rate) {
		return ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "chaos").rate(rate);
	}

	/** A type whose instances record no suppressed exceptions. */
	static final class Unsuppressable extends RuntimeException {

		Unsuppressable(String message) {
			super(message, null, false, false);
		}

	}

}
