package dev.resilience.boot.aop;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.testing.ManualScheduler;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Where annotations are found, what order the stages run in, and how the interceptor sits
 * among other advisors.
 */
class InterceptionSemanticsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withUserConfiguration(FakeTimeConfiguration.class)
		.withPropertyValues("resilience.retry.configs.default.max-attempts=3",
				"resilience.retry.configs.default.wait-duration=10ms",
				"resilience.ratelimiter.instances.one.limit-for-period=1",
				"resilience.ratelimiter.instances.one.limit-refresh-period=1h",
				"resilience.ratelimiter.instances.one.timeout-duration=0");

	@Test
	void methodAnnotationWinsOverClassAnnotation() {
		this.contextRunner.withBean(ClassAndMethod.class).run((context) -> {
			ClassAndMethod bean = context.getBean(ClassAndMethod.class);
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(bean::classLevel);
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(bean::methodLevel);
			RetryRegistry retries = context.getBean(RetryRegistry.class);
			assertThat(retries.find("class-retry").orElseThrow().metrics().failedCallsWithRetry()).isEqualTo(1);
			assertThat(retries.find("method-retry").orElseThrow().metrics().failedCallsWithRetry()).isEqualTo(1);
			assertThat(bean.calls()).hasValue(6);
		});
	}

	@Test
	void annotationsOnAnInterfaceApplyToItsImplementation() {
		this.contextRunner.withBean(AnnotatedApiImpl.class).run((context) -> {
			AnnotatedApiImpl bean = context.getBean(AnnotatedApiImpl.class);
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> bean.fetch("x"));
			assertThat(bean.calls()).hasValue(3);
		});
	}

	@Test
	void interfaceOnlyBeansSuchAsHttpClientsAreIntercepted() {
		this.contextRunner.withUserConfiguration(InterfaceClientConfiguration.class).run((context) -> {
			AnnotatedApi client = context.getBean(AnnotatedApi.class);
			assertThat(Proxy.isProxyClass(client.getClass())).isTrue();
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> client.fetch("x"));
			assertThat(context.getBean(InterfaceClientConfiguration.class).calls).hasValue(3);
		});
	}

	@Test
	void retryDoesNotRetryAnOpenCircuitAndTheFallbackSeesTheRejection() {
		this.contextRunner.withBean(Stacked.class).run((context) -> {
			context.getBean(CircuitBreakerRegistry.class)
				.instance("stacked")
				.transitionTo(dev.resilience.circuitbreaker.CircuitBreaker.State.FORCED_OPEN);
			Stacked bean = context.getBean(Stacked.class);
			assertThat(bean.call()).isEqualTo("fallback: CallNotPermittedException");
			assertThat(bean.calls()).hasValue(0);
			assertThat(context.getBean(RetryRegistry.class)
				.find("stacked")
				.orElseThrow()
				.metrics()
				.failedCallsWithoutRetry()).isEqualTo(1);
		});
	}

	@Test
	void fallbackSeesTheRateLimitersRejection() {
		this.contextRunner.withBean(Limited.class).run((context) -> {
			Limited bean = context.getBean(Limited.class);
			assertThat(bean.call()).isEqualTo("ok");
			assertThat(bean.call()).isEqualTo("fallback: RequestNotPermittedException");
		});
	}

	@Test
	void orderCanPutTheBreakerOutsideTheRetry() {
		this.contextRunner.withBean(Stacked.class)
			.withPropertyValues("resilience.order=circuit-breaker,retry,rate-limiter,timeout,bulkhead",
					"resilience.circuitbreaker.instances.stacked.sliding-window-size=10",
					"resilience.circuitbreaker.instances.stacked.minimum-number-of-calls=10")
			.run((context) -> {
				Stacked bean = context.getBean(Stacked.class);
				bean.fail();
				assertThat(bean.call()).startsWith("fallback: IllegalStateException");
				assertThat(bean.calls()).hasValue(3);
				// Outside the retry, the breaker sees one failed execution, not three
				// attempts.
				assertThat(
						context.getBean(CircuitBreakerRegistry.class).instance("stacked").metrics().totalFailedCalls())
					.isEqualTo(1);
			});
	}

	@Test
	void retryWrapsExistingAdvisorsSoEachAttemptRunsThemAgain() {
		this.contextRunner.withUserConfiguration(ExistingProxyConfiguration.class).run((context) -> {
			ClassAndMethod bean = context.getBean(ClassAndMethod.class);
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(bean::methodLevel);
			assertThat(context.getBean(ExistingProxyConfiguration.class).innerAdvice).hasValue(3);
		});
	}

	@Test
	void threadPoolBulkheadRunsTheMethodOnItsOwnThreads() {
		this.contextRunner.withBean(Pooled.class).run((context) -> {
			String thread = context.getBean(Pooled.class).threadName().get(5, java.util.concurrent.TimeUnit.SECONDS);
			assertThat(thread).startsWith("resilience-bulkhead-pool");
			assertThat(thread).isNotEqualTo(Thread.currentThread().getName());
		});
	}

	@Retry(name = "class-retry")
	static class ClassAndMethod {

		final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		public String classLevel() {
			this.calls.incrementAndGet();
			throw new IllegalStateException("class");
		}

		@Retry(name = "method-retry")
		public String methodLevel() {
			this.calls.incrementAndGet();
			throw new IllegalStateException("method");
		}

	}

	interface AnnotatedApi {

		@Retry(name = "api")
		String fetch(String id);

	}

	static class AnnotatedApiImpl implements AnnotatedApi {

		final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		@Override
		public String fetch(String id) {
			this.calls.incrementAndGet();
			throw new IllegalStateException("down");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InterfaceClientConfiguration {

		final AtomicInteger calls = new AtomicInteger();

		@Bean
		AnnotatedApi client() {
			// Like an @HttpExchange client: a JDK proxy with no target class of its own.
			return (AnnotatedApi) Proxy.newProxyInstance(getClass().getClassLoader(),
					new Class<?>[] { AnnotatedApi.class }, (proxy, method, args) -> {
						if (method.getDeclaringClass() == Object.class) {
							return method.invoke(this, args);
						}
						this.calls.incrementAndGet();
						throw new IllegalStateException("remote down");
					});
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ExistingProxyConfiguration {

		final AtomicInteger innerAdvice = new AtomicInteger();

		@Bean
		ClassAndMethod classAndMethod() {
			// Another post-processor's proxy (a transaction, say) is already there.
			ProxyFactory factory = new ProxyFactory(new ClassAndMethod());
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				this.innerAdvice.incrementAndGet();
				return invocation.proceed();
			});
			return (ClassAndMethod) factory.getProxy();
		}

	}

	static class Stacked {

		final AtomicInteger calls = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		volatile boolean failing;

		void fail() {
			this.failing = true;
		}

		@Retry(name = "stacked")
		@CircuitBreaker(name = "stacked")
		@Fallback(method = "fallback")
		public String call() {
			this.calls.incrementAndGet();
			if (this.failing) {
				throw new IllegalStateException("down");
			}
			return "ok";
		}

		String fallback(Throwable failure) {
			return "fallback: " + failure.getClass().getSimpleName();
		}

	}

	static class Pooled {

		@dev.resilience.annotation.Bulkhead(name = "pool", type = dev.resilience.annotation.Bulkhead.Type.THREAD_POOL)
		public java.util.concurrent.CompletableFuture<String> threadName() {
			return java.util.concurrent.CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	static class Limited {

		@RateLimited(name = "one")
		@Fallback(method = "fallback")
		public String call() {
			return "ok";
		}

		String fallback(RequestNotPermittedException failure) {
			return "fallback: " + failure.getClass().getSimpleName();
		}

	}

}
