/**
 * Micrometer meters for every resilience instance, read from the instances' own counters
 * when a meter registry asks, so that nothing is counted twice and nothing is added to
 * the call path. Instances created or removed at run time gain or lose their meters. Our
 * own meter names by default, Resilience4j's with
 * {@code resilience.metrics.naming=resilience4j}.
 */
@NullMarked
package dev.resilience.boot.metrics;

import org.jspecify.annotations.NullMarked;
