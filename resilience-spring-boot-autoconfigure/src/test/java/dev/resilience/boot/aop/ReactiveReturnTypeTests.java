package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.testing.ManualScheduler;
import dev.resilience.timeout.TimeoutExceededException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.ConnectableFlux;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.ReactiveTransaction;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.AbstractReactiveTransactionManager;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reactive return types: every subscription runs the whole chain, the interceptors after
 * ours included, and sees the subscriber's Reactor Context; every reactive type that
 * Spring's {@code ReactiveAdapterRegistry} knows is served by the same Reactor stages and
 * returned as the declared type; the others fail startup.
 */
class ReactiveReturnTypeTests {

	private static final Duration BOUND = Duration.ofSeconds(5);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withUserConfiguration(FakeTimeConfiguration.class)
		.withPropertyValues("resilience.retry.configs.default.max-attempts=3",
				"resilience.retry.configs.default.wait-duration=0",
				"resilience.ratelimiter.configs.default.limit-for-period=100",
				"resilience.ratelimiter.configs.default.timeout-duration=0",
				"resilience.timeout.instances.slow.timeout-duration=1s");

	// Interceptors after ours

	@Test
	void eachSubscriptionOfAHeldPublisherRunsTheInterceptorsAfterOurs() {
		this.contextRunner.withUserConfiguration(InnerAdviceConfiguration.class).run((context) -> {
			Subscribed bean = context.getBean(Subscribed.class);
			AtomicInteger inner = context.getBean(InnerAdviceConfiguration.class).innerAdvice;
			Mono<String> mono = bean.mono();
			Flux<String> flux = bean.flux();
			assertThat(mono.block(BOUND)).isEqualTo("1");
			assertThat(mono.block(BOUND)).isEqualTo("2");
			assertThat(inner).hasValue(2);
			assertThat(flux.collectList().block(BOUND)).containsExactly("3");
			assertThat(flux.collectList().block(BOUND)).containsExactly("4");
			assertThat(inner).hasValue(4);
		});
	}

	@Test
	void theCallersOwnRetryAndRepeatRunTheInterceptorsAfterOursEachTime() {
		this.contextRunner.withUserConfiguration(InnerAdviceConfiguration.class).run((context) -> {
			Subscribed bean = context.getBean(Subscribed.class);
			AtomicInteger inner = context.getBean(InnerAdviceConfiguration.class).innerAdvice;
			bean.failUntil(3);
			// Subscriptions 1 and 2 fail, the third succeeds.
			assertThat(bean.mono().retry(2).block(BOUND)).isEqualTo("3");
			assertThat(inner).hasValue(3);
			assertThat(bean.flux().repeat(2).collectList().block(BOUND)).containsExactly("4", "5", "6");
			assertThat(inner).hasValue(6);
			bean.failUntil(9);
			assertThat(bean.flux().retry(2).collectList().block(BOUND)).containsExactly("9");
			assertThat(inner).hasValue(9);
		});
	}

	@Test
	void everyAttemptOfOurRetryRunsTheInterceptorsAfterOursWhateverTheReturnType() {
		this.contextRunner.withUserConfiguration(InnerAdviceConfiguration.class).run((context) -> {
			Retried bean = context.getBean(Retried.class);
			AtomicInteger inner = context.getBean(InnerAdviceConfiguration.class).innerAdvice;
			assertThat(bean.future()).succeedsWithin(BOUND).isEqualTo("3");
			assertThat(inner).hasValue(3);
			assertThat(bean.mono().block(BOUND)).isEqualTo("6");
			assertThat(inner).hasValue(6);
			assertThat(bean.flux().collectList().block(BOUND)).containsExactly("9");
			assertThat(inner).hasValue(9);
		});
	}

