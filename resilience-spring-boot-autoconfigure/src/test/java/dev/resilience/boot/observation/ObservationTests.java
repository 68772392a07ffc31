package dev.resilience.boot.observation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.reactivex.rxjava3.core.Single;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every annotated call is a {@code resilience.call} observation, each retry attempt a
 * {@code resilience.attempt} child, for every return type: named, keyed, with the right
 * outcome, stopped when the result completes (not when the method returns), and current
 * while the method runs, so that what the method observes is a child of the attempt.
 */
class ObservationTests {

	private static final Duration BOUND = Duration.ofSeconds(5);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ResilienceAutoConfiguration.class, ResilienceObservationAutoConfiguration.class))
		.withUserConfiguration(Application.class)
		.withPropertyValues("resilience.retry.instances.flaky.max-attempts=3",
				"resilience.retry.instances.flaky.wait-duration=0",
				"resilience.circuitbreaker.instances.backend.minimum-number-of-calls=100",
				"resilience.timeout.instances.slow.timeout-duration=10s");

	/** The return types, each served by its own path. */
	enum Kind {

		PLAIN, FUTURE, MONO, FLUX, SINGLE

	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aSuccessfulCallIsOneStoppedObservationNamedAfterTheMethodWithAKeyPerStage(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThat(call(context.getBean(Backend.class), kind, 0)).isEqualTo("ok 1");
			List<Observation.Context> calls = observations(registry, "resilience.call");
			assertThat(calls).singleElement().satisfies((call) -> {
				assertThat(call.getContextualName()).isEqualTo("Backend." + method(kind));
				assertThat(low(call, "resilience.method")).isEqualTo("Backend." + method(kind));
				assertThat(low(call, "resilience.outcome")).isEqualTo("success");
				assertThat(low(call, "resilience.retry")).isEqualTo("flaky");
				assertThat(low(call, "resilience.circuitbreaker")).isEqualTo("backend");
				// Stages the method does not have are keyed too, as "none": Prometheus
				// wants one label set per metric.
				assertThat(low(call, "resilience.ratelimiter")).isEqualTo("none");
				assertThat(low(call, "resilience.bulkhead")).isEqualTo("none");
				assertThat(low(call, "resilience.timeout")).isEqualTo("none");
				assertThat(call.getError()).isNull();
			});
			assertThat(registry).doesNotHaveAnyRemainingCurrentObservation();
			assertThat(registry).hasNumberOfObservationsWithNameEqualTo("resilience.call", 1);
			assertThat(context.getBean(Events.class).stopped).containsAll(calls);
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void everyAttemptIsAChildOfItsCallNumberedWithItsOwnOutcome(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThat(call(context.getBean(Backend.class), kind, 2)).isEqualTo("ok 3");
			Observation.Context call = single(registry, "resilience.call");
			List<Observation.Context> attempts = observations(registry, "resilience.attempt");
			assertThat(attempts).hasSize(3);
			for (int i = 0; i < 3; i++) {
				Observation.Context attempt = attempts.get(i);
				assertThat(attempt.getParentObservation()).isNotNull();
				assertThat(attempt.getParentObservation().getContextView()).isSameAs(call);
				assertThat(attempt.getHighCardinalityKeyValue("resilience.attempt.number").getValue())
					.isEqualTo(Integer.toString(i + 1));
				assertThat(low(attempt, "resilience.method")).isEqualTo("Backend." + method(kind));
				assertThat(low(attempt, "resilience.retry")).isEqualTo("flaky");
				assertThat(low(attempt, "resilience.outcome")).isEqualTo((i < 2) ? "failure" : "success");
				if (i < 2) {
					assertThat(attempt.getError()).isInstanceOf(IllegalStateException.class).hasMessage("down");
				}
				else {
					assertThat(attempt.getError()).isNull();
				}
			}
			assertThat(low(call, "resilience.outcome")).isEqualTo("success");
			assertThat(context.getBean(Events.class).stopped).containsAll(attempts).contains(call);
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void theMethodRunsInItsAttemptsObservationSoWhatItObservesNestsUnderTheAttempt(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			Backend backend = context.getBean(Backend.class);
			call(backend, kind, 1);
			List<Observation.Context> attempts = observations(registry, "resilience.attempt");
			List<Observation.Context> requests = observations(registry, "downstream.request");
			assertThat(requests).hasSize(2);
			for (int i = 0; i < 2; i++) {
				assertThat(requests.get(i).getParentObservation()).isNotNull();
				assertThat(requests.get(i).getParentObservation().getContextView()).isSameAs(attempts.get(i));
			}
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aFailedCallRecordsItsErrorAndTheFailureOutcome(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> call(context.getBean(Backend.class), kind, 5))
				.withMessage("down");
			Observation.Context call = single(registry, "resilience.call");
			assertThat(low(call, "resilience.outcome")).isEqualTo("failure");
			assertThat(call.getError()).isInstanceOf(IllegalStateException.class);
			assertThat(observations(registry, "resilience.attempt")).hasSize(3);
		});
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aRejectionByTheMethodsOwnBreakerIsTheRejectedOutcomeWithItsErrorAndAnEvent(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			context.getBean(CircuitBreakerRegistry.class)
				.instance("backend")
				.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.FORCED_OPEN);
			assertThatExceptionOfType(CallNotPermittedException.class)
				.isThrownBy(() -> call(context.getBean(Backend.class), kind, 0));
			Observation.Context call = single(registry, "resilience.call");
			assertThat(low(call, "resilience.outcome")).isEqualTo("rejected");
			assertThat(call.getError()).isInstanceOf(CallNotPermittedException.class);
			// The retry does not retry a rejection: one attempt, rejected too.
			assertThat(observations(registry, "resilience.attempt")).singleElement()
				.satisfies((attempt) -> assertThat(low(attempt, "resilience.outcome")).isEqualTo("rejected"));
			Events events = context.getBean(Events.class);
			// One rejection event for the attempt, one for the call.
			assertThat(events.contextual).containsExactly("circuitbreaker 'backend' rejected the call",
					"circuitbreaker 'backend' rejected the call");
			assertThat(events.names).containsOnly("rejected");
		});
	}

	@ParameterizedTest
	@EnumSource(value = Kind.class, names = { "PLAIN", "FUTURE", "MONO" })
	void aRejectionTheFallbackAnswersIsTheFallbackOutcomeWithTheRejectionEventAndNoError(Kind kind) {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			context.getBean(CircuitBreakerRegistry.class)
				.instance("guarded")
				.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.FORCED_OPEN);
			Guarded guarded = context.getBean(Guarded.class);
			String result = switch (kind) {
				case PLAIN -> guarded.plain();
				case FUTURE -> guarded.future().get();
				default -> guarded.mono().block(BOUND);
			};
			assertThat(result).isEqualTo("fallback");
			Observation.Context call = single(registry, "resilience.call");
			assertThat(low(call, "resilience.outcome")).isEqualTo("fallback");
			assertThat(call.getError()).isNull();
			assertThat(context.getBean(Events.class).contextual).contains("circuitbreaker 'guarded' rejected the call");
			// The fallback runs in the call's observation.
			assertThat(CONTROLS.get().fallbackObservation.get()).isNotNull();
			assertThat(CONTROLS.get().fallbackObservation.get().getContextView()).isSameAs(call);
		});
	}

	@Test
	void aFailureTheFallbackAnswersIsTheFallbackOutcomeWithoutARejectionEvent() {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThat(context.getBean(Guarded.class).failing()).isEqualTo("fallback");
			assertThat(low(single(registry, "resilience.call"), "resilience.outcome")).isEqualTo("fallback");
			assertThat(context.getBean(Events.class).contextual).isEmpty();
		});
	}

	@Test
	void aRejectionByAnotherMethodsInstanceThatTheMethodLetsThroughIsAFailureOfThisOne() {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThatExceptionOfType(CallNotPermittedException.class)
				.isThrownBy(() -> context.getBean(Guarded.class).passesOnARejection());
			assertThat(low(single(registry, "resilience.call"), "resilience.outcome")).isEqualTo("failure");
		});
	}

	@Test
	void aFuturesObservationStopsWhenTheFutureCompletesNotWhenTheMethodReturns() {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			Held held = context.getBean(Held.class);
			CompletableFuture<String> result = held.future();
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call")
				.that()
				.hasBeenStarted()
				.isNotStopped();
			CONTROLS.get().future.complete("late");
			assertThat(result).succeedsWithin(BOUND).isEqualTo("late");
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call").that().hasBeenStopped();
			assertThat(low(single(registry, "resilience.call"), "resilience.outcome")).isEqualTo("success");
		});
	}

	@Test
	void aMonosObservationIsPerSubscriptionAChildOfTheSubscribersAndStopsAtItsElement() {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			Held held = context.getBean(Held.class);
			Observation subscriber = Observation.start("subscriber", registry);
			Mono<String> mono = held.mono()
				.contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, subscriber));
			// Assembling it observes nothing: the call is its subscription.
			assertThat(observations(registry, "resilience.call")).isEmpty();
			AtomicReference<String> value = new AtomicReference<>();
			mono.subscribe(value::set);
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call").that().isNotStopped();
			CONTROLS.get().sink.tryEmitValue("late");
			assertThat(value).hasValue("late");
			Observation.Context call = single(registry, "resilience.call");
			assertThat(call.getParentObservation()).isSameAs(subscriber);
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call").that().hasBeenStopped();
			// A second subscription is a second call.
			CONTROLS.get().sink = Sinks.one();
			mono.subscribe();
			CONTROLS.get().sink.tryEmitValue("again");
			assertThat(observations(registry, "resilience.call")).hasSize(2);
		});
	}

	@Test
	void aFluxIsObservedUntilItCompletesAndACancelBeforeAnyElementIsAFailure() {
		this.contextRunner.run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			Held held = context.getBean(Held.class);
			var subscription = held.flux().subscribe();
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call").that().isNotStopped();
			subscription.dispose();
			Observation.Context call = single(registry, "resilience.call");
			assertThat(registry).hasObservationWithNameEqualTo("resilience.call").that().hasBeenStopped();
			assertThat(low(call, "resilience.outcome")).isEqualTo("failure");
			assertThat(call.getError()).isInstanceOf(java.util.concurrent.CancellationException.class);
		});
	}

	@Test
	void switchedOffNoCallIsObserved() {
		this.contextRunner.withPropertyValues("resilience.observations.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ResilienceObservations.class);
			context.getBean(Backend.class).plain(0);
			assertThat(observations(null, "resilience.call")).isEmpty();
			assertThat(observations(null, "downstream.request")).hasSize(1);
		});
	}

	@Test
	void withoutAnObservationRegistryNoCallIsObserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
					ResilienceObservationAutoConfiguration.class))
			.withUserConfiguration(BackendOnly.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceObservations.class);
				assertThat(context.getBean(Backend.class).plain(0)).isEqualTo("ok 1");
			});
	}

	@Test
	void withoutMicrometerObservationOnTheClassPathTheStarterWorksUnobserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
					ResilienceObservationAutoConfiguration.class))
			.withBean(Plain.class)
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(ResilienceObservations.class);
				assertThat(context.getBean(Plain.class).call()).isEqualTo("ok");
				assertThat(context.getBean(Plain.class)).isInstanceOf(org.springframework.aop.framework.Advised.class);
			});
	}

	@Test
	void anApplicationsConventionReplacesTheDefaultOne() {
		this.contextRunner.withUserConfiguration(CustomConvention.class).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			context.getBean(Backend.class).plain(0);
			Observation.Context call = single(registry, "resilience.call");
			assertThat(low(call, "tenant")).isEqualTo("acme");
			assertThat(low(call, "resilience.outcome")).isEqualTo("success");
		});
	}

	private static String call(Backend backend, Kind kind, int failures) throws Exception {
		CONTROLS.get().failures.set(failures);
		try {
			return switch (kind) {
				case PLAIN -> backend.plain(failures);
				case FUTURE -> backend.future(failures).join();
				case MONO -> backend.mono(failures).block(BOUND);
				case FLUX -> backend.flux(failures).blockLast(BOUND);
				case SINGLE -> backend.single(failures).blockingGet();
			};
		}
		catch (java.util.concurrent.CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	private static String method(Kind kind) {
		return kind.name().toLowerCase(java.util.Locale.ROOT);
	}

	private static List<Observation.Context> observations(TestObservationRegistry registry, String name) {
		return EVENTS.get().started.stream().filter((observed) -> name.equals(observed.getName())).toList();
	}

	// The recorder and the controls of the context under test (one context runs at a
	// time); the beans are proxies, whose fields are not theirs.
	private static final AtomicReference<Events> EVENTS = new AtomicReference<>();

	private static final AtomicReference<Controls> CONTROLS = new AtomicReference<>();

	/** What the tests set and read of the beans. */
	static final class Controls {

		final AtomicInteger failures = new AtomicInteger();

		final AtomicInteger calls = new AtomicInteger();

		final AtomicReference<Observation> fallbackObservation = new AtomicReference<>();

		volatile CompletableFuture<String> future = new CompletableFuture<>();

		volatile Sinks.One<String> sink = Sinks.one();

		Controls() {
			CONTROLS.set(this);
		}

	}

	private static Observation.Context single(TestObservationRegistry registry, String name) {
		List<Observation.Context> found = observations(registry, name);
		assertThat(found).as(name).hasSize(1);
		return found.get(0);
	}

	private static String low(Observation.Context context, String key) {
		assertThat(context.getLowCardinalityKeyValue(key)).as(key + " of " + context.getName()).isNotNull();
		return context.getLowCardinalityKeyValue(key).getValue();
	}

	@Configuration(proxyBeanMethods = false)
	static class Application {

		@Bean
		TestObservationRegistry testObservationRegistry(Events events) {
			TestObservationRegistry registry = TestObservationRegistry.create();
			registry.observationConfig().observationHandler(events);
			return registry;
		}

		@Bean
		Events events() {
			Events events = new Events();
			EVENTS.set(events);
			return events;
		}

		@Bean
		Controls controls() {
			return new Controls();
		}

		@Bean
		Backend backend(ObservationRegistry registry) {
			return new Backend(registry);
		}

		@Bean
		Guarded guarded() {
			return new Guarded();
		}

		@Bean
		Held held() {
			return new Held();
		}

		@Bean
		FakeTicker fakeTicker() {
			return new FakeTicker();
		}

		@Bean
		ManualScheduler manualScheduler(FakeTicker ticker) {
			return new ManualScheduler(ticker);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BackendOnly {

		@Bean
		Controls controls() {
			return new Controls();
		}

		@Bean
		Backend backend() {
			return new Backend(ObservationRegistry.NOOP);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomConvention {

		@Bean
		ResilienceCallObservationConvention tenantConvention() {
			return new DefaultResilienceCallObservationConvention() {

				@Override
				public io.micrometer.common.KeyValues getLowCardinalityKeyValues(ResilienceCallContext context) {
					return super.getLowCardinalityKeyValues(context).and("tenant", "acme");
				}

			};
		}

	}

	/** Records the observations started and stopped, and the events' names. */
	static class Events implements io.micrometer.observation.ObservationHandler<Observation.Context> {

		final List<Observation.Context> started = new java.util.concurrent.CopyOnWriteArrayList<>();

		final List<Observation.Context> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		public void onStart(Observation.Context context) {
			this.started.add(context);
		}

		@Override
		public void onStop(Observation.Context context) {
			this.stopped.add(context);
		}

		final List<String> contextual = new java.util.concurrent.CopyOnWriteArrayList<>();

		final List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		public void onEvent(Observation.Event event, Observation.Context context) {
			this.contextual.add(event.getContextualName());
			this.names.add(event.getName());
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

	}

	/**
	 * Fails as many times as told, then answers; each attempt observes a
	 * "downstream.request" as an HTTP client would, a child of the current observation
	 * (the thread's, or for a publisher its subscriber Context's, as WebClient reads it).
	 */
	@Retry(name = "flaky")
	@CircuitBreaker(name = "backend")
	static class Backend {

		private final ObservationRegistry registry;

		Backend(ObservationRegistry registry) {
			this.registry = registry;
		}

		public String plain(int failures) {
			return Observation.createNotStarted("downstream.request", this.registry).observe(this::answer);
		}

		public CompletableFuture<String> future(int failures) {
			return CompletableFuture.completedFuture(null).thenApply((ignored) -> plainInCurrent());
		}

		public Mono<String> mono(int failures) {
			return Mono.deferContextual((view) -> Mono.fromCallable(() -> requestUnder(view)));
		}

		public Flux<String> flux(int failures) {
			return Flux.deferContextual((view) -> Mono.fromCallable(() -> requestUnder(view)));
		}

		public Single<String> single(int failures) {
			return Single.fromCallable(this::plainInCurrent);
		}

		private String plainInCurrent() {
			return Observation.createNotStarted("downstream.request", this.registry).observe(this::answer);
		}

		private String requestUnder(reactor.util.context.ContextView view) {
			Observation parent = view.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
			return Observation.createNotStarted("downstream.request", this.registry)
				.parentObservation(parent)
				.observe(this::answer);
		}

		private String answer() {
			int call = CONTROLS.get().calls.incrementAndGet();
			if (CONTROLS.get().failures.getAndDecrement() > 0) {
				throw new IllegalStateException("down");
			}
			return "ok " + call;
		}

	}

	/** Protected, and without a Micrometer type. */
	@CircuitBreaker(name = "plain")
	public static class Plain {

		public String call() {
			return "ok";
		}

	}

	/** Answered by a fallback; "guarded" is opened by the tests. */
	@CircuitBreaker(name = "guarded")
	static class Guarded {

		@org.springframework.beans.factory.annotation.Autowired
		ObservationRegistry registry;

		@Fallback(method = "answer")
		public String plain() {
			return "call";
		}

		@Fallback(method = "answerFuture")
		public CompletableFuture<String> future() {
			return CompletableFuture.completedFuture("call");
		}

		@Fallback(method = "answerMono")
		public Mono<String> mono() {
			return Mono.just("call");
		}

		@Fallback(method = "answer")
		public String failing() {
			throw new IllegalStateException("down");
		}

		@Fallback(method = "none")
		public String passesOnARejection() {
			throw new CallNotPermittedException("elsewhere", dev.resilience.circuitbreaker.CircuitBreaker.State.OPEN);
		}

		String answer() {
			CONTROLS.get().fallbackObservation.set(this.registry.getCurrentObservation());
			return "fallback";
		}

		CompletableFuture<String> answerFuture() {
			return CompletableFuture.completedFuture(answer());
		}

		Mono<String> answerMono() {
			return Mono.just(answer());
		}

		String none(IllegalArgumentException ex) {
			return "never";
		}

	}

	/** Results that complete when the test says. */
	@Timeout(name = "slow")
	static class Held {

		public CompletableFuture<String> future() {
			return CONTROLS.get().future;
		}

		public Mono<String> mono() {
			return Mono.defer(() -> CONTROLS.get().sink.asMono());
		}

		public Flux<String> flux() {
			return Flux.never();
		}

	}

}
