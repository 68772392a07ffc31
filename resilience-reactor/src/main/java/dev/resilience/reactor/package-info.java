/**
 * Reactor operators for a {@link dev.resilience.pipeline.Pipeline}:
 * {@link dev.resilience.reactor.ResilienceOperator} applies the pipeline's stages to a
 * {@code Mono} or a {@code Flux} as Reactor operators, per subscription, streaming. The
 * Spring Boot starter serves its {@code Mono} and {@code Flux} methods with the same
 * operators.
 */
@NullMarked
package dev.resilience.reactor;

import org.jspecify.annotations.NullMarked;
