/**
 * Fallback: returning something else when a call fails, chosen by the failure's type.
 * <p>
 * {@link dev.resilience.fallback.Fallback} maps exception types to handlers; the most
 * specific registered type wins, and a failure no handler covers is rethrown unchanged.
 */
@NullMarked
package dev.resilience.fallback;

import org.jspecify.annotations.NullMarked;
