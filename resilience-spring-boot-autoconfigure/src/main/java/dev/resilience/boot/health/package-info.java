/**
 * Health contributors for Spring Boot's health endpoint: {@code circuitBreakers},
 * {@code rateLimiters}, {@code bulkheads} and {@code threadPoolBulkheads}, with one
 * component per instance, read live from the registries.
 * <p>
 * An open circuit, an exhausted rate limiter or a full bulkhead is reported with its own
 * status ({@link dev.resilience.boot.health.ResilienceStatus}) that never counts against
 * the application, unless the instance sets {@code allow-health-indicator-to-fail}.
 * {@link dev.resilience.boot.health.ResilienceStatusAggregator} ranks these statuses
 * after {@code UP} in every health group, so no aggregate turns {@code UNKNOWN}.
 */
@NullMarked
package dev.resilience.boot.health;

import org.jspecify.annotations.NullMarked;