	@Test
	void aReactiveTransactionIsBegunForEachSubscription() {
		this.contextRunner.withUserConfiguration(ReactiveTransactionConfiguration.class).run((context) -> {
			TransactionalService bean = context.getBean(TransactionalService.class);
			CountingReactiveTransactionManager transactions = context.getBean(CountingReactiveTransactionManager.class);
			Mono<String> held = bean.mono();
			assertThat(held.block(BOUND)).isEqualTo("in a transaction");
			assertThat(held.block(BOUND)).isEqualTo("in a transaction");
			assertThat(transactions.begun).hasValue(2);
			// Our retry wraps the transaction: one per attempt.
			bean.failTwice();
			assertThat(bean.retried().block(BOUND)).isEqualTo("in a transaction");
			assertThat(transactions.begun).hasValue(5);
		});
	}

	// Reactor Context

	@Test
	void theSubscribersContextReachesTheMethodThroughEveryStageAsItReachesAnUnannotatedOne() {
		this.contextRunner.withBean(ContextReader.class).withBean(PlainContextReader.class).run((context) -> {
			Context user = Context.of("user", "alice");
			assertThat(context.getBean(PlainContextReader.class).mono().contextWrite(user).block(BOUND))
				.isEqualTo("alice");
			ContextReader reader = context.getBean(ContextReader.class);
			assertThat(reader.mono("k").contextWrite(user).block(BOUND)).isEqualTo("alice");
			assertThat(reader.flux("k").contextWrite(user).collectList().block(BOUND)).containsExactly("alice",
					"alice");
			assertThat(Flux.from(reader.publisher("k")).contextWrite(user).collectList().block(BOUND))
				.containsExactly("alice");
			// The retry's attempts and the fallback see it too.
			assertThat(reader.failing("k").contextWrite(user).block(BOUND)).isEqualTo("fallback for alice");
			assertThat(reader.attempts()).hasValue(3);
		});
	}

	// Other reactive types

	@Test
	void aPublisherMethodIsRetriedOnEachSubscriptionAndTimedOut() {
		this.contextRunner.withBean(OtherTypes.class).run((context) -> {
			OtherTypes bean = context.getBean(OtherTypes.class);
			assertThat(Flux.from(bean.publisher()).collectList().block(BOUND)).containsExactly("ok");
			assertThat(bean.attempts()).hasValue(3);
			Flow.Publisher<String> flow = bean.flowPublisher();
			assertThat(JdkFlowAdapter.flowPublisherToFlux(flow).collectList().block(BOUND)).containsExactly("ok");
			assertThat(bean.attempts()).hasValue(6);
			// @Timeout on a publisher bounds its subscription, not only its creation.
			CompletableFuture<List<String>> never = Flux.from(bean.never()).collectList().toFuture();
			// Three attempts of a second each.
			for (int i = 0; i < 5; i++) {
				context.getBean(ManualScheduler.class).advance(Duration.ofSeconds(1));
			}
			assertThat(never).failsWithin(BOUND)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(TimeoutExceededException.class);
		});
	}

	@Test
	void rxJavaTypesAreServedAndReturnedAsTheDeclaredType() {
		this.contextRunner.withBean(OtherTypes.class).run((context) -> {
			OtherTypes bean = context.getBean(OtherTypes.class);
			Single<String> single = bean.single();
			assertThat(single.blockingGet()).isEqualTo("ok");
			assertThat(bean.attempts()).hasValue(3);
			assertThat(bean.flowable().toList().blockingGet()).containsExactly("ok");
			assertThat(bean.attempts()).hasValue(6);
			assertThat(bean.maybe().blockingGet()).isEqualTo("ok");
			assertThat(bean.attempts()).hasValue(9);
			assertThat(bean.observable().toList().blockingGet()).containsExactly("ok");
			assertThat(bean.attempts()).hasValue(12);
			bean.completable().blockingAwait();
			assertThat(bean.attempts()).hasValue(15);
			// The fallback's answer is returned as the declared type too.
			assertThat(bean.singleWithFallback().blockingGet()).isEqualTo("fallback: IllegalStateException");
		});
	}

