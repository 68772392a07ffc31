/**
 * The sample order service and its flaky downstream.
 */
package dev.resilience.sample;
