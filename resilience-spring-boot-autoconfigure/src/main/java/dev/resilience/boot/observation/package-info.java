/**
 * Micrometer Observations of annotated calls: {@code resilience.call} per call and
 * {@code resilience.attempt} per retry attempt, their contexts, conventions and
 * documentation, and their auto-configuration. Spring Boot's observation handlers turn
 * them into the timers {@code resilience.call} and {@code resilience.attempt} and, with
 * Micrometer Tracing, into spans.
 */
@NullMarked
package dev.resilience.boot.observation;

import org.jspecify.annotations.NullMarked;
