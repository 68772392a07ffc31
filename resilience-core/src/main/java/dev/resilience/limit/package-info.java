/**
 * Concurrency limits that adapt to measured latency: the algorithms
 * ({@link dev.resilience.limit.LimitAlgorithm}), their configuration
 * ({@link dev.resilience.limit.LimitConfig}) and the run-time limit
 * ({@link dev.resilience.limit.AdaptiveLimit}) shared by the semaphore bulkhead and the
 * Spring Boot starter's load shedding.
 */
@NullMarked
package dev.resilience.limit;

import org.jspecify.annotations.NullMarked;
