/*
 * Design. Both functions hand the work to resilience-reactor's ResilienceOperator, the
 * same operators that serve the starter's Mono and Flux methods and its suspend functions,
 * so the semantics are written once: every stage takes its permit or place when the
 * coroutine's publisher is subscribed and gives it back exactly once, at the outcome or at
 * a cancel; retry and rate-limit waits and timeouts are scheduled on the primitives'
 * Scheduler and never block a thread. The bridges are kotlinx-coroutines-reactor's:
 * `mono(context) { }` runs the block in the caller's coroutine context (its dispatcher,
 * its elements) without its Job, so the block is cancelled by the subscription's cancel,
 * which the stages see and count, rather than by a parent Job around them; awaiting the
 * Mono cancels its subscription when the caller is cancelled and writes the caller's
 * ReactorContext, if it has one, into the subscription, where the stages read a
 * deadline and the key selectors read their keys.
 */
@file:JvmName("ResilientCoroutines")

package dev.resilience.kotlin

import dev.resilience.pipeline.Pipeline
import dev.resilience.reactor.ResilienceOperator
import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.reactive.asFlow
import kotlinx.coroutines.reactor.asFlux
import kotlinx.coroutines.reactor.awaitSingleOrNull
import kotlinx.coroutines.reactor.mono
import reactor.core.publisher.Flux
import reactor.core.publisher.Mono
import reactor.util.context.ContextView

/**
 * Runs [block] through the pipeline's stages and returns its result, suspending (never
 * blocking a thread) while a retry or a rate limiter waits.
 *
 * Each attempt runs [block] again, in the caller's coroutine context (its dispatcher and
 * elements). A failure of the block, a rejection of a stage (`CallNotPermittedException`,
 * `RequestNotPermittedException`, `BulkheadFullException`) or a timeout
 * (`TimeoutExceededException`, after the block has been cancelled) is thrown to the
 * caller unless the pipeline's fallback answers it. Cancelling the caller cancels the
 * running attempt and gives back what the stages hold (a bulkhead place, reserved rate
 * limiter permits); a breaker does not count it.
 *
 * The pipeline's key selectors and fallback get, as the call context, the caller's
 * Reactor `ContextView` (empty without a `ReactorContext` element); see the overload
 * that takes one. Thread-safe, as the pipeline: any number of coroutines may run through
 * one pipeline at once.
 *
 * @param block the protected work
 * @return what the block (or the fallback) returned
 */
public suspend fun <T> Pipeline.executeSuspend(block: suspend () -> T): T =
    protect(ResilienceOperator.of(this), block)

/**
 * Runs [block] through the pipeline's stages, as [executeSuspend] without a call context
 * does, with [callContext] as the call context of the pipeline's key selectors and
 * fallback (a tenant for a per-key rate limiter, say).
 *
 * @param callContext what the key selectors and the fallback get
 * @param block the protected work
 * @return what the block (or the fallback) returned
 */
public suspend fun <T> Pipeline.executeSuspend(callContext: Any, block: suspend () -> T): T =
    protect(ResilienceOperator.of(this) { _: ContextView -> callContext }, block)

@Suppress("UNCHECKED_CAST")
private suspend fun <T> protect(operator: ResilienceOperator<Any>, block: suspend () -> T): T {
    val context = currentCoroutineContext().minusKey(Job)
    // A null result completes the Mono empty, and is null again on the way out.
    val source: Mono<Any> = mono(context) { block() }
    val protected = Mono.from(operator.apply(source))
    return protected.awaitSingleOrNull() as T
}

/**
 * Returns a flow that collects this one through the pipeline's stages, streaming: each
 * collection takes the stages' permits when it starts and decides at its completion, its
 * failure or its cancellation (a breaker counts the outcome of the whole collection, a
 * bulkhead place is held while it runs, a timeout bounds the wait for each element).
 *
 * Elements reach the collector as they come; an endless flow works, and stopping early
 * (`take`, `first`, a cancelled collector) is a cancellation, which no breaker counts and
 * which gives back the bulkhead place. A retry collects this flow again only while the
 * failed collection has emitted nothing: once an element went downstream, a failure is
 * final. The flow is collected in the collector's coroutine context (its dispatcher and
 * elements).
 *
 * @param pipeline the stages
 * @return the protected flow
 */
public fun <T : Any> Flow<T>.resilient(pipeline: Pipeline): Flow<T> {
    val source = this
    val operator = ResilienceOperator.of<T>(pipeline)
    return flow {
        val context = currentCoroutineContext().minusKey(Job)
        emitAll(Flux.from(operator.apply(source.asFlux(context))).asFlow())
    }
}
