@file:JvmName("ResilienceDsl")

package dev.resilience.kotlin

import dev.resilience.pipeline.Pipeline

/** Marks the configuration DSL's scopes, so an inner block cannot set an outer one's settings by mistake. */
@DslMarker
public annotation class ResilienceDslMarker

/**
 * Builds a [Pipeline] with its Java builder as the receiver:
 * `pipeline { retry(retry); circuitBreaker(breaker) }`.
 *
 * @param block sets the pipeline's stages and options
 * @return the pipeline
 */
public inline fun pipeline(block: Pipeline.Builder.() -> Unit): Pipeline = Pipeline.builder().apply(block).build()
