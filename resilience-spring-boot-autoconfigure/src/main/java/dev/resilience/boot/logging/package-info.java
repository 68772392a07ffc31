/**
 * Logs of the resilience instances: one line per circuit-breaker state change, with the
 * figures that caused it, and one for the first call rejected after each opening, under
 * the logger {@code dev.resilience.circuitbreaker.transitions}. Nothing is logged, and
 * nothing is done, on the path of a call that goes through.
 */
@NullMarked
package dev.resilience.boot.logging;

import org.jspecify.annotations.NullMarked;
