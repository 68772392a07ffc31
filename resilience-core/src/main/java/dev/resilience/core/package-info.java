/**
 * What the primitives share: injected time ({@link dev.resilience.core.Ticker},
 * {@link dev.resilience.core.Scheduler}), events
 * ({@link dev.resilience.core.EventPublisher}), named instances
 * ({@link dev.resilience.core.Registry}), exception classification and the common
 * exception parent.
 */
@NullMarked
package dev.resilience.core;

import org.jspecify.annotations.NullMarked;
