/**
 * Timeout: cutting off a call that runs too long.
 * <p>
 * {@link dev.resilience.timeout.Timeout} interrupts a synchronous call's thread at the
 * deadline and completes an asynchronous call's future exceptionally, in both cases with
 * {@link dev.resilience.timeout.TimeoutExceededException};
 * {@link dev.resilience.timeout.TimeoutRegistry} holds named instances.
 */
@NullMarked
package dev.resilience.timeout;

import org.jspecify.annotations.NullMarked;
