package dev.resilience.boot.aop;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Annotations keep their promise on beans that other advisors proxied first (a JDK
 * interface proxy made for transactions), fallbacks on another proxied bean run on its
 * real object, and class-level annotations protect the business methods only.
 */
class ProxiedBeanTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withUserConfiguration(FakeTimeConfiguration.class)
		.withPropertyValues("resilience.retry.configs.default.max-attempts=3",
				"resilience.retry.configs.default.wait-duration=0",
				"resilience.ratelimiter.instances.one.limit-for-period=1",
				"resilience.ratelimiter.instances.one.limit-refresh-period=1h",
				"resilience.ratelimiter.instances.one.timeout-duration=0");

	@Test
	void annotationsOnTheImplementationOfAJdkProxiedBeanApplyAndWrapItsTransactions() {
		this.contextRunner.withUserConfiguration(JdkProxiedConfiguration.class).run((context) -> {
			Greeter greeter = context.getBean(Greeter.class);
			assertThat(Proxy.isProxyClass(greeter.getClass())).as("a JDK proxy, made for the transactions").isTrue();
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> greeter.greet("ann"));
			RetriedGreeter target = (RetriedGreeter) AopProxyUtils.getSingletonTarget(greeter);
			assertThat(target.calls).hasValue(3);
			// The retry is outermost: a transaction per attempt.
			assertThat(context.getBean(CountingTransactionManager.class).begun).hasValue(3);
		});
	}

	@Test
	void anAnnotatedMethodAJdkProxyCannotReachFailsStartup() {
		this.contextRunner.withUserConfiguration(HiddenMethodConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("HiddenGreeter.hidden()")
				.hasMessageContaining("JDK proxy")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action())
					.contains("proxy-target-class")));
	}

	@Test
	void aPrivateOrFinalFallbackOnAnotherProxiedBeanRunsOnItsRealObject() {
		this.contextRunner.withBean("helper", Helper.class).withBean(Caller.class).run((context) -> {
			assertThat(AopUtils.isCglibProxy(context.getBean("helper"))).isTrue();
			Caller caller = context.getBean(Caller.class);
			assertThat(caller.viaPrivate("x")).isEqualTo("fb:x");
			assertThat(caller.viaFinal("x")).isEqualTo("fb:x");
			// A public fallback still goes through the helper's proxy (its own breaker
			// counts it).
			assertThat(caller.viaPublic("x")).isEqualTo("fb:x");
			assertThat(
					context.getBean(CircuitBreakerRegistry.class).instance("helper").metrics().totalSuccessfulCalls())
				.isEqualTo(1);
		});
	}

	@Test
	void classLevelAnnotationsLeaveToStringEqualsAndHashCodeAlone() {
		this.contextRunner.withBean(LimitedWithObjectMethods.class).run((context) -> {
			LimitedWithObjectMethods bean = context.getBean(LimitedWithObjectMethods.class);
			for (int i = 0; i < 3; i++) {
				assertThat(bean.toString()).isEqualTo("limited");
				// (A class proxy answers equals and hashCode itself, as a proxy.)
				assertThat(bean.equals(bean)).isTrue();
				assertThat(bean.hashCode()).isEqualTo(bean.hashCode());
			}
			// The only permit is still there for the business method.
			assertThat(bean.call()).isEqualTo("ok");
			assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(bean::call);
		});
	}

	@Test
	void anAnnotationOnAnObjectMethodFailsStartup() {
		this.contextRunner.withBean(AnnotatedToString.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("AnnotatedToString.toString()")
				.hasMessageContaining("never protected"));
	}

	@Test
	void aPrimitiveMethodNeedsAFallbackOfTheSamePrimitiveType() {
		this.contextRunner.withBean(PrimitiveWithWrapperFallback.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining("PrimitiveWithWrapperFallback.count()")
				.hasMessageContaining("returns java.lang.Integer, expected int")
				.satisfies((ex) -> assertThat(((ResilienceConfigurationException) ex).action())
					.contains("int fallback(")));
		this.contextRunner.withBean(PrimitiveWithPrimitiveFallback.class)
			.run((context) -> assertThat(context.getBean(PrimitiveWithPrimitiveFallback.class).count()).isEqualTo(-1));
	}

	interface Greeter {

		String greet(String name);

	}

	@Transactional
	static class RetriedGreeter implements Greeter {

		final AtomicInteger calls = new AtomicInteger();

		@Override
		@Retry(name = "greeter")
		public String greet(String name) {
			this.calls.incrementAndGet();
			throw new IllegalStateException("down");
		}

	}

	@Transactional
	static class HiddenGreeter implements Greeter {

		@Override
		public String greet(String name) {
			return name;
		}

		@Retry(name = "greeter")
		public String hidden() {
			return "hidden";
		}

	}

	static class CountingTransactionManager extends AbstractPlatformTransactionManager {

		final AtomicInteger begun = new AtomicInteger();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			this.begun.incrementAndGet();
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(proxyTargetClass = false)
	static class JdkProxiedConfiguration {

		@Bean
		CountingTransactionManager transactionManager() {
			return new CountingTransactionManager();
		}

		@Bean
		Greeter greeter() {
			return new RetriedGreeter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(proxyTargetClass = false)
	static class HiddenMethodConfiguration {

		@Bean
		CountingTransactionManager transactionManager() {
			return new CountingTransactionManager();
		}

		@Bean
		Greeter greeter() {
			return new HiddenGreeter();
		}

	}

	static class Helper {

		// Set by the constructor (not a constant, which javac would inline): a class
		// proxy's own copy of the field is null.
		private final String prefix;

		Helper() {
			this.prefix = "fb:";
		}

		// Makes the helper a class proxy.
		@CircuitBreaker(name = "helper")
		public String publicFallback(String value, Throwable failure) {
			return this.prefix + value;
		}

		private String privateFallback(String value, Throwable failure) {
			return this.prefix + value;
		}

		public final String finalFallback(String value, Throwable failure) {
			return this.prefix + value;
		}

	}

	@Retry(name = "caller")
	static class Caller {

		@Fallback(method = "helper::privateFallback")
		public String viaPrivate(String value) {
			throw new IllegalStateException("down");
		}

		@Fallback(method = "helper::finalFallback")
		public String viaFinal(String value) {
			throw new IllegalStateException("down");
		}

		@Fallback(method = "helper::publicFallback")
		public String viaPublic(String value) {
			throw new IllegalStateException("down");
		}

	}

	@RateLimited(name = "one")
	static class LimitedWithObjectMethods {

		public String call() {
			return "ok";
		}

		@Override
		public String toString() {
			return "limited";
		}

		@Override
		public boolean equals(Object other) {
			return this == other;
		}

		@Override
		public int hashCode() {
			return 7;
		}

	}

	static class AnnotatedToString {

		@Override
		@RateLimited(name = "one")
		public String toString() {
			return "annotated";
		}

	}

	static class PrimitiveWithWrapperFallback {

		@CircuitBreaker(name = "primitive")
		@Fallback(method = "fallback")
		public int count() {
			throw new IllegalStateException("down");
		}

		Integer fallback(Throwable failure) {
			return null;
		}

	}

	static class PrimitiveWithPrimitiveFallback {

		@CircuitBreaker(name = "primitive")
		@Fallback(method = "fallback")
		public int count() {
			throw new IllegalStateException("down");
		}

		int fallback(Throwable failure) {
			return -1;
		}

	}

}
