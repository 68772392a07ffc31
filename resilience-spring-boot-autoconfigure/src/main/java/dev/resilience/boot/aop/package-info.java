/**
 * Applying the annotations: a bean post-processor gives each annotated method its own
 * advisor and interceptor, compiled at startup into a core
 * {@link dev.resilience.pipeline.Pipeline} with its fallback and return-type adapter.
 */
@NullMarked
package dev.resilience.boot.aop;

import org.jspecify.annotations.NullMarked;
