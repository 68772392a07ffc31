/**
 * Bulkheads: limits on concurrent calls, either a semaphore on the caller's thread
 * ({@link dev.resilience.bulkhead.Bulkhead}) or a bounded thread pool for asynchronous
 * isolation ({@link dev.resilience.bulkhead.ThreadPoolBulkhead}).
 */
@NullMarked
package dev.resilience.bulkhead;

import org.jspecify.annotations.NullMarked;
