/**
 * Deadlines that arrive with a request and travel with it: the servlet {@code Filter} and
 * the WebFlux {@code WebFilter} that read a request's budget from its headers (or the
 * default budget) and make it the request's {@link dev.resilience.deadline.Deadline}, the
 * carriers that take it across thread hops ({@code @Async} and other task executors,
 * Micrometer context propagation, Reactor), and the meters and logs of the calls that do
 * not fit in it.
 */
@NullMarked
package dev.resilience.boot.deadline;

import org.jspecify.annotations.NullMarked;
