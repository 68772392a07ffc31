package dev.resilience.testing.spring;

import java.util.Map;

import dev.resilience.core.Policy;
import dev.resilience.core.Registry;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Resets every instance of every registry of the test's application context after each
 * test method, so that no test sees the state another one left: every circuit breaker is
 * closed with empty windows, every rate limiter full with no per-key bucket, every
 * retry's budget full, and every counter zero (see {@link Policy#reset()} and each
 * primitive's {@code reset()} for what a reset keeps: the configuration, the event
 * listeners and the calls still in flight).
 * <p>
 * Registered in {@code META-INF/spring.factories}, so it runs in every Spring test with
 * {@code resilience-test} on its class path, with or without {@link ResilienceFakeTime}.
 * The registries are the context's beans of type {@link Registry} (the starter's and any
 * of the application's own), its parent contexts' included; instances are reset in place,
 * never removed, since beans and annotated methods hold them. A context that was not
 * loaded (or was closed, by {@code @DirtiesContext}) is left alone. It runs before the
 * context is closed by {@code @DirtiesContext} and after the test method's
 * {@code @AfterEach} methods.
 * <p>
 * Not reset: the buckets of the Redis rate limiter, which live in Redis and are shared by
 * every instance of the application (its counters are reset); the fake time, which only
 * moves forward; and the tasks pending on a
 * {@link dev.resilience.testing.ManualScheduler}, which belong to calls still in flight
 * (a waiter's deadline, a retry's next attempt) and run when time is advanced, so that no
 * caller is left waiting for ever. A test that wants another listener order, or none,
 * declares its listeners with Spring's {@code @TestExecutionListeners}.
 */
public class ResilienceResetTestExecutionListener extends AbstractTestExecutionListener {

	/**
	 * The order of this listener: after-test callbacks run in reverse order, so this one
	 * runs before {@code DirtiesContextTestExecutionListener} (order 3000) closes a
	 * context.
	 */
	public static final int ORDER = 5100;

	@Override
	public final int getOrder() {
		return ORDER;
	}

	@Override
	public void afterTestMethod(TestContext testContext) {
		if (testContext.hasApplicationContext()) {
			resetAll(testContext.getApplicationContext());
		}
	}

	/**
	 * Resets every instance of every {@link Registry} bean of {@code context} and its
	 * ancestors.
	 * @param context the application context
	 */
	@SuppressWarnings("rawtypes")
	public static void resetAll(ApplicationContext context) {
		// Types are matched without initializing factory beans to learn theirs.
		Map<String, Registry> registries = BeanFactoryUtils.beansOfTypeIncludingAncestors(context, Registry.class,
				false, false);
		for (Registry<?, ?> registry : registries.values()) {
			registry.all().forEach(Policy::reset);
		}
	}

}