	@ParameterizedTest
	@ValueSource(classes = { ConnectableFluxMethod.class, OwnPublisherMethod.class })
	void aReactiveTypeThatCannotBeRebuiltFailsStartupNamingIt(Class<?> bean) throws Exception {
		String type = bean.getMethod("items").getReturnType().getName();
		this.contextRunner.withBean(bean)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining(bean.getSimpleName() + ".items()")
				.hasMessageContaining(type));
	}

	@Configuration(proxyBeanMethods = false)
	static class InnerAdviceConfiguration {

		final AtomicInteger innerAdvice = new AtomicInteger();

		@Bean
		Subscribed subscribed() {
			return proxied(new Subscribed());
		}

		@Bean
		Retried retried() {
			return proxied(new Retried());
		}

		@SuppressWarnings("unchecked")
		private <T> T proxied(T target) {
			// Another post-processor's proxy (a transaction, a security check) is already
			// there; it counts the invocations that reach it.
			ProxyFactory factory = new ProxyFactory(target);
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				// The business methods only, not the test's package-private helpers.
				if (java.lang.reflect.Modifier.isPublic(invocation.getMethod().getModifiers())) {
					this.innerAdvice.incrementAndGet();
				}
				return invocation.proceed();
			});
			return (T) factory.getProxy();
		}

	}

	@CircuitBreaker(name = "subscribed")
	static class Subscribed {

		private final AtomicInteger calls = new AtomicInteger();

		private volatile int failUntil;

		void failUntil(int call) {
			this.failUntil = call;
		}

		private String next() {
			int call = this.calls.incrementAndGet();
			if (call < this.failUntil) {
				throw new IllegalStateException("call " + call);
			}
			return String.valueOf(call);
		}

		public Mono<String> mono() {
			return Mono.fromSupplier(this::next);
		}

		public Flux<String> flux() {
			return Flux.defer(() -> Flux.just(next()));
		}

	}

	@Retry(name = "retried")
	static class Retried {

		private final AtomicInteger calls = new AtomicInteger();

		// Every third call succeeds.
		private String next() {
			int call = this.calls.incrementAndGet();
			if (call % 3 != 0) {
				throw new IllegalStateException("call " + call);
			}
			return String.valueOf(call);
		}

		public CompletableFuture<String> future() {
			try {
				return CompletableFuture.completedFuture(next());
			}
			catch (IllegalStateException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

		public Mono<String> mono() {
			return Mono.fromSupplier(this::next);
		}

		public Flux<String> flux() {
			return Flux.defer(() -> Flux.just(next()));
		}

	}

	static class CountingReactiveTransactionManager extends AbstractReactiveTransactionManager {

		final AtomicInteger begun = new AtomicInteger();

		@Override
		protected Object doGetTransaction(TransactionSynchronizationManager synchronizationManager) {
			return new Object();
		}

		@Override
		protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
				TransactionDefinition definition) {
			return Mono.fromRunnable(this.begun::incrementAndGet);
		}

		@Override
		protected Mono<Void> doCommit(TransactionSynchronizationManager synchronizationManager,
				GenericReactiveTransaction status) {
			return Mono.empty();
		}

		@Override
		protected Mono<Void> doRollback(TransactionSynchronizationManager synchronizationManager,
				GenericReactiveTransaction status) {
			return Mono.empty();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class ReactiveTransactionConfiguration {

		@Bean
		CountingReactiveTransactionManager transactionManager() {
			return new CountingReactiveTransactionManager();
		}

		@Bean
		TransactionalService transactionalService() {
			return new TransactionalService();
		}

	}

	static class TransactionalService {

		private final AtomicInteger failures = new AtomicInteger();

		void failTwice() {
			this.failures.set(2);
		}

		private Mono<String> inTransaction() {
			return Mono.deferContextual((context) -> {
				if (this.failures.getAndDecrement() > 0) {
					return Mono.error(new IllegalStateException("down"));
				}
				return org.springframework.transaction.reactive.TransactionContextManager.currentContext()
					.map((ignored) -> "in a transaction");
			});
		}

		@Transactional
		@CircuitBreaker(name = "transactional")
		public Mono<String> mono() {
			return inTransaction();
		}

		@Transactional
		@Retry(name = "transactional")
		public Mono<String> retried() {
			return inTransaction();
		}

	}

	static class PlainContextReader {

		public Mono<String> mono() {
			return Mono.deferContextual((context) -> Mono.just(context.get("user")));
		}

	}

	@Retry(name = "context")
	@CircuitBreaker(name = "context")
	@Timeout(name = "slow")
	@Bulkhead(name = "context", key = "#key")
	static class ContextReader {

		private final AtomicInteger attempts = new AtomicInteger();

		// Package-private: the proxy passes it to the target (its own fields are not the
		// target's).
		AtomicInteger attempts() {
			return this.attempts;
		}

		@RateLimited(name = "context", key = "#key")
		public Mono<String> mono(String key) {
			return Mono.deferContextual((context) -> Mono.just(context.get("user")));
		}

		@RateLimited(name = "context", key = "#key")
		public Flux<String> flux(String key) {
			return Flux.deferContextual((context) -> Flux.just(context.<String>get("user"), context.get("user")));
		}

		@RateLimited(name = "context", key = "#key")
		public Publisher<String> publisher(String key) {
			return Mono.deferContextual((context) -> Mono.just(context.get("user")));
		}

		@Fallback(method = "fallback")
		public Mono<String> failing(String key) {
			return Mono.deferContextual((context) -> {
				this.attempts.incrementAndGet();
				return Mono.error(new IllegalStateException("down for " + context.get("user")));
			});
		}

		Mono<String> fallback(String key, IllegalStateException failure) {
			return Mono.deferContextual((context) -> Mono.just("fallback for " + context.get("user")));
		}

	}

	@Retry(name = "other")
	static class OtherTypes {

		private final AtomicInteger attempts = new AtomicInteger();

		// Package-private: the proxy passes it to the target (its own fields are not the
		// target's).
		AtomicInteger attempts() {
			return this.attempts;
		}

		// Every third attempt succeeds.
		private boolean fails() {
			return this.attempts.incrementAndGet() % 3 != 0;
		}

		public Publisher<String> publisher() {
			return Flux.defer(() -> fails() ? Flux.error(new IllegalStateException("down")) : Flux.just("ok"));
		}

		public Flow.Publisher<String> flowPublisher() {
			return JdkFlowAdapter.publisherToFlowPublisher(publisher());
		}

		@Timeout(name = "slow")
		public Publisher<String> never() {
			return Flux.never();
		}

		public Single<String> single() {
			return Single.defer(() -> fails() ? Single.error(new IllegalStateException("down")) : Single.just("ok"));
		}

		public Flowable<String> flowable() {
			return Flowable.fromPublisher(publisher());
		}

		public Maybe<String> maybe() {
			return Maybe.defer(() -> fails() ? Maybe.error(new IllegalStateException("down")) : Maybe.just("ok"));
		}

		public Observable<String> observable() {
			return Observable
				.defer(() -> fails() ? Observable.error(new IllegalStateException("down")) : Observable.just("ok"));
		}

		public Completable completable() {
			return Completable
				.defer(() -> fails() ? Completable.error(new IllegalStateException("down")) : Completable.complete());
		}

		@CircuitBreaker(name = "other")
		@Fallback(method = "fallback")
		public Single<String> singleWithFallback() {
			return Single.error(new IllegalStateException("down"));
		}

		Single<String> fallback(Throwable failure) {
			return Single.just("fallback: " + failure.getClass().getSimpleName());
		}

	}

	static class ConnectableFluxMethod {

		@Retry(name = "other")
		public ConnectableFlux<String> items() {
			return Flux.just("a").publish();
		}

	}

	static class OwnPublisher implements Publisher<String> {

		@Override
		public void subscribe(org.reactivestreams.Subscriber<? super String> subscriber) {
			Flux.just("a").subscribe(subscriber);
		}

	}

	static class OwnPublisherMethod {

		@Retry(name = "other")
		public OwnPublisher items() {
			return new OwnPublisher();
		}

	}

}
