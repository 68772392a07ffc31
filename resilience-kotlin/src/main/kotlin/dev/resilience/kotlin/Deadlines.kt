/*
 * Design. A request's Deadline is current on a thread (Deadline.current(), a
 * ThreadLocal) or in a Reactor Context; a coroutine moves between threads at every
 * suspension, so a thread's deadline does not follow it. DeadlineContext is a
 * ThreadContextElement: the coroutine machinery makes its deadline current on whichever
 * thread resumes the coroutine and puts the thread's previous one back when it suspends,
 * so every stage under the coroutine (executeSuspend's, the annotated methods' Reactor
 * path, which reads the subscribing thread's deadline, and the synchronous pipeline)
 * sees it. Immutable; nothing is allocated per resume but the Deadline.Scope that
 * Deadline.enter returns.
 */
@file:JvmName("CoroutineDeadlines")

package dev.resilience.kotlin

import dev.resilience.deadline.Deadline
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ThreadContextElement
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.withContext
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.toJavaDuration

/**
 * A coroutine context element that makes [deadline] the current [Deadline] of every
 * thread the coroutine runs on, so the timeouts, retries and waits of the pipelines it
 * calls are bounded by it, wherever it resumes. Add it with [withDeadline] or
 * `withContext(deadline.asContextElement())`; children inherit it, as any element.
 *
 * @property deadline the deadline the coroutine works under
 */
public class DeadlineContext(public val deadline: Deadline) : ThreadContextElement<Deadline.Scope> {

    /** The element's key: `coroutineContext[DeadlineContext]`. */
    public companion object Key : CoroutineContext.Key<DeadlineContext>

    override val key: CoroutineContext.Key<DeadlineContext> get() = Key

    override fun updateThreadContext(context: CoroutineContext): Deadline.Scope = Deadline.enter(deadline)

    override fun restoreThreadContext(context: CoroutineContext, oldState: Deadline.Scope) {
        oldState.close()
    }

    override fun toString(): String = "DeadlineContext($deadline)"
}

/**
 * Returns this deadline as a coroutine context element.
 *
 * @return the element
 */
public fun Deadline.asContextElement(): DeadlineContext = DeadlineContext(this)

/**
 * Returns the deadline the calling coroutine works under: its [DeadlineContext]'s, else
 * the current thread's, or `null` without one.
 *
 * @return the deadline, or `null`
 */
public suspend fun currentDeadline(): Deadline? = currentCoroutineContext()[DeadlineContext]?.deadline ?: Deadline.current()

/**
 * Runs [block] under [deadline], or under the deadline it already works under if that
 * ends earlier: a nested deadline never extends the one around it.
 *
 * @param deadline the deadline
 * @param block the work
 * @return what the block returned
 */
public suspend fun <T> withDeadline(deadline: Deadline, block: suspend CoroutineScope.() -> T): T {
    val outer = currentDeadline()
    val effective = if (outer != null && outer.endsBefore(deadline)) outer else deadline
    return withContext(DeadlineContext(effective), block)
}

/**
 * Runs [block] with [budget] from now as its deadline (on the system clock), or under the
 * deadline it already works under if that ends earlier.
 *
 * @param budget the time the block may take
 * @param block the work
 * @return what the block returned
 */
public suspend fun <T> withDeadline(budget: Duration, block: suspend CoroutineScope.() -> T): T =
    withDeadline(Deadline.after(budget.toJavaDuration()), block)
