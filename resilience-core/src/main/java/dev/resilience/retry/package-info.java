/**
 * Retry: calling again, after a wait, when a call fails in a way worth retrying.
 * <p>
 * {@link dev.resilience.retry.Retry} decides after each attempt whether and how long to
 * wait before the next one (fixed or exponential backoff, capped, with optional jitter);
 * the caller runs the loop. {@link dev.resilience.retry.RetryConfig} says which failures
 * and results are retried and whether a retry budget limits retries under sustained
 * failure; {@link dev.resilience.retry.RetryRegistry} holds named instances.
 */
@NullMarked
package dev.resilience.retry;

import org.jspecify.annotations.NullMarked;
