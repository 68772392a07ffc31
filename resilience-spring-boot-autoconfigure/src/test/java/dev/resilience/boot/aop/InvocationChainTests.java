package dev.resilience.boot.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retried call proceeds on the invocation itself only when no interceptor follows the
 * retrying one, and on a copy otherwise, so that the ones after it run once per attempt;
 * decided per call, so an advisor added after startup is run too.
 */
class InvocationChainTests {

	private static final int ATTEMPTS = 3;

	@Test
	void theInvocationsPositionCanBeReadInThisSpring() {
		// Otherwise every retried call would silently proceed on a copy (96 B more).
		assertThat(InvocationChain.isReadable()).isTrue();
	}

	@Test
	void theLastInterceptorProceedsOnTheInvocationItselfOncePerAttempt() {
		Target target = new Target();
		Retrying retrying = new Retrying();
		Target proxy = proxy(target, retrying);
		assertThat(proxy.call()).isEqualTo("ok");
		assertThat(retrying.last).containsExactly(true);
		assertThat(target.calls).hasValue(ATTEMPTS);
	}

	@Test
	void anInterceptorAfterTheRetryingOneRunsOncePerAttempt() {
		Target target = new Target();
		Retrying retrying = new Retrying();
		Counting after = new Counting();
		Target proxy = proxy(target, retrying, after);
		assertThat(proxy.call()).isEqualTo("ok");
		assertThat(retrying.last).containsExactly(false);
		assertThat(after.runs).hasValue(ATTEMPTS);
		assertThat(target.calls).hasValue(ATTEMPTS);
	}

	@Test
	void anInterceptorAddedAfterTheFirstCallsRunsOncePerAttemptFromTheNextCall() {
		Target target = new Target();
		Retrying retrying = new Retrying();
		Target proxy = proxy(target, retrying);
		proxy.call();
		Counting added = new Counting();
		((Advised) proxy).addAdvice(added);
		proxy.call();
		assertThat(retrying.last).containsExactly(true, false);
		assertThat(added.runs).hasValue(ATTEMPTS);
		assertThat(target.calls).hasValue(2 * ATTEMPTS);
	}

	@Test
	void anInterceptorBeforeTheRetryingOneRunsOnceForAllAttempts() {
		Target target = new Target();
		Counting before = new Counting();
		Retrying retrying = new Retrying();
		Target proxy = proxy(target, before, retrying);
		proxy.call();
		assertThat(retrying.last).containsExactly(true);
		assertThat(before.runs).hasValue(1);
		assertThat(target.calls).hasValue(ATTEMPTS);
	}

	private static Target proxy(Target target, MethodInterceptor... interceptors) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		for (MethodInterceptor interceptor : interceptors) {
			factory.addAdvice(interceptor);
		}
		return (Target) factory.getProxy();
	}

	/**
	 * Proceeds the invocation once per attempt, as a retry does, and keeps the verdict.
	 */
	static final class Retrying implements MethodInterceptor {

		final List<Boolean> last = new ArrayList<>();

		@Override
		public Object invoke(MethodInvocation invocation) throws Throwable {
			this.last.add(InvocationChain.isLast(invocation));
			Object result = null;
			for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
				result = InvocationChain.proceedAgain(invocation);
			}
			return result;
		}

	}

	static final class Counting implements MethodInterceptor {

		final AtomicInteger runs = new AtomicInteger();

		@Override
		public Object invoke(MethodInvocation invocation) throws Throwable {
			this.runs.incrementAndGet();
			return invocation.proceed();
		}

	}

	/** Not final: a class proxy. */
	public static class Target {

		final AtomicInteger calls = new AtomicInteger();

		public String call() {
			this.calls.incrementAndGet();
			return "ok";
		}

	}

}
