/**
 * Spring TestContext support for applications that use the resilience starter: the
 * starter on fake time ({@link dev.resilience.testing.spring.ResilienceFakeTime}) and
 * every instance reset after each test method
 * ({@link dev.resilience.testing.spring.ResilienceResetTestExecutionListener}). Both are
 * registered in {@code META-INF/spring.factories}: having {@code resilience-test} on the
 * test class path is enough.
 */
@NullMarked
package dev.resilience.testing.spring;

import org.jspecify.annotations.NullMarked;
