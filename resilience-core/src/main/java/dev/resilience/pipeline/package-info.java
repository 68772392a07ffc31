/**
 * Composition: {@link dev.resilience.pipeline.Pipeline} applies any subset of the
 * primitives around one call, synchronously or asynchronously, in one documented order.
 */
@NullMarked
package dev.resilience.pipeline;

import org.jspecify.annotations.NullMarked;
