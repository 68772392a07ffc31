package dev.resilience.reactor;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.chaos.Chaos;
import dev.resilience.chaos.ChaosEvent;
import dev.resilience.chaos.ChaosFault;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.chaos.ChaosRule;
import dev.resilience.chaos.ChaosRuleConfig;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.fallback.Fallback;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryConfig;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutConfig;
import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos stage on the Reactor path, for a {@code Mono} and a {@code Flux}, against the
 * real breaker, retry, timeout, bulkhead and fallback, on fake time.
 */
class ReactiveChaosTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	private final AtomicInteger subscriptions = new AtomicInteger();

	private final Mono<String> mono = Mono.fromCallable(() -> "real " + this.subscriptions.incrementAndGet());

	private final Flux<String> flux = Flux.just("a", "b").doOnSubscribe((s) -> this.subscriptions.incrementAndGet());

	@Test
	void anExceptionFaultIsRetriedCountedByTheBreakerAndAnsweredByTheFallbackWithoutSubscribingTheSource() {
		ChaosRule rule = ChaosRule.of("boom", exception(1.0));
		Chaos chaos = site(rule);
		List<ChaosEvent> events = new CopyOnWriteArrayList<>();
		chaos.events().onEvent(events::add);
		CircuitBreaker breaker = breaker();
		Pipeline pipeline = Pipeline.builder()
			.retry(Retry.of("retry", RetryConfig.builder().maxAttempts(3).waitDuration(Duration.ZERO).build(),
					this.ticker, this.scheduler))
			.circuitBreaker(breaker)
			.fallback(Fallback.of(IOException.class,
					(context, failure) -> "fallback, injected " + Chaos.isInjected(failure)))
			.chaos(chaos)
			.build();
		assertThat(this.mono.transformDeferred(ResilienceOperator.of(pipeline)).block())
			.isEqualTo("fallback, injected true");
		assertThat(this.flux.transformDeferred(ResilienceOperator.of(pipeline)).collectList().block())
			.containsExactly("fallback, injected true");
		assertThat(this.subscriptions).hasValue(0);
		assertThat(rule.injections()).isEqualTo(6);
		assertThat(events).hasSize(6);
		assertThat(breaker.metrics().totalFailedCalls()).isEqualTo(6);
	}

	@Test
	void aLatencyFaultLongerThanTheTimeoutTripsItOnTheSchedulerAndTheSourceIsNeverSubscribed() {
		Pipeline pipeline = Pipeline.builder()
			.timeout(Timeout.of("timeout", TimeoutConfig.builder().timeoutDuration(Duration.ofSeconds(1)).build(),
					this.ticker, this.scheduler))
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofSeconds(2)))))
			.build();
		AtomicReference<Throwable> monoError = new AtomicReference<>();
		AtomicReference<Throwable> fluxError = new AtomicReference<>();
		this.mono.transformDeferred(ResilienceOperator.of(pipeline)).subscribe((v) -> {
		}, monoError::set);
		this.flux.transformDeferred(ResilienceOperator.of(pipeline)).subscribe((v) -> {
		}, fluxError::set);
		assertThat(monoError.get()).isNull();
		this.scheduler.advance(Duration.ofSeconds(1));
		assertThat(monoError.get()).isInstanceOf(TimeoutExceededException.class);
		assertThat(fluxError.get()).isInstanceOf(TimeoutExceededException.class);
		assertThat(this.scheduler.pendingTasks()).isZero();
		this.scheduler.advance(Duration.ofSeconds(5));
		assertThat(this.subscriptions).hasValue(0);
	}

	@Test
	void aLatencyFaultDelaysTheSubscriptionOfTheSourceOnTheScheduler() {
		Pipeline pipeline = Pipeline.builder()
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofMillis(300)))))
			.build();
		AtomicReference<String> value = new AtomicReference<>();
		List<String> elements = new CopyOnWriteArrayList<>();
		this.mono.transformDeferred(ResilienceOperator.of(pipeline)).subscribe(value::set);
		this.flux.transformDeferred(ResilienceOperator.of(pipeline)).subscribe(elements::add);
		assertThat(this.scheduler.pendingTasks()).isEqualTo(2);
		this.scheduler.advance(Duration.ofMillis(299));
		assertThat(this.subscriptions).hasValue(0);
		this.scheduler.advance(Duration.ofMillis(1));
		assertThat(value).hasValue("real 1");
		assertThat(elements).containsExactly("a", "b");
		assertThat(this.scheduler.sleeps()).isEmpty();
	}

	@Test
	void aCancelDuringALatencyLeavesNothingScheduledGivesThePlaceBackAndNeverSubscribesTheSource() {
		Bulkhead bulkhead = Bulkhead.of("bulkhead", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		Pipeline pipeline = Pipeline.builder()
			.bulkhead(bulkhead)
			.chaos(site(ChaosRule.of("slow", latency(Duration.ofSeconds(5)))))
			.build();
		Disposable subscription = this.mono.transformDeferred(ResilienceOperator.of(pipeline)).subscribe();
		assertThat(this.scheduler.pendingTasks()).isEqualTo(1);
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isZero();
		subscription.dispose();
		assertThat(this.scheduler.pendingTasks()).isZero();
		assertThat(bulkhead.metrics().availableConcurrentCalls()).isEqualTo(1);
		this.scheduler.advance(Duration.ofSeconds(10));
		assertThat(this.subscriptions).hasValue(0);
	}

	@Test
	void aResultFaultReplacesTheSourceAMonoGivingOneElementAtMost() {
		ChaosRule rule = ChaosRule.of("stale",
				ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> Flux.just("x", "y")).build());
		Pipeline pipeline = Pipeline.builder().chaos(site(rule)).build();
		assertThat(this.flux.transformDeferred(ResilienceOperator.of(pipeline)).collectList().block())
			.containsExactly("x", "y");
		assertThat(this.mono.transformDeferred(ResilienceOperator.of(pipeline)).flux().collectList().block())
			.containsExactly("x");
		rule.reconfigure(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> "value").build());
		assertThat(this.flux.transformDeferred(ResilienceOperator.of(pipeline)).collectList().block())
			.containsExactly("value");
		assertThat(this.mono.transformDeferred(ResilienceOperator.of(pipeline)).block()).isEqualTo("value");
		rule.reconfigure(ChaosRuleConfig.builder(ChaosFault.RESULT).result(() -> null).build());
		assertThat(this.flux.transformDeferred(ResilienceOperator.of(pipeline)).collectList().block()).isEmpty();
		assertThat(this.mono.transformDeferred(ResilienceOperator.of(pipeline)).hasElement().block()).isFalse();
		assertThat(this.subscriptions).hasValue(0);
		assertThat(rule.injections()).isEqualTo(6);
	}

	@Test
	void withAFixedSeedARuleAtRateThreeTenthsFailsExactlyTheExpectedSubscriptions() {
		ChaosRandom reference = ChaosRandom.seeded(99);
		List<Integer> expected = new CopyOnWriteArrayList<>();
		for (int call = 0; call < 100; call++) {
			if (reference.nextDouble() < 0.3) {
				expected.add(call);
			}
		}
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(99));
		chaos.rules(List.of(ChaosRule.of("flaky", exception(0.3))));
		Mono<String> call = this.mono.transformDeferred(ResilienceOperator.of(Pipeline.builder().chaos(chaos).build()));
		List<Integer> failed = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 100; i++) {
			int index = i;
			call.onErrorResume(IOException.class, (ex) -> {
				failed.add(index);
				return Mono.empty();
			}).block();
		}
		assertThat(failed).isEqualTo(expected).hasSizeBetween(15, 45);
		assertThat(this.subscriptions).hasValue(100 - expected.size());
	}

	@Test
	void rulesChangedAtRunTimeApplyToTheNextSubscription() {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(1));
		Mono<String> call = this.mono.transformDeferred(ResilienceOperator.of(Pipeline.builder().chaos(chaos).build()));
		assertThat(call.block()).isEqualTo("real 1");
		ChaosRule rule = ChaosRule.of("boom", exception(1.0));
		chaos.rules(List.of(rule));
		assertThat(call.onErrorReturn(IOException.class, "failed").block()).isEqualTo("failed");
		rule.reconfigure(ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
			.exception(() -> new IOException("chaos: off"))
			.enabled(false)
			.build());
		assertThat(call.block()).isEqualTo("real 2");
	}

	private Chaos site(ChaosRule rule) {
		Chaos chaos = Chaos.of("site", this.scheduler, ChaosRandom.seeded(1));
		chaos.rules(List.of(rule));
		return chaos;
	}

	private static ChaosRuleConfig exception(double rate) {
		return ChaosRuleConfig.builder(ChaosFault.EXCEPTION)
			.exception(() -> new IOException("chaos: rule boom"))
			.rate(rate)
			.build();
	}

	private static ChaosRuleConfig latency(Duration latency) {
		return ChaosRuleConfig.builder(ChaosFault.LATENCY).latency(latency).build();
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("breaker",
				CircuitBreakerConfig.builder().slidingWindowSize(10).minimumNumberOfCalls(10).build(), this.ticker,
				this.scheduler);
	}

}
